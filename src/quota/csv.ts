import { CHARGED_STATES, isIn } from '../domain/job.js';
import type { ExportRow } from '../store/reports.js';

/** `/model3d-admin export`: a server's jobs as CSV (RFC 4180). */

/**
 * One CSV field. Quoted when it holds a comma, a quote, CR or LF; quotes are doubled.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, so that an exported error message cannot run as a formula.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export const CSV_HEADER = [
  'job_id',
  'created_at',
  'finished_at',
  'user_id',
  'channel_id',
  'message_id',
  'quality',
  'cost',
  'credits_charged',
  'state',
  'task_id',
  'total_tokens',
  'seconds_to_result',
  'error_code',
  'error_message',
  'image_url',
  'refunded_by',
] as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One CSV row per job. `credits_charged` is what the member paid after automatic and moderator refunds. */
export function jobsCsv(rows: Iterable<ExportRow>): { csv: string; count: number } {
  let csv = csvLine(CSV_HEADER);
  let count = 0;
  for (const { job, refundedCredits, refundedBy } of rows) {
    const charged = isIn(CHARGED_STATES, job.state) ? job.cost : 0;
    csv += csvLine([
      job.id,
      iso(job.createdAt),
      iso(job.finishedAt),
      job.userId,
      job.channelId,
      job.messageId,
      job.quality,
      job.cost,
      Math.max(0, charged - (refundedCredits ?? 0)),
      job.state,
      job.taskId,
      job.totalTokens,
      job.state === 'succeeded' && job.finishedAt !== null ? Math.round((job.finishedAt - job.createdAt) / 1000) : null,
      job.errorCode,
      job.errorMessage,
      job.imageUrl,
      refundedBy,
    ]);
    count++;
  }
  return { csv, count };
}
