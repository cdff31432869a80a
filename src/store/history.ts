import type { Db } from './db.js';
import { toJob, type Job } from './jobs.js';

type JobRow = Parameters<typeof toJob>[0];

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
const REMOVED = `(jobs.deleted_at IS NOT NULL
  OR EXISTS (SELECT 1 FROM quota_ledger l WHERE l.job_id = jobs.id AND l.kind = 'refund')) AS removed`;

/** Read-only queries over the jobs table for a member's own history. */
export class HistoryStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      // jobs_user (user_id, created_at) walked backwards; `+guild_id` keeps the planner off jobs_guild,
      // which would visit every job of the server. `IS` matches NULL for direct messages.
      recent: db.prepare(`
        SELECT jobs.*, ${REMOVED} FROM jobs
        WHERE user_id = @userId AND +guild_id IS @guildId
        ORDER BY created_at DESC, id DESC LIMIT @limit`),
      own: db.prepare(`SELECT jobs.*, ${REMOVED} FROM jobs WHERE id = @id AND user_id = @userId`),
      inChannel: db.prepare(`SELECT jobs.*, ${REMOVED} FROM jobs WHERE id = @id AND channel_id = @channelId`),
    };
  }

  /** The member's most recent jobs in this scope, newest first. */
  recent(scope: HistoryScope, limit: number): HistoryEntry[] {
    const rows = this.s.recent.all({ userId: scope.userId, guildId: scope.guildId, limit }) as (JobRow & { removed: number })[];
    return rows.map(toEntry);
  }

  /** One job, only if it belongs to `userId`; anyone else's job is indistinguishable from a missing one. */
  ownJob(userId: string, id: number): HistoryEntry | undefined {
    const row = this.s.own.get({ id, userId }) as (JobRow & { removed: number }) | undefined;
    return row && toEntry(row);
  }

  /** A job whose result was posted in `channelId`: anyone who sees that message may get its files. */
  sharedJob(channelId: string, id: number): HistoryEntry | undefined {
    const row = this.s.inChannel.get({ id, channelId }) as (JobRow & { removed: number }) | undefined;
    return row && toEntry(row);
  }
}

function toEntry(row: JobRow & { removed: number }): HistoryEntry {
  return { job: toJob(row), removed: row.removed === 1 };
}

const stores = new WeakMap<Db, HistoryStore>();

/** One store (and one set of prepared statements) per database connection. */
export function historyStore(db: Db): HistoryStore {
  let store = stores.get(db);
  if (!store) {
    store = new HistoryStore(db);
    stores.set(db, store);
  }
  return store;
}
