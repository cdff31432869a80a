/**
 * The provider's timestamps, as its answers carry them: `YYYY-MM-DD HH:mm:ss.SSS`
 * ('2026-05-28 23:13:55.082'), China time with no zone. Read as a naive time: only differences
 * between two of them are used, and the zone cancels in a difference.
 */
const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

/** Milliseconds on the provider's own (naive) clock, or undefined when `text` is not in its format. */
export function parseProviderTime(text: string | undefined): number | undefined {
  const m = text === undefined ? null : FORMAT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is not a time.
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return t;
}

/** `end_time − submit_time` in whole milliseconds, or undefined when either is missing or unreadable. */
export function providerDurationMs(task: { submitTime?: string; endTime?: string }): number | undefined {
  const submit = parseProviderTime(task.submitTime);
  const end = parseProviderTime(task.endTime);
  return submit === undefined || end === undefined ? undefined : end - submit;
}
