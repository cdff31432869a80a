/**
 * Day and month boundaries in the operator's time zone (QUOTA_TIMEZONE), DST-safe.
 * Everything is computed from an epoch-ms instant with Intl; no local time of the host is used.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

/** The calendar date that `at` falls on in `timeZone`. */
function localDate(at: number, timeZone: string): LocalDate {
  const parts = formatter(timeZone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

const ordinal = (d: LocalDate) => d.year * 10_000 + d.month * 100 + d.day;

/** Normalises e.g. { month: 13 } or { day: 0 } into a real calendar date. */
function normalise(d: LocalDate): LocalDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

/**
 * The first instant of local date `d` in `timeZone`. Usually local midnight; in zones whose
 * DST switch skips midnight, the first instant that exists on that date.
 */
function startOfLocalDate(d: LocalDate, timeZone: string): number {
  const target = ordinal(normalise(d));
  const n = normalise(d);
  const utcMidnight = Date.UTC(n.year, n.month - 1, n.day);
  // Offsets lie within ±14 h, so the answer is in [utcMidnight - 14h, utcMidnight + 14h].
  // Binary search, in whole minutes, for the first minute whose local date is >= target.
  const minute = 60_000;
  let lo = Math.floor((utcMidnight - 15 * 3600_000) / minute);
  let hi = Math.ceil((utcMidnight + 15 * 3600_000) / minute);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ordinal(localDate(mid * minute, timeZone)) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo * minute;
}

/** Start of the local day that contains `at`. */
export function startOfDay(at: number, timeZone: string): number {
  return startOfLocalDate(localDate(at, timeZone), timeZone);
}

/** Start of the next local day after the one that contains `at`: when today's quota resets. */
export function startOfNextDay(at: number, timeZone: string): number {
  const d = localDate(at, timeZone);
  return startOfLocalDate({ ...d, day: d.day + 1 }, timeZone);
}

/** Start of the local day `days - 1` days before today: the window "the last `days` days", today included. */
export function startOfDaysAgo(at: number, days: number, timeZone: string): number {
  const d = localDate(at, timeZone);
  return startOfLocalDate({ ...d, day: d.day - (days - 1) }, timeZone);
}

/** Start of the local month that contains `at`. */
export function startOfMonth(at: number, timeZone: string): number {
  const d = localDate(at, timeZone);
  return startOfLocalDate({ ...d, day: 1 }, timeZone);
}
