import { describe, expect, it } from 'vitest';
import { parseProviderTime, providerDurationMs } from '../../src/upstream/provider-time.js';

describe('the provider’s timestamps', () => {
  it('reads the API document’s example as a naive time, to the millisecond', () => {
    expect(parseProviderTime('2026-05-28 23:13:55.082')).toBe(Date.UTC(2026, 4, 28, 23, 13, 55, 82));
    expect(providerDurationMs({ submitTime: '2026-05-28 23:13:55.082', endTime: '2026-05-28 23:15:13.369' })).toBe(78_287);
  });

  it('takes the difference across midnight and a month end', () => {
    expect(providerDurationMs({ submitTime: '2026-05-31 23:59:59.990', endTime: '2026-06-01 00:00:00.005' })).toBe(15);
  });

  it('gives a negative difference when the end is before the submit (the schedule falls back)', () => {
    expect(providerDurationMs({ submitTime: '2026-05-28 23:15:13.369', endTime: '2026-05-28 23:13:55.082' })).toBe(-78_287);
  });

  it('reads nothing out of a missing field or another format', () => {
    expect(providerDurationMs({ submitTime: '2026-05-28 23:13:55.082' })).toBeUndefined();
    expect(providerDurationMs({ endTime: '2026-05-28 23:15:13.369' })).toBeUndefined();
    for (const text of [
      '',
      '2026-05-28T23:13:55.082',
      '2026-05-28 23:13:55.082Z',
      '2026-05-28 23:13:55',
      '2026-05-28 23:13:55.08',
      '2026-05-28 23:13:55.0821',
      '2026-02-30 10:00:00.000',
      '2026-05-28 24:00:00.000',
      '2026-05-28 23:60:00.000',
      ' 2026-05-28 23:13:55.082',
    ]) {
      expect(parseProviderTime(text), text).toBeUndefined();
    }
  });
});
