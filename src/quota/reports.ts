import type { Db } from '../store/db.js';
import { toJob, type Job } from '../store/jobs.js';
import { CHARGED_STATES, IN_FLIGHT_STATES, sqlList } from '../store/quota.js';

/** Read-only aggregates for /model3d-admin usage, balance and export. All filtering is done in SQL. */

export interface UsageTotals {
  jobs: number;
  succeeded: number;
  failed: number;
  notSubmitted: number;
  unknown: number;
  inFlight: number;
  /** Credits of charged jobs (before moderator refunds). */
  credits: number;
  /** Credits of jobs whose outcome is unknown: refunded to members, maybe billed upstream. */
  unknownCredits: number;
  tokens: number;
  /** Mean time from the command to the result, over succeeded jobs; null without any. */
  avgMs: number | null;
}

export interface MemberUsage {
  userId: string;
  jobs: number;
  credits: number;
}

export interface SpendTotals {
  credits: number;
  tokens: number;
  unknownJobs: number;
}

const CHARGED = sqlList(CHARGED_STATES);
const FAILED = sqlList(['failed', 'canceled', 'expired', 'timed_out']);

const totalsSelect = `
  SELECT COUNT(*) AS jobs,
    COALESCE(SUM(state = 'succeeded'), 0) AS succeeded,
    COALESCE(SUM(state IN (${FAILED})), 0) AS failed,
    COALESCE(SUM(state = 'not_submitted'), 0) AS notSubmitted,
    COALESCE(SUM(state = 'outcome_unknown'), 0) AS unknown,
    COALESCE(SUM(state IN (${sqlList(IN_FLIGHT_STATES)})), 0) AS inFlight,
    COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits,
    COALESCE(SUM(CASE WHEN state = 'outcome_unknown' THEN cost ELSE 0 END), 0) AS unknownCredits,
    COALESCE(SUM(total_tokens), 0) AS tokens,
    AVG(CASE WHEN state = 'succeeded' AND finished_at IS NOT NULL THEN finished_at - created_at END) AS avgMs
  FROM jobs`;

export interface ExportRow {
  job: Job;
  refundedCredits: number | null;
  refundedBy: string | null;
}

export class QuotaReports {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      guildTotals: db.prepare(`${totalsSelect} WHERE guild_id = @guildId AND created_at >= @since`),
      memberTotals: db.prepare(`${totalsSelect} WHERE guild_id = @guildId AND user_id = @userId AND created_at >= @since`),
      top: db.prepare(`
        SELECT user_id AS userId, COUNT(*) AS jobs,
          COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits
        FROM jobs WHERE guild_id = @guildId AND created_at >= @since
        GROUP BY user_id ORDER BY credits DESC, jobs DESC, user_id LIMIT @limit`),
      memberJobs: db.prepare(`
        SELECT * FROM jobs WHERE guild_id = @guildId AND user_id = @userId AND created_at >= @since
        ORDER BY created_at DESC, id DESC LIMIT @limit`),
      returned: db.prepare(`
        SELECT COALESCE(SUM(credits), 0) FROM quota_ledger WHERE guild_id = @guildId AND applies_at >= @since`),
      guildSpend: db.prepare(`
        SELECT COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits,
          COALESCE(SUM(total_tokens), 0) AS tokens,
          COALESCE(SUM(state = 'outcome_unknown'), 0) AS unknownJobs
        FROM jobs WHERE guild_id = @guildId AND created_at >= @since`),
      allSpend: db.prepare(`
        SELECT COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits,
          COALESCE(SUM(total_tokens), 0) AS tokens,
          COALESCE(SUM(state = 'outcome_unknown'), 0) AS unknownJobs
        FROM jobs WHERE created_at >= @since`),
      exportRows: db.prepare(`
        SELECT jobs.*, l.credits AS refunded_credits, l.moderator_id AS refunded_by
        FROM jobs LEFT JOIN quota_ledger l ON l.job_id = jobs.id AND l.kind = 'refund'
        WHERE jobs.guild_id = @guildId AND jobs.created_at >= @since
        ORDER BY jobs.created_at, jobs.id`),
    };
  }

  guildTotals(guildId: string, since: number): UsageTotals {
    return this.s.guildTotals.get({ guildId, since }) as UsageTotals;
  }

  memberTotals(guildId: string, userId: string, since: number): UsageTotals {
    return this.s.memberTotals.get({ guildId, userId, since }) as UsageTotals;
  }

  topMembers(guildId: string, since: number, limit = 5): MemberUsage[] {
    return this.s.top.all({ guildId, since, limit }) as MemberUsage[];
  }

  memberJobs(guildId: string, userId: string, since: number, limit = 10): Job[] {
    return (this.s.memberJobs.all({ guildId, userId, since, limit }) as Parameters<typeof toJob>[0][]).map(toJob);
  }

  /** Credits given back to members of the server (grants, resets, moderator refunds) since `since`. */
  returned(guildId: string, since: number): number {
    return this.s.returned.pluck().get({ guildId, since }) as number;
  }

  spend(guildId: string | null, since: number): SpendTotals {
    return (guildId === null ? this.s.allSpend.get({ since }) : this.s.guildSpend.get({ guildId, since })) as SpendTotals;
  }

  *exportRows(guildId: string, since: number): Generator<ExportRow> {
    for (const r of this.s.exportRows.iterate({ guildId, since }) as Iterable<
      Parameters<typeof toJob>[0] & { refunded_credits: number | null; refunded_by: string | null }
    >) {
      yield { job: toJob(r), refundedCredits: r.refunded_credits, refundedBy: r.refunded_by };
    }
  }
}

// --- CSV (RFC 4180) ---

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

export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
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
    const charged = (CHARGED_STATES as readonly string[]).includes(job.state) ? job.cost : 0;
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
