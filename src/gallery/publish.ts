import { readFile } from 'node:fs/promises';
import {
  ChannelType,
  ComponentType,
  DiscordAPIError,
  PermissionFlagsBits,
  Routes,
  type APIEmbed,
  type Client,
  type RawFile,
  type REST,
} from 'discord.js';
import type { Job } from '../domain/job.js';
import type { GalleryPost, GalleryStore } from '../store/gallery.js';
import type { Stores } from '../store/stores.js';
import type { JobEvents } from '../jobs/events.js';
import type { Logger } from '../log/index.js';
import { embedTitle } from '../discord/render.js';
import { t } from '../i18n/index.js';
import { jumpLink, viewerLink } from '../discord/links.js';
import { viewerButton } from '../discord/model-text.js';
import { galleryFiles } from './files.js';

export type GalleryRest = Pick<REST, 'get' | 'post' | 'patch' | 'delete'>;

/** Permissions the bot needs where it posts, by the name Discord shows. */
const NEEDED = [
  ['ViewChannel', PermissionFlagsBits.ViewChannel],
  ['SendMessages', PermissionFlagsBits.SendMessages],
  ['EmbedLinks', PermissionFlagsBits.EmbedLinks],
  ['AttachFiles', PermissionFlagsBits.AttachFiles],
] as const;
export type PermissionName = (typeof NEEDED)[number][0];

export type ShareOutcome =
  | { kind: 'posted'; post: GalleryPost; link: string }
  | { kind: 'already'; post: GalleryPost; link: string | null }
  | { kind: 'off' }
  | { kind: 'noModel' }
  | { kind: 'missingPermission'; channelId: string; permission: PermissionName }
  | { kind: 'failed' };

/** A forum tag as Discord returns it. */
interface ForumTag {
  id: string;
  name: string;
}
interface ChannelInfo {
  id: string;
  type: number;
  available_tags?: ForumTag[];
}

/** Tag names are shared by the whole forum, so they stay in one language. */
const TAG_NAMES = { standard: 'Standard', detailed: 'Detailed' } as const;
const POST_NAME_MAX = 100;
/** `mode: all` catches up on jobs it missed (the bot was stopped) for this long. */
const CATCH_UP_MS = 24 * 3600_000;
/** A claim still `posting` after this long is not in flight any more (REST gives up well before). */
const STALE_CLAIM_MS = 2 * 60_000;
/** Forum posts of the bot looked at when settling a claim (newest first). */
const SETTLE_THREADS = 25;

interface MessageInfo {
  id: string;
  author?: { id: string };
  embeds?: Array<{ footer?: { text?: string } }>;
}
interface ThreadInfo {
  id: string;
  parent_id?: string | null;
  owner_id?: string;
}

/** The job a gallery message shows, from its footer ("Job #12"). */
function footerJobId(msg: MessageInfo): number | null {
  const m = /#(\d+)$/.exec(msg.embeds?.[0]?.footer?.text ?? '');
  return m ? Number(m[1]) : null;
}

/** What the gallery reads, follows and posts with; Services fits. */
export interface GalleryDeps {
  stores: Pick<Stores, 'jobs' | 'gallery'>;
  events: JobEvents;
  log: Logger;
  clock: () => number;
  client: Pick<Client, 'rest' | 'channels' | 'user'>;
  /** PUBLIC_URL: posts link to the model's viewer page. */
  publicUrl?: string | null;
}

function postLink(post: GalleryPost): string | null {
  if (!post.messageId) return null;
  return post.threadId
    ? `https://discord.com/channels/${post.guildId}/${post.threadId}`
    : `https://discord.com/channels/${post.guildId}/${post.channelId}/${post.messageId}`;
}

function code(err: unknown): number | null {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : null;
}

/**
 * The community gallery: one post per shared model, in a forum (a post each, tagged with the
 * quality) or a text channel (a message each). A job is claimed in SQLite before anything is
 * posted, so no double press, second process or restart posts it twice.
 */
