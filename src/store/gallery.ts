import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';
import { toJob, type JobRow } from './job-rows.js';
import type { Job } from '../domain/job.js';

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
  updatedAt: number;
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
  updated_at: number;
}

const toPost = (r: PostRow): GalleryPost => ({
  jobId: r.job_id,
  guildId: r.guild_id,
  channelId: r.channel_id,
  threadId: r.thread_id,
  messageId: r.message_id,
  state: r.state,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The community gallery's settings per server and the one post each shared job has. */
export class GalleryStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const d = sqlDialect(db.dialect);
    this.q = {
      settings: 'SELECT * FROM gallery_settings WHERE guild_id = @guildId',
      set: `
        INSERT INTO gallery_settings (guild_id, channel_id, mode, set_at, set_by)
        VALUES (@guildId, @channelId, @mode, @at, @by)
        ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, mode = excluded.mode,
          set_at = excluded.set_at, set_by = excluded.set_by`,
      off: 'DELETE FROM gallery_settings WHERE guild_id = @guildId',
      // An upsert on the primary key: of two claims (two presses, two processes), one wins.
      claim: `
        INSERT INTO gallery_posts (job_id, guild_id, channel_id, state, created_at, updated_at)
        VALUES (@jobId, @guildId, @channelId, 'posting', @at, @at)
        ON CONFLICT (job_id) DO UPDATE SET channel_id = excluded.channel_id, state = 'posting',
          updated_at = excluded.updated_at
        WHERE gallery_posts.state = 'failed'
        RETURNING *`,
      posted: `
        UPDATE gallery_posts SET state = 'posted', thread_id = @threadId, message_id = @messageId, updated_at = @at
        WHERE job_id = @jobId AND state = 'posting'`,
      failed: `UPDATE gallery_posts SET state = 'failed', updated_at = @at WHERE job_id = @jobId AND state = 'posting'`,
      removed: `UPDATE gallery_posts SET state = 'removed', updated_at = @at WHERE job_id = @jobId AND state = 'posted'`,
      cancelPosting: `UPDATE gallery_posts SET state = 'removed', updated_at = @at WHERE job_id = @jobId AND state = 'posting'`,
      post: 'SELECT * FROM gallery_posts WHERE job_id = @jobId',
      // Claims older than any post takes: the process that made them died, or never heard back.
      stale: `SELECT * FROM gallery_posts WHERE state = 'posting' AND updated_at < @before ORDER BY updated_at LIMIT @limit`,
      // Jobs that `mode: all` should have posted but did not (the bot stopped in between).
      unposted: `
        SELECT jobs.* FROM jobs JOIN gallery_settings g ON g.guild_id = jobs.guild_id
        WHERE g.mode = 'all' AND jobs.state = 'succeeded' AND jobs.deleted_at IS NULL
          AND (jobs.processing_state IS NULL OR jobs.processing_state <> 'pending')
          AND jobs.finished_at >= ${d.greatest('g.set_at', 'CAST(@since AS BIGINT)')}
          AND NOT EXISTS (SELECT 1 FROM gallery_posts p WHERE p.job_id = jobs.id)
          AND NOT EXISTS (SELECT 1 FROM quota_ledger l WHERE l.job_id = jobs.id AND l.kind = 'refund')
        ORDER BY jobs.finished_at LIMIT @limit`,
    };
  }

  async settings(guildId: string): Promise<GallerySettings | undefined> {
    const r = await this.db.get<SettingsRow>(this.q.settings, { guildId });
    return r && { guildId: r.guild_id, channelId: r.channel_id, mode: r.mode, setAt: r.set_at, setBy: r.set_by };
  }

  async set(guildId: string, channelId: string, mode: GalleryMode, by: string, at: number): Promise<void> {
    await this.db.run(this.q.set, { guildId, channelId, mode, by, at });
  }

  /** Returns whether a gallery was set. */
  async off(guildId: string): Promise<boolean> {
    return (await this.db.run(this.q.off, { guildId })) > 0;
  }

  /**
   * Claims the right to post this job, once. Undefined when it is already posted, being posted
   * or removed. Only a post that failed before reaching Discord may be claimed again (a claim left
   * by a process that died is first settled against Discord: see Gallery.settle).
   */
  async claim(jobId: number, guildId: string, channelId: string, at: number): Promise<GalleryPost | undefined> {
    const r = await this.db.get<PostRow>(this.q.claim, { jobId, guildId, channelId, at });
    return r && toPost(r);
  }

  /** False when the claim is no longer `posting`: the result was deleted while its post was being made. */
  async markPosted(jobId: number, where: { threadId: string | null; messageId: string }, at: number): Promise<boolean> {
    return (await this.db.run(this.q.posted, { jobId, ...where, at })) > 0;
  }

  /**
   * A post still being made is to come down once it lands (Gallery.share checks with markPosted).
   * One of this and markPosted wins, atomically. Returns whether the claim was `posting`.
   */
  async cancelPosting(jobId: number, at: number): Promise<boolean> {
    return (await this.db.run(this.q.cancelPosting, { jobId, at })) > 0;
  }

  async markFailed(jobId: number, at: number): Promise<void> {
    await this.db.run(this.q.failed, { jobId, at });
  }

  async markRemoved(jobId: number, at: number): Promise<boolean> {
    return (await this.db.run(this.q.removed, { jobId, at })) > 0;
  }

  async post(jobId: number): Promise<GalleryPost | undefined> {
    const r = await this.db.get<PostRow>(this.q.post, { jobId });
    return r && toPost(r);
  }

  /** Claims still `posting` since before `before`, oldest first. */
  async stalePosts(before: number, limit: number): Promise<GalleryPost[]> {
    return (await this.db.all<PostRow>(this.q.stale, { before, limit })).map(toPost);
  }

  async unpostedJobs(since: number, limit: number): Promise<Job[]> {
    return (await this.db.all<JobRow>(this.q.unposted, { since, limit })).map(toJob);
  }
}
