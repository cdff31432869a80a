/**
 * When to check a job next: a pure function of how long it has run and how long
 * this bot's recent jobs of the same quality took.
 *
 * With no history, every `pollIntervalMs`. With history, nothing is likely to happen
 * before the low quantile `EARLY_QUANTILE` (the 10th percentile) of the last
 * `HISTORY_WINDOW` (50) durations. So a job gets one early check one interval after its
 * submit (a request the provider rejects at once is reported as quickly as under fixed
 * polling), then the next check lands on that quantile, and from then on checks
 * are `pollIntervalMs` apart, so a job that finishes after the quantile is reported at
 * most one interval late. Nothing in between: every check before the quantile would
 * almost always find the job still running. A quantile rather than the minimum: one
 * unusually fast job must not make every later job dense.
 *
 * Delays are whole milliseconds, rounded up: the quantile interpolates between two durations
 * (3000.5 ms between 3000 and 3001), and a due time is stored in an integer column (the store
 * refuses a fraction: src/store/params.ts). Up, so no check lands before the time it was meant for.
 */
/** How many recent durations the schedule (and the "usually takes" line) looks at. */
export const HISTORY_WINDOW = 50;
/** The quantile of recent durations before which checks thin out. */
export const EARLY_QUANTILE = 0.1;

export interface ScheduleInput {
  elapsedMs: number;
  /** Submit-to-result durations of recent successful jobs of this quality. */
  historyMs: readonly number[];
  pollIntervalMs: number;
}

export function nextCheckDelay(input: ScheduleInput): number {
  return Math.ceil(unroundedDelay(input));
}

function unroundedDelay({ elapsedMs, historyMs, pollIntervalMs }: ScheduleInput): number {
  if (historyMs.length === 0) return pollIntervalMs;
  // Recorded durations are the provider's own (durationToRecord), not when the bot saw the end, so
  // landing on the quantile does not pull later records, and the quantile later, with it.
  const early = quantile(historyMs, EARLY_QUANTILE);
  const remaining = early - elapsedMs;
  if (remaining <= 0) return pollIntervalMs;
  // The one early check, if the job has not had it yet and the quantile is further away.
  if (elapsedMs < pollIntervalMs && early > pollIntervalMs) return pollIntervalMs - elapsedMs;
  return remaining;
}

/**
 * The duration a finished job is recorded with, for the schedule to learn from: the provider's
 * (`end_time − submit_time`, src/upstream/provider-time.ts) when it is consistent, else the
 * observed one (bot's submit to the check that saw the end), which runs up to an interval long.
 * Consistent: a whole, non-negative number of milliseconds no longer than the job was watched
 * (the provider received the job after the bot sent it and ended it before the bot saw it end).
 */
export function durationToRecord(providerMs: number | undefined, observedMs: number): number {
  const ok = providerMs !== undefined && Number.isSafeInteger(providerMs) && providerMs >= 0 && providerMs <= observedMs;
  return ok ? providerMs : observedMs;
}

/** The q-quantile (0..1) with linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const below = sorted[lo]!;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return below + (above - below) * (pos - lo);
}

/** The median of recent durations, shown to members as "usually takes about". */
export function typicalDuration(historyMs: readonly number[]): number | null {
  if (historyMs.length === 0) return null;
  const sorted = [...historyMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Backoff after failed checks: doubling from the poll interval, capped at a minute, with jitter. */
export function failureBackoff(failures: number, pollIntervalMs: number, random = Math.random): number {
  const base = Math.min(60_000, pollIntervalMs * 2 ** Math.min(failures, 10));
  return Math.round(base / 2 + random() * (base / 2));
}

/** Backoff between delivery attempts: 1 s doubling to 5 minutes. */
export function deliveryBackoff(attempts: number): number {
  return Math.min(5 * 60_000, 1000 * 2 ** Math.min(attempts, 12));
}
