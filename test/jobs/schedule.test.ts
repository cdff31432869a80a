import { describe, expect, it } from 'vitest';
import { deliveryBackoff, durationToRecord, EARLY_QUANTILE, failureBackoff, nextCheckDelay, quantile, typicalDuration } from '../../src/jobs/schedule.js';
import { xorshift } from '../helpers/noise.js';

/** Simulates the checks the schedule makes for a job that finishes at `doneAt`. */
function checksUntil(doneAt: number, historyMs: number[], pollIntervalMs: number) {
  let t = 0;
  const checks: number[] = [];
  while (t < doneAt) {
    t += nextCheckDelay({ elapsedMs: t, historyMs, pollIntervalMs });
    checks.push(t);
  }
  return { count: checks.length, lateBy: t - doneAt, checks };
}

describe('the check schedule', () => {
  it('checks every interval when there is no history', async () => {
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
    expect(nextCheckDelay({ elapsedMs: 123_456, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
  });

  it('checks once early, then lands on the low quantile of recent durations', () => {
    const history = [78_000, 90_000, 75_000];
    const early = quantile(history, 0.1);
    expect(early).toBeCloseTo(75_600);
    // The submit schedules the first check one interval in (src/jobs/start.ts); the schedule does the same from 0.
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: history, pollIntervalMs: 5000 })).toBe(5000);
    const { checks } = checksUntil(early, history, 5000);
    // One early check (a request rejected at once is seen as soon as under fixed polling), then on
    // the quantile itself (rounded up to a whole millisecond).
    expect(checks).toEqual([5000, 75_600]);
    // A check late by a poller pass still lands there.
    expect(5300 + nextCheckDelay({ elapsedMs: 5300, historyMs: history, pollIntervalMs: 5000 })).toBe(75_600);
    // Then one interval apart.
    expect(nextCheckDelay({ elapsedMs: 75_600, historyMs: history, pollIntervalMs: 5000 })).toBe(5000);
  });

  it('with a quantile within one interval, goes straight to it', () => {
    const history = [4000, 4200, 4500];
    expect(quantile(history, 0.1)).toBe(4040);
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: history, pollIntervalMs: 5000 })).toBe(4040);
  });

  it('is never more than one interval apart once past the shortest duration', async () => {
    const history = [60_000];
    for (const elapsed of [60_000, 61_000, 200_000, 1_000_000]) {
      expect(nextCheckDelay({ elapsedMs: elapsed, historyMs: history, pollIntervalMs: 5000 })).toBeLessThanOrEqual(5000);
    }
  });

  it('reports a job soon after it finishes and costs far fewer calls than fixed polling', async () => {
    const history = [70_000, 78_000, 85_000];
    const learned = checksUntil(80_000, history, 5000);
    const fixed = checksUntil(80_000, [], 5000);
    expect(learned.lateBy).toBeLessThanOrEqual(5000);
    // 16 checks at a fixed 5 s; learned: one early, one on the quantile (71.6 s), two more (76.6, 81.6 s).
    expect(fixed.count).toBe(16);
    expect(learned.checks).toEqual([5000, 71_600, 76_600, 81_600]);
  });

  it('one outlier among 20 recent jobs changes a typical job\'s check count by at most one', async () => {
    const median = 78_000;
    // 20 durations spread ±20 % around the median.
    const spread = Array.from({ length: 20 }, (_, i) => Math.round(median * (0.8 + (0.4 * i) / 19)));
    const typical = checksUntil(median, spread, 5000).count;
    for (const outlier of [1_000, 5_000, 20_000, 40_000, 400_000]) {
      for (const at of [0, 7, 19]) {
        const withOutlier = spread.map((d, i) => (i === at ? outlier : d));
        const count = checksUntil(median, withOutlier, 5000).count;
        expect(Math.abs(count - typical), `outlier ${outlier} ms at ${at}`).toBeLessThanOrEqual(1);
      }
    }
    // And the schedule still pays off: far fewer checks than fixed polling.
    expect(typical).toBeLessThanOrEqual(checksUntil(median, [], 5000).count / 2);
  });

  it('lands on a whole millisecond, rounded up, when the quantile falls between two', () => {
    // The 10th percentile of these six is 3000.5 ms (halfway between the two shortest).
    const history = [3000, 3001, 3100, 3200, 3300, 3400];
    expect(quantile(history, EARLY_QUANTILE)).toBe(3000.5);
    const submit = 1_796_350_438_160;
    const checkedAt = submit + 203;
    const delay = nextCheckDelay({ elapsedMs: checkedAt - submit, historyMs: history, pollIntervalMs: 200 });
    // Due on the quantile: 3000.5 ms after the submit, stored as 3001.
    expect(checkedAt + delay).toBe(submit + 3001);
  });

  it('gives whole delays that are never early, whatever the history', () => {
    const random = xorshift(16);
    for (let n = 0; n < 2000; n++) {
      const pollIntervalMs = 50 + Math.floor(random() * 10_000);
      const historyMs = Array.from({ length: 1 + Math.floor(random() * 50) }, () => Math.floor(random() * 300_000));
      const elapsedMs = Math.floor(random() * 300_000);
      const delay = nextCheckDelay({ elapsedMs, historyMs, pollIntervalMs });
      expect(Number.isSafeInteger(delay), `${delay} ms`).toBe(true);
      expect(delay).toBeGreaterThan(0);
      // Landing on the quantile: at the first whole millisecond on or after it, not sooner.
      const landing = quantile(historyMs, EARLY_QUANTILE);
      if (elapsedMs >= pollIntervalMs && landing > elapsedMs) expect(elapsedMs + delay).toBe(Math.ceil(landing));
    }
  });

  it('records the provider’s duration when it is consistent, else the observed one', () => {
    // The doc's example: 23:13:55.082 to 23:15:13.369 is 78 287 ms; the bot watched for 80 s.
    expect(durationToRecord(78_287, 80_000)).toBe(78_287);
    expect(durationToRecord(0, 80_000)).toBe(0);
    expect(durationToRecord(80_000, 80_000)).toBe(80_000);
    // Missing, end before submit, longer than the job was watched, not whole: the observed time.
    expect(durationToRecord(undefined, 80_000)).toBe(80_000);
    expect(durationToRecord(-1, 80_000)).toBe(80_000);
    expect(durationToRecord(80_001, 80_000)).toBe(80_000);
    expect(durationToRecord(78_287.5, 80_000)).toBe(80_000);
  });

  it('takes quantiles with linear interpolation', async () => {
    expect(quantile([5], 0.1)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1)).toBe(2);
    expect(quantile([10, 0], 0.5)).toBe(5);
  });

  it('gives the median as the typical duration', async () => {
    expect(typicalDuration([])).toBeNull();
    expect(typicalDuration([3, 1, 2])).toBe(2);
    expect(typicalDuration([4, 1, 2, 3])).toBe(2.5);
  });

  it('backs off failed checks and deliveries with a cap', async () => {
    expect(failureBackoff(1, 5000, () => 1)).toBe(10_000);
    expect(failureBackoff(30, 5000, () => 1)).toBe(60_000);
    expect(failureBackoff(1, 5000, () => 0)).toBe(5000);
    expect(deliveryBackoff(1)).toBe(2000);
    expect(deliveryBackoff(50)).toBe(300_000);
  });
});
