import type { Db } from './db.js';
import { toJob, type JobRow } from './job-rows.js';
import type { Job } from '../domain/job.js';
import { sqlList } from './sql.js';
import { CHARGED_STATES, FAILED_STATES, IN_FLIGHT_STATES } from '../domain/job.js';

/** Read-only aggregates over jobs and the ledger for /model3d-admin usage, balance and export. All filtering is done in SQL. */

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
const FAILED = sqlList(FAILED_STATES);

const count = (cond: string) => `COALESCE(SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;

const totalsSelect = `
  SELECT COUNT(*) AS jobs,
    ${count(`state = 'succeeded'`)} AS succeeded,
    ${count(`state IN (${FAILED})`)} AS failed,
    ${count(`state = 'not_submitted'`)} AS "notSubmitted",
    ${count(`state = 'outcome_unknown'`)} AS unknown,
    ${count(`state IN (${sqlList(IN_FLIGHT_STATES)})`)} AS "inFlight",
    COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits,
    COALESCE(SUM(CASE WHEN state = 'outcome_unknown' THEN cost ELSE 0 END), 0) AS "unknownCredits",
    COALESCE(SUM(total_tokens), 0) AS tokens,
    AVG(CASE WHEN state = 'succeeded' AND finished_at IS NOT NULL THEN finished_at - created_at END) AS "avgMs"
  FROM jobs`;

const spendSelect = `
  SELECT COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits,
    COALESCE(SUM(total_tokens), 0) AS tokens,
    ${count(`state = 'outcome_unknown'`)} AS "unknownJobs"
  FROM jobs`;

export interface ExportRow {
  job: Job;
  refundedCredits: number | null;
  refundedBy: string | null;
}

export class ReportStore {
  private readonly q = {
    guildTotals: `${totalsSelect} WHERE guild_id = @guildId AND created_at >= @since`,
    memberTotals: `${totalsSelect} WHERE guild_id = @guildId AND user_id = @userId AND created_at >= @since`,
    top: `
      SELECT user_id AS "userId", COUNT(*) AS jobs,
        COALESCE(SUM(CASE WHEN state IN (${CHARGED}) THEN cost ELSE 0 END), 0) AS credits
      FROM jobs WHERE guild_id = @guildId AND created_at >= @since
      GROUP BY user_id ORDER BY credits DESC, jobs DESC, user_id LIMIT @limit`,
    memberJobs: `
      SELECT * FROM jobs WHERE guild_id = @guildId AND user_id = @userId AND created_at >= @since
      ORDER BY created_at DESC, id DESC LIMIT @limit`,
    returned: `SELECT COALESCE(SUM(credits), 0) AS n FROM quota_ledger WHERE guild_id = @guildId AND applies_at >= @since`,
    guildSpend: `${spendSelect} WHERE guild_id = @guildId AND created_at >= @since`,
    allSpend: `${spendSelect} WHERE created_at >= @since`,
    exportRows: `
      SELECT jobs.*, l.credits AS refunded_credits, l.moderator_id AS refunded_by
      FROM jobs LEFT JOIN quota_ledger l ON l.job_id = jobs.id AND l.kind = 'refund'
      WHERE jobs.guild_id = @guildId AND jobs.created_at >= @since
      ORDER BY jobs.created_at, jobs.id`,
  };

  constructor(private readonly db: Db) {}

  async guildTotals(guildId: string, since: number): Promise<UsageTotals> {
    return (await this.db.get<UsageTotals>(this.q.guildTotals, { guildId, since }))!;
  }

  async memberTotals(guildId: string, userId: string, since: number): Promise<UsageTotals> {
    return (await this.db.get<UsageTotals>(this.q.memberTotals, { guildId, userId, since }))!;
  }

  topMembers(guildId: string, since: number, limit = 5): Promise<MemberUsage[]> {
    return this.db.all<MemberUsage>(this.q.top, { guildId, since, limit });
  }

  async memberJobs(guildId: string, userId: string, since: number, limit = 10): Promise<Job[]> {
    return (await this.db.all<JobRow>(this.q.memberJobs, { guildId, userId, since, limit })).map(toJob);
  }

  /** Credits given back to members of the server (grants, resets, moderator refunds) since `since`. */
  async returned(guildId: string, since: number): Promise<number> {
    return (await this.db.get<{ n: number }>(this.q.returned, { guildId, since }))?.n ?? 0;
  }

  async spend(guildId: string | null, since: number): Promise<SpendTotals> {
    const row = guildId === null
      ? await this.db.get<SpendTotals>(this.q.allSpend, { since })
      : await this.db.get<SpendTotals>(this.q.guildSpend, { guildId, since });
    return row!;
  }

  async exportRows(guildId: string, since: number): Promise<ExportRow[]> {
    const rows = await this.db.all<JobRow & { refunded_credits: number | null; refunded_by: string | null }>(this.q.exportRows, {
      guildId,
      since,
    });
    return rows.map((r) => ({ job: toJob(r), refundedCredits: r.refunded_credits, refundedBy: r.refunded_by }));
  }
}
