import { describe, expect, it } from 'vitest';
import { deliveryBackoff, durationToRecord, failureBackoff, HISTORY_WINDOW, landingMs, nextCheckDelay, TAIL_GROWTH, typicalDuration } from '../../src/jobs/schedule.js';
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

/** `n` durations spread evenly ±20 % around `median`, shortest first. */
const spread = (median: number, n: number) => Array.from({ length: n }, (_, i) => Math.round(median * (0.8 + (0.4 * i) / (n - 1))));

/** Durations shaped like the provider's: log-normal (σ 0.15) around `median`, 5 % of them 1.5–3× as long. */
function drawDurations(random: () => number, median: number, n: number): number[] {
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => Math.round(median * Math.exp(0.15 * normal()) * (random() < 0.05 ? 1.5 + 1.5 * random() : 1)));
}

describe('the check schedule', () => {
  it('checks every interval when there is no history', async () => {
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
    expect(nextCheckDelay({ elapsedMs: 123_456, historyMs: [], pollIntervalMs: 5000 })).toBe(5000);
  });

  it('checks once early, then lands one interval after the second-shortest duration, then every interval', () => {
    const history = spread(78_000, 50).reverse();
    const landing = landingMs(history, 5000);
    expect(landing).toBe(Math.min(...history.slice(0, -1)) + 5000);
    // The submit schedules the first check one interval in (src/jobs/start.ts); the schedule does the same from 0.
    expect(nextCheckDelay({ elapsedMs: 0, historyMs: history, pollIntervalMs: 5000 })).toBe(5000);
    const { checks } = checksUntil(Math.max(...history), history, 5000);
    // One early check (a request rejected at once is seen as soon as under fixed polling), then the
    // landing, then one interval apart.
    expect(checks.slice(0, 2)).toEqual([5000, landing]);
    const gaps = checks.slice(2).map((c, i) => c - checks[i + 1]!);
    expect(gaps.length).toBeGreaterThan(0);
    expect(new Set(gaps)).toEqual(new Set([5000]));
    // A check late by a poller pass still lands there.
    expect(5300 + nextCheckDelay({ elapsedMs: 5300, historyMs: history, pollIntervalMs: 5000 })).toBe(landing);
  });

  it('sees a job shorter than an interval at the early check, as fixed polling would', () => {
    const history = [3000, 3100, 3200];
    expect(checksUntil(3100, history, 5000).checks).toEqual([5000]);
    expect(checksUntil(3100, [], 5000).checks).toEqual([5000]);
  });

  it('lands one interval after the second-shortest duration, whatever the shortest', () => {
    // Few durations, the shortest an outlier: it does not move the landing.
    const few = [79_000, 40_000, 81_000, 78_000, 80_000];
    expect(landingMs(few, 5000)).toBe(78_000 + 5000);
    expect(landingMs(few.map((d) => (d === 40_000 ? 1 : d)), 5000)).toBe(78_000 + 5000);
    // One duration: one interval after it.
    expect(landingMs([60_000], 5000)).toBe(65_000);
  });

  it('thins out past the longest recent duration, and a job seen there is late by a bounded share of its overrun', () => {
    const history = spread(78_000, 50);
    const longest = Math.max(...history);
    // Every interval up to the longest, then each gap longer than the one before.
    const { checks } = checksUntil(30 * 60_000, history, 5000);
    const beyond = checks.filter((c) => c > longest);
    const gaps = beyond.slice(1).map((c, i) => c - beyond[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap, `gap ${i}`).toBeGreaterThan(i ? gaps[i - 1]! : 5000);
    // A job stuck until its 30-minute deadline: a few dozen checks, not the 360 of fixed polling.
    expect(checks.length).toBeLessThan(checksUntil(30 * 60_000, [], 5000).count / 6);
    for (const doneAt of [longest + 1, longest + 30_000, 2 * longest, 10 * longest]) {
      const { lateBy } = checksUntil(doneAt, history, 5000);
      expect(lateBy, `done at ${doneAt}`).toBeLessThanOrEqual(5000 + TAIL_GROWTH * (doneAt - longest));
    }
  });

  it('on provider-shaped durations, sees 95 % of jobs within an interval at about a third of fixed polling’s checks', () => {
    for (const seed of [3, 17, 101]) {
      const random = xorshift(seed);
      for (const median of [78_000, 117_000]) {
        // As the bot runs: each job is scheduled from the last HISTORY_WINDOW durations before it.
        const durations = drawDurations(random, median, HISTORY_WINDOW + 2000);
        const jobs = durations.slice(HISTORY_WINDOW).map((d, i) => ({ d, history: durations.slice(i, i + HISTORY_WINDOW) }));
        const learned = jobs.map(({ d, history }) => checksUntil(d, history, 5000));
        const fixed = jobs.map(({ d }) => checksUntil(d, [], 5000).count);
        const late = learned.filter((r) => r.lateBy > 5000).length / jobs.length;
        const ratio = learned.reduce((a, r) => a + r.count, 0) / fixed.reduce((a, c) => a + c, 0);
        expect(late, `seed ${seed}, median ${median}: share seen more than an interval late`).toBeLessThanOrEqual(0.05);
        // The early check alone is 1 in 16 (standard) or 24 (detailed) of fixed polling's.
        expect(ratio, `seed ${seed}, median ${median}: checks, learned ÷ fixed`).toBeLessThan(0.4);
      }
    }
  });

  it('one outlier among 20 recent jobs changes a typical job\'s check count by at most one', async () => {
    const median = 78_000;
    // 20 durations spread ±20 % around the median.
    const recent = spread(median, 20);
    const typical = checksUntil(median, recent, 5000).count;
    for (const outlier of [1_000, 5_000, 20_000, 40_000, 400_000]) {
      for (const at of [0, 7, 19]) {
        const withOutlier = recent.map((d, i) => (i === at ? outlier : d));
        const count = checksUntil(median, withOutlier, 5000).count;
        expect(Math.abs(count - typical), `outlier ${outlier} ms at ${at}`).toBeLessThanOrEqual(1);
      }
    }
    // And the schedule still pays off: far fewer checks than fixed polling.
    expect(typical).toBeLessThanOrEqual(checksUntil(median, [], 5000).count / 2);
  });

  it('gives a whole millisecond, rounded up, when a gap past the longest duration is a fraction', () => {
    const history = [3000, 3001, 3100, 3200, 3300, 3400];
    const submit = 1_796_350_438_160;
    // 3 ms past the longest: the gap is 200 ms and a fraction, due at the next whole millisecond.
    const checkedAt = submit + 3403;
    const delay = nextCheckDelay({ elapsedMs: checkedAt - submit, historyMs: history, pollIntervalMs: 200 });
    expect(200 + TAIL_GROWTH * 3).not.toBe(Math.round(200 + TAIL_GROWTH * 3));
    expect(delay).toBe(Math.ceil(200 + TAIL_GROWTH * 3));
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
      // Landing: at the first whole millisecond on or after it, not sooner.
      const landing = landingMs(historyMs, pollIntervalMs);
      if (elapsedMs >= pollIntervalMs && landing > elapsedMs) expect(elapsedMs + delay).toBe(landing);
      // Past the landing: never less than an interval apart.
      if (elapsedMs >= landing) expect(delay).toBeGreaterThanOrEqual(pollIntervalMs);
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