export class Gallery {
  private readonly store: GalleryStore;
  private readonly rest: GalleryRest;
  private readonly listener = (job: Job) => this.onChanged(job);
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly s: GalleryDeps,
    options: { rest?: GalleryRest } = {},
  ) {
    this.store = s.stores.gallery;
    this.rest = options.rest ?? s.client.rest;
  }

  /** `mode: all`: post every job that succeeds. */
  attach(): void {
    this.s.events.on('changed', this.listener);
  }

  detach(): void {
    this.s.events.off('changed', this.listener);
  }

  /** Resolves when every post started by the listener is done (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** Whether a result should offer "Share to gallery": an opt-in gallery, and the job not shared yet. */
  async offerShare(job: Job): Promise<boolean> {
    if (!job.guildId || job.state !== 'succeeded') return false;
    return (await this.store.settings(job.guildId))?.mode === 'opt-in' && (await this.store.post(job.id)) === undefined;
  }

  private onChanged(job: Job): void {
    // A model being processed has no GLB to post yet, nor its turntable or viewer page: it is posted
    // when processing ends (that emits 'changed' again).
    if (job.state !== 'succeeded' || !job.guildId || job.processingState === 'pending') return;
    const guildId = job.guildId;
    this.track(
      (async () => {
        if ((await this.store.settings(guildId))?.mode !== 'all') return;
        this.logSkipped(job, await this.share(job));
      })(),
    );
  }

  private logSkipped(job: Job, o: ShareOutcome): void {
    if (o.kind === 'posted' || o.kind === 'already') return;
    // Nobody pressed anything, so nobody is waiting for an answer: the log is where moderators look.
    this.s.log.warn({ jobId: job.id, guildId: job.guildId, outcome: o }, 'model not posted to the gallery');
  }

  private track(p: Promise<unknown>): void {
    const done = p
      .catch((err: unknown) => this.s.log.warn({ err }, 'gallery post failed'))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /**
   * At start-up: settles claims a stopped process left behind, then posts what `mode: all` missed
   * (including those claims that never reached Discord).
   */
  async catchUp(): Promise<void> {
    const now = this.s.clock();
    const stale = await this.store.stalePosts(now - STALE_CLAIM_MS, 50);
    for (const post of stale) {
      const job = await this.s.stores.jobs.get(post.jobId);
      if (job && (await this.settle(post, job)) === 'failed' && (await this.store.settings(post.guildId))?.mode === 'all') {
        this.track(this.share(job).then((o) => this.logSkipped(job, o)));
      }
    }
    const unposted = await this.store.unpostedJobs(now - CATCH_UP_MS, 50);
    for (const job of unposted) this.track(this.share(job).then((o) => this.logSkipped(job, o)));
    // Every claim and missed post is decided (the posts themselves may still be on their way).
    this.s.log.info({ staleClaims: stale.length, unposted: unposted.length }, 'gallery catch-up decided');
  }

  /**
   * Decides a claim whose post never reported back (the process died, or the answer was lost): the
   * bot's post with the job's footer is looked for where it would be; found, the claim is posted,
   * else failed, so that the model can be shared after all. Unknown (left as it is) if Discord
   * cannot be asked.
   */
  async settle(post: GalleryPost, job: Job): Promise<'posted' | 'failed' | 'unknown'> {
    const me = this.s.client.user?.id;
    if (!me || post.state !== 'posting') return 'unknown';
    const ours = (m: MessageInfo) => m.author?.id === me && footerJobId(m) === job.id;
    try {
      const channel = (await this.rest.get(Routes.channel(post.channelId))) as ChannelInfo;
      let where: { threadId: string | null; messageId: string } | null = null;
      if (channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia) {
        const { threads } = (await this.rest.get(Routes.guildActiveThreads(post.guildId))) as { threads: ThreadInfo[] };
        const candidates = threads
          .filter((th) => th.parent_id === post.channelId && th.owner_id === me)
          .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
          .slice(0, SETTLE_THREADS);
        for (const th of candidates) {
          // A forum post's first message has the post's id.
          const first = (await this.rest.get(Routes.channelMessage(th.id, th.id)).catch(() => null)) as MessageInfo | null;
          if (first && ours(first)) {
            where = { threadId: th.id, messageId: first.id };
            break;
          }
        }
      } else {
        const recent = (await this.rest.get(Routes.channelMessages(post.channelId), { query: new URLSearchParams({ limit: '100' }) })) as MessageInfo[];
        const found = recent.find(ours);
        if (found) where = { threadId: null, messageId: found.id };
      }
      const at = this.s.clock();
      if (where) await this.store.markPosted(job.id, where, at);
      else await this.store.markFailed(job.id, at);
      this.s.log.info({ jobId: job.id, channelId: post.channelId, found: where !== null }, 'gallery claim settled');
      return where ? 'posted' : 'failed';
    } catch (err) {
      this.s.log.warn({ jobId: job.id, channelId: post.channelId, err }, 'gallery claim could not be settled');
      return 'unknown';
    }
  }

  /** Posts one finished job to its server's gallery, at most once. */
  async share(job: Job): Promise<ShareOutcome> {
    const ctx = { jobId: job.id, guildId: job.guildId };
    if (!job.guildId) return { kind: 'off' };
    const settings = await this.store.settings(job.guildId);
    if (!settings) return { kind: 'off' };
    let existing = await this.store.post(job.id);
    if (existing?.state === 'posting' && existing.updatedAt < this.s.clock() - STALE_CLAIM_MS) {
      await this.settle(existing, job);
      existing = await this.store.post(job.id);
    }
    if (existing && existing.state !== 'failed') return { kind: 'already', post: existing, link: postLink(existing) };
    const files = galleryFiles(job);
    if (!files.model) return { kind: 'noModel' };
    const channelId = settings.channelId;
    const missing = this.missingPermission(channelId);
    if (missing) return { kind: 'missingPermission', channelId, permission: missing };

    const claim = await this.store.claim(job.id, job.guildId, channelId, this.s.clock());
    if (!claim) {
      const post = (await this.store.post(job.id))!;
      return { kind: 'already', post, link: postLink(post) };
    }
    try {
      const channel = (await this.rest.get(Routes.channel(channelId))) as ChannelInfo;
      const forum = channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia;
      const { message, raw } = await this.message(job, files);
      let where: { threadId: string | null; messageId: string };
      if (forum) {
        const tag = await this.qualityTag(channel, job).catch((err: unknown) => {
          this.s.log.info({ ...ctx, err }, 'no quality tag; posting without tags');
          return null;
        });
        const thread = (await this.rest.post(Routes.threads(channelId), {
          body: { name: this.postName(job), message, ...(tag ? { applied_tags: [tag] } : {}) },
          files: raw,
        })) as { id: string; message?: { id: string } };
        // A forum post's first message has the post's id.
        where = { threadId: thread.id, messageId: thread.message?.id ?? thread.id };
      } else {
        const msg = (await this.rest.post(Routes.channelMessages(channelId), { body: message, files: raw })) as { id: string };
        where = { threadId: null, messageId: msg.id };
      }
      if (!(await this.store.markPosted(job.id, where, this.s.clock()))) {
        // Deleted or refunded while the post was being made (remove() found it `posting`): take it down now.
        const gone = await this.takeDown({ channelId, ...where }, job.id);
        this.s.log.info({ ...ctx, channelId, ...where, removed: gone }, 'gallery post removed: the result was deleted while it was being made');
        const post = (await this.store.post(job.id))!;
        return { kind: 'already', post, link: null };
      }
      const post = (await this.store.post(job.id))!;
      this.s.log.info({ ...ctx, channelId, ...where }, 'shared to the gallery');
      return { kind: 'posted', post, link: postLink(post)! };
    } catch (err) {
      const c = code(err);
      if (c === 50013 || c === 50001 || c === 10003) {
        // Nothing was posted: the claim may be made again once the moderators fix the channel.
        await this.store.markFailed(job.id, this.s.clock());
        this.s.log.warn({ ...ctx, channelId, code: c }, 'gallery channel refused the post');
        if (c === 10003) return { kind: 'failed' };
        return { kind: 'missingPermission', channelId, permission: c === 50001 ? 'ViewChannel' : 'SendMessages' };
      }
      if (err instanceof DiscordAPIError && err.status >= 400 && err.status < 500) await this.store.markFailed(job.id, this.s.clock());
      // Otherwise (network, 5xx) the post may exist: the claim stays so that it never appears twice.
      this.s.log.error({ ...ctx, channelId, err }, 'gallery post failed');
      return { kind: 'failed' };
    }
  }

  /** Takes a job's gallery post down (the result was deleted or removed by a moderator). */
  async remove(jobId: number): Promise<boolean> {
    let post = await this.store.post(jobId);
    // Still being made: share() takes it down when it lands (unless it landed just now: then below).
    if (post?.state === 'posting') {
      if (await this.store.cancelPosting(jobId, this.s.clock())) {
        this.s.log.info({ jobId, channelId: post.channelId }, 'gallery post to be removed once made');
        return true;
      }
      post = await this.store.post(jobId);
    }
    if (!post || post.state !== 'posted' || !post.messageId) return false;
    if (!(await this.takeDown({ channelId: post.channelId, threadId: post.threadId, messageId: post.messageId }, jobId))) return false;
    await this.store.markRemoved(jobId, this.s.clock());
    this.s.log.info({ jobId, channelId: post.channelId, threadId: post.threadId }, 'gallery post removed');
    return true;
  }

  /** Deletes a post on Discord (a forum post's thread, or the message); true when it is gone. */
  private async takeDown(where: { channelId: string; threadId: string | null; messageId: string }, jobId: number): Promise<boolean> {
    const route = where.threadId ? Routes.channel(where.threadId) : Routes.channelMessage(where.channelId, where.messageId);
    try {
      await this.rest.delete(route);
      return true;
    } catch (err) {
      const c = code(err);
      if (c === 10003 || c === 10008) return true;
      this.s.log.warn({ jobId, err }, 'gallery post could not be removed');
      return false;
    }
  }

  /** The first permission the bot lacks in the channel, from the gateway's cache; null when it has them all (or cannot tell). */
  missingPermission(channelId: string): PermissionName | null {
    const channel = this.s.client.channels?.cache.get(channelId);
    const me = this.s.client.user;
    if (!channel || !me || !('permissionsFor' in channel)) return null;
    const perms = channel.permissionsFor(me.id);
    if (!perms) return null;
    for (const [name, bit] of NEEDED) if (!perms.has(bit)) return name;
    return null;
  }

  /** Whether the bot may add tags to the forum (Manage Channels there). */
  private mayManageTags(channelId: string): boolean {
    const channel = this.s.client.channels?.cache.get(channelId);
    const me = this.s.client.user;
    if (!channel || !me || !('permissionsFor' in channel)) return false;
    return channel.permissionsFor(me.id)?.has(PermissionFlagsBits.ManageChannels) === true;
  }

  /** The forum's tag for the job's quality, created when missing and the bot may; null otherwise. */
  private async qualityTag(channel: ChannelInfo, job: Job): Promise<string | null> {
    const name = TAG_NAMES[job.quality];
    const tags = channel.available_tags ?? [];
    const found = tags.find((tg) => tg.name.toLowerCase() === name.toLowerCase());
    if (found) return found.id;
    if (!this.mayManageTags(channel.id)) return null;
    const updated = (await this.rest.patch(Routes.channel(channel.id), {
      body: { available_tags: [...tags, { name }] },
    })) as ChannelInfo;
    return updated.available_tags?.find((tg) => tg.name === name)?.id ?? null;
  }

  private postName(job: Job): string {
    const name = job.title ?? t(job.locale, 'gallery.postName', { name: job.requesterName ?? `#${job.id}` });
    return [...name].slice(0, POST_NAME_MAX).join('');
  }

  private async message(job: Job, files: ReturnType<typeof galleryFiles>) {
    const L = job.locale;
    const attach = [files.image, files.model].filter((f): f is NonNullable<typeof f> => f !== null);
    const raw: RawFile[] = await Promise.all(attach.map(async (f) => ({ name: f.name, data: await readFile(f.path) })));
    const link = jumpLink(job);
    const viewer = viewerLink(job, this.s.publicUrl);
    const quality = t(L, job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard');
    const embed: APIEmbed = {
      title: embedTitle(job),
      color: 0x57f287,
      fields: [
        { name: t(L, 'gallery.field.quality'), value: quality, inline: true },
        { name: t(L, 'gallery.field.by'), value: `<@${job.userId}>`, inline: true },
      ],
      timestamp: new Date(job.finishedAt ?? job.createdAt).toISOString(),
    };
    if (link) {
      embed.url = link;
      embed.fields!.push({ name: t(L, 'gallery.field.original'), value: `[${t(L, 'gallery.jump')}](${link})`, inline: true });
    }
    if (files.stats) embed.fields!.push({ name: t(L, 'gallery.field.stats'), value: files.stats });
    if (files.image) embed.image = { url: `attachment://${files.image.name}` };
    // Also how a claim cut short by a crash finds its post again (settle).
    embed.footer = { text: t(L, 'gallery.footer', { id: job.id }) };
    return {
      raw,
      message: {
        content: `<@${job.userId}>`,
        embeds: [embed],
        // The requester is named, never pinged.
        allowed_mentions: { parse: [] },
        attachments: attach.map((f, i) => ({ id: i, filename: f.name })),
        ...(viewer ? { components: [{ type: ComponentType.ActionRow, components: [viewerButton(viewer, L)] }] } : {}),
      },
    };
  }
}
