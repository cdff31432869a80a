import type { Db } from './db.js';
import { toJob, type Job } from './jobs.js';

export type GalleryMode = 'opt-in' | 'all';

export interface GallerySettings {
  guildId: string;
  channelId: string;
  mode: GalleryMode;
  setAt: number;
  setBy: string;
}

/** `posting`: claimed, the post may be in flight; `failed`: nothing was posted; `removed`: taken down. */
export type GalleryPostState = 'posting' | 'posted' | 'failed' | 'removed';

export interface GalleryPost {
  jobId: number;
  guildId: string;
  channelId: string;
  /** The forum post (a thread) when the gallery is a forum; deleting it removes the post. */
  threadId: string | null;
  messageId: string | null;
  state: GalleryPostState;
  createdAt: number;
}

interface SettingsRow {
  guild_id: string;
  channel_id: string;
  mode: GalleryMode;
  set_at: number;
  set_by: string;
}

interface PostRow {
  job_id: number;
  guild_id: string;
  channel_id: string;
  thread_id: string | null;
  message_id: string | null;
  state: GalleryPostState;
  created_at: number;
}

const toPost = (r: PostRow): GalleryPost => ({
  jobId: r.job_id,
  guildId: r.guild_id,
  channelId: r.channel_id,
  threadId: r.thread_id,
  messageId: r.message_id,
  state: r.state,
  createdAt: r.created_at,
});

/** The community gallery's settings per server and the one post each shared job has. */
export class GalleryStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      settings: db.prepare('SELECT * FROM gallery_settings WHERE guild_id = ?'),
      set: db.prepare(`
        INSERT INTO gallery_settings (guild_id, channel_id, mode, set_at, set_by)
        VALUES (@guildId, @channelId, @mode, @at, @by)
        ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, mode = excluded.mode,
          set_at = excluded.set_at, set_by = excluded.set_by`),
      off: db.prepare('DELETE FROM gallery_settings WHERE guild_id = ?'),
      // INSERT OR IGNORE on the primary key: of two claims (two presses, two processes), one wins.
      claim: db.prepare(`
        INSERT INTO gallery_posts (job_id, guild_id, channel_id, state, created_at, updated_at)
        VALUES (@jobId, @guildId, @channelId, 'posting', @at, @at)
        ON CONFLICT (job_id) DO UPDATE SET channel_id = excluded.channel_id, state = 'posting',
          updated_at = excluded.updated_at
        WHERE gallery_posts.state = 'failed'
        RETURNING *`),
      posted: db.prepare(`
        UPDATE gallery_posts SET state = 'posted', thread_id = @threadId, message_id = @messageId, updated_at = @at
        WHERE job_id = @jobId AND state = 'posting'`),
      failed: db.prepare(`UPDATE gallery_posts SET state = 'failed', updated_at = @at WHERE job_id = @jobId AND state = 'posting'`),
      removed: db.prepare(`UPDATE gallery_posts SET state = 'removed', updated_at = @at WHERE job_id = @jobId AND state = 'posted'`),
      post: db.prepare('SELECT * FROM gallery_posts WHERE job_id = ?'),
      // Jobs that `mode: all` should have posted but did not (the bot stopped in between).
      unposted: db.prepare(`
        SELECT jobs.* FROM jobs JOIN gallery_settings g ON g.guild_id = jobs.guild_id
        WHERE g.mode = 'all' AND jobs.state = 'succeeded' AND jobs.deleted_at IS NULL
          AND jobs.finished_at >= MAX(g.set_at, @since)
          AND NOT EXISTS (SELECT 1 FROM gallery_posts p WHERE p.job_id = jobs.id)
          AND NOT EXISTS (SELECT 1 FROM quota_ledger l WHERE l.job_id = jobs.id AND l.kind = 'refund')
        ORDER BY jobs.finished_at LIMIT @limit`),
    };
  }

  settings(guildId: string): GallerySettings | undefined {
    const r = this.s.settings.get(guildId) as SettingsRow | undefined;
    return r && { guildId: r.guild_id, channelId: r.channel_id, mode: r.mode, setAt: r.set_at, setBy: r.set_by };
  }

  set(guildId: string, channelId: string, mode: GalleryMode, by: string, at: number): void {
    this.s.set.run({ guildId, channelId, mode, by, at });
  }

  /** Returns whether a gallery was set. */
  off(guildId: string): boolean {
    return this.s.off.run(guildId).changes > 0;
  }

  /**
   * Claims the right to post this job, once. Undefined when it is already posted, being posted
   * (perhaps by a process that died: it is not retried, so nothing can appear twice) or removed.
   * Only a post that failed before reaching Discord may be claimed again.
   */
  claim(jobId: number, guildId: string, channelId: string, at: number): GalleryPost | undefined {
    const r = this.s.claim.get({ jobId, guildId, channelId, at }) as PostRow | undefined;
    return r && toPost(r);
  }

  markPosted(jobId: number, where: { threadId: string | null; messageId: string }, at: number): void {
    this.s.posted.run({ jobId, ...where, at });
  }

  markFailed(jobId: number, at: number): void {
    this.s.failed.run({ jobId, at });
  }

  markRemoved(jobId: number, at: number): boolean {
    return this.s.removed.run({ jobId, at }).changes > 0;
  }

  post(jobId: number): GalleryPost | undefined {
    const r = this.s.post.get(jobId) as PostRow | undefined;
    return r && toPost(r);
  }

  unpostedJobs(since: number, limit: number): Job[] {
    return (this.s.unposted.all({ since, limit }) as Parameters<typeof toJob>[0][]).map(toJob);
  }
}

const stores = new WeakMap<Db, GalleryStore>();

/** One store (and one set of prepared statements) per database connection. */
export function galleryStore(db: Db): GalleryStore {
  let store = stores.get(db);
  if (!store) {
    store = new GalleryStore(db);
    stores.set(db, store);
  }
  return store;
}
