import type { Db } from './db.js';
import { toJob, type JobRow } from './job-rows.js';
import type { Job } from '../domain/job.js';

/** One of a member's jobs as /model3d-history shows it. */
export interface HistoryEntry {
  job: Job;
  /** The result was removed ("Remove result and refund", or its Delete button): it must not be shown or re-sent. */
  removed: boolean;
}

/** Where the history is asked from: a server, or direct messages (guildId null). */
export interface HistoryScope {
  userId: string;
  guildId: string | null;
}

/** A moderator's removal is the job's `refund` ledger entry; a Delete press sets deleted_at. */
const REMOVED = `CASE WHEN jobs.deleted_at IS NOT NULL
  OR EXISTS (SELECT 1 FROM quota_ledger l WHERE l.job_id = jobs.id AND l.kind = 'refund') THEN 1 ELSE 0 END AS removed`;

/** Read-only queries over the jobs table for a member's own history. */
export class HistoryStore {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      // jobs_user (user_id, created_at) walked backwards. On SQLite `+guild_id` keeps the planner off
      // jobs_guild, which would visit every job of the server; `IS` matches NULL for direct messages.
      recent: `
        SELECT jobs.*, ${REMOVED} FROM jobs
        WHERE user_id = @userId AND ${
          db.dialect === 'postgres' ? 'guild_id IS NOT DISTINCT FROM CAST(@guildId AS TEXT)' : '+guild_id IS @guildId'
        }
        ORDER BY created_at DESC, id DESC LIMIT @limit`,
      own: `SELECT jobs.*, ${REMOVED} FROM jobs WHERE id = @id AND user_id = @userId`,
      inChannel: `SELECT jobs.*, ${REMOVED} FROM jobs WHERE id = @id AND channel_id = @channelId`,
    };
  }

  /** The SQL of `recent`, for plan tests. */
  get recentSql(): string {
    return this.q.recent;
  }

  /** The member's most recent jobs in this scope, newest first. */
  async recent(scope: HistoryScope, limit: number): Promise<HistoryEntry[]> {
    const rows = await this.db.all<JobRow & { removed: number }>(this.q.recent, { userId: scope.userId, guildId: scope.guildId, limit });
    return rows.map(toEntry);
  }

  /** One job, only if it belongs to `userId`; anyone else's job is indistinguishable from a missing one. */
  async ownJob(userId: string, id: number): Promise<HistoryEntry | undefined> {
    const row = await this.db.get<JobRow & { removed: number }>(this.q.own, { id, userId });
    return row && toEntry(row);
  }

  /** A job whose result was posted in `channelId`: anyone who sees that message may get its files. */
  async sharedJob(channelId: string, id: number): Promise<HistoryEntry | undefined> {
    const row = await this.db.get<JobRow & { removed: number }>(this.q.inChannel, { id, channelId });
    return row && toEntry(row);
  }
}

function toEntry(row: JobRow & { removed: number }): HistoryEntry {
  return { job: toJob(row), removed: row.removed === 1 };
}
