import { describe, expect, it } from 'vitest';
import { deliveryBackoff, failureBackoff, nextCheckDelay, typicalDuration } from '../../src/jobs/schedule.js';

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
  it('checks every interval when there is no history', () => {
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
    expect(nextCheckDelay({ elapsedMs: 123_456, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
  });

  it('spends few checks before the shortest recent duration and lands on it', () => {
    const history = [78_000, 90_000, 75_000];
    const { checks } = checksUntil(75_000, history, 5000);
    expect(checks.at(-1)).toBe(75_000);
    // Against 15 checks at a fixed 5 s interval.
    expect(checks.length).toBeLessThanOrEqual(6);
    expect(checks.length).toBeGreaterThanOrEqual(2);
  });

  it('is never more than one interval apart once past the shortest duration', () => {
    const history = [60_000];
    for (const elapsed of [60_000, 61_000, 200_000, 1_000_000]) {
      expect(nextCheckDelay({ elapsedMs: elapsed, historyMs: history, pollIntervalMs: 5000 })).toBeLessThanOrEqual(5000);
    }
  });

  it('reports a job soon after it finishes and costs far fewer calls than fixed polling', () => {
    const history = [70_000, 78_000, 85_000];
    const learned = checksUntil(80_000, history, 5000);
    const fixed = checksUntil(80_000, [], 5000);
    expect(learned.lateBy).toBeLessThanOrEqual(5000);
    expect(learned.count).toBeLessThan(fixed.count);
  });

  it('gives the median as the typical duration', () => {
    expect(typicalDuration([])).toBeNull();
    expect(typicalDuration([3, 1, 2])).toBe(2);
    expect(typicalDuration([4, 1, 2, 3])).toBe(2.5);
  });

  it('backs off failed checks and deliveries with a cap', () => {
    expect(failureBackoff(1, 5000, () => 1)).toBe(10_000);
    expect(failureBackoff(30, 5000, () => 1)).toBe(60_000);
    expect(failureBackoff(1, 5000, () => 0)).toBe(5000);
    expect(deliveryBackoff(1)).toBe(2000);
    expect(deliveryBackoff(50)).toBe(300_000);
  });
});
