/**
 * When to check a job next: a pure function of how long it has run and how long
 * this bot's recent jobs of the same quality took (the last `HISTORY_WINDOW`, 50).
 *
 * With no history, every `pollIntervalMs`. With history, the checks have three parts:
 * - **One early check** one interval after the submit, so a request the provider rejects at once is
 *   reported as quickly as under fixed polling.
 * - **The landing**: nothing until one interval after the second-shortest recent duration. The
 *   landing is placed by the lag it allows, not by the checks it saves: only a job shorter than that
 *   is seen more than an interval after it ended, on average 2 in 51 (2 / (n + 1) for n durations),
 *   within the 5 % the p95 notify lag may leave late. The second-shortest and not the shortest, so
 *   one unusually fast job cannot pull every later landing early (with 20 recent jobs, one outlier
 *   moves a typical job by at most one check).
 * - **Every interval** from the landing to the longest recent duration, so a job that ends within
 *   the range recent jobs took is reported at most one interval late; beyond it, the gap grows by
 *   `TAIL_GROWTH` (a tenth) of the time past the longest, so a job that runs far longer than any
 *   recent one (stuck at the provider until its deadline) costs a few dozen checks, not hundreds.
 *
 * Checks before the landing would almost always find the job still running, and after it the lag
 * target leaves too little room to thin them: with the early check, this shape is within a few per
 * cent of the fewest checks any schedule can make on the provider's durations (README, P2).
 *
 * Delays are whole milliseconds, rounded up: a tenth of an overrun is a fraction, and a due time is
 * stored in an integer column (the store refuses a fraction: src/store/params.ts). Up, so no check
 * lands before the time it was meant for.
 */
/** How many recent durations the schedule (and the "usually takes" line) looks at. */
export const HISTORY_WINDOW = 50;
/** Past the longest recent duration, how much of the time beyond it each gap adds to the interval. */
export const TAIL_GROWTH = 0.1;

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
  // where the checks land does not pull later records, and the landing, with it.
  const landing = landingMs(historyMs, pollIntervalMs);
  if (elapsedMs < landing) {
    // The one early check, if the job has not had it yet (the landing is always at least an interval in).
    if (elapsedMs < pollIntervalMs) return pollIntervalMs - elapsedMs;
    return landing - elapsedMs;
  }
  const longest = Math.max(...historyMs);
  if (elapsedMs < longest) return pollIntervalMs;
  return pollIntervalMs + TAIL_GROWTH * (elapsedMs - longest);
}

/** Elapsed time of the landing check: one interval after the second-shortest recent duration (or the only one). */
export function landingMs(historyMs: readonly number[], pollIntervalMs: number): number {
  const sorted = [...historyMs].sort((a, b) => a - b);
  return sorted[Math.min(1, sorted.length - 1)]! + pollIntervalMs;
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
