import {
  ButtonStyle,
  ComponentType,
  DiscordAPIError,
  Routes,
  type APIEmbed,
  type APIMessage,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import { t } from '../i18n/index.js';
import { lastingThumbnail } from '../discord/render.js';
import type { Services } from '../handlers/services.js';
import type { Job } from '../domain/job.js';
import { jumpLink } from '../discord/links.js';
import type { LedgerEntry } from '../store/quota.js';
import type { AuditOutbox } from '../store/outbox.js';
import type { JobEvents } from '../jobs/events.js';
import type { Logger } from '../log/index.js';

/** The REST calls the audit channel needs; discord.js's `client.rest` fits. */
export type AuditRest = Pick<REST, 'post' | 'patch' | 'delete'>;

/** Moderators read the audit channel; its text is in English until per-server locales exist. */
const AUDIT_LOCALE = 'en-US';

export const AUDIT_PREFIX = 'audit';
export const refundButtonId = (jobId: number) => `${AUDIT_PREFIX}:refund:${jobId}`;
export const blockButtonId = (userId: string) => `${AUDIT_PREFIX}:block:${userId}`;

/** Parses an audit button's custom id; null when it is not one of ours. */
export function parseAuditButton(
  customId: string,
): { action: 'refund'; jobId: number } | { action: 'block'; userId: string } | null {
  const m = /^audit:(refund|block):(\d{1,20})$/.exec(customId);
  if (!m) return null;
  if (m[1] === 'refund') {
    const jobId = Number(m[2]);
    return Number.isSafeInteger(jobId) ? { action: 'refund', jobId } : null;
  }
  return { action: 'block', userId: m[2]! };
}

const stateColour: Record<string, number> = {
  submitting: 0x95a5a6,
  queued: 0x95a5a6,
  running: 0x3498db,
  succeeded: 0x2ecc71,
  outcome_unknown: 0xf1c40f,
};

/** The compact record of one job in the audit channel: member, thumbnail, quality, state, task id, buttons. */
export function renderAuditRecord(
  job: Job,
  ctx: { refund: LedgerEntry | undefined; blocked: boolean },
): RESTPostAPIChannelMessageJSONBody {
  const L = AUDIT_LOCALE;
  const link = jumpLink(job);
  const notes: string[] = [];
  if (ctx.refund) notes.push(t(L, 'audit.refunded', { moderator: `<@${ctx.refund.moderatorId}>`, credits: ctx.refund.credits }));
  if (ctx.blocked) notes.push(t(L, 'audit.memberBlocked'));
  const embed: APIEmbed = {
    title: t(L, 'audit.title', { jobId: job.id }),
    color: stateColour[job.state] ?? 0xe74c3c,
    fields: [
      { name: t(L, 'audit.field.member'), value: `<@${job.userId}>`, inline: true },
      { name: t(L, 'audit.field.quality'), value: t(L, job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard'), inline: true },
      { name: t(L, 'audit.field.state'), value: t(L, 'audit.state', { state: job.state }), inline: true },
      { name: t(L, 'audit.field.task'), value: job.taskId ? `\`${job.taskId}\`` : t(L, 'audit.none'), inline: true },
      { name: t(L, 'audit.field.result'), value: link ?? t(L, 'audit.none'), inline: true },
    ],
    timestamp: new Date(job.createdAt).toISOString(),
  };
  if (notes.length) embed.description = notes.join('\n');
  // Moderators keep these records: no thumbnail whose link expires (uploads, Discord CDN).
  const thumbnail = lastingThumbnail(job);
  if (thumbnail) embed.thumbnail = thumbnail;
  return {
    embeds: [embed],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            custom_id: refundButtonId(job.id),
            label: t(L, 'audit.button.refund'),
            disabled: ctx.refund !== undefined,
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            custom_id: blockButtonId(job.userId),
            label: t(L, 'audit.button.block'),
            disabled: ctx.blocked,
          },
        ],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

type AuditServices = Pick<Services, 'events' | 'jobs' | 'quota' | 'log' | 'clock'> & { client?: { rest: AuditRest } };

/**
 * Follows every job through `services.events` and keeps one record per job in the server's
 * audit channel, posted on the first change seen and edited after. Changes of one job are
 * handled one at a time, always from the job's latest row. Nothing here ever throws into
 * the caller: errors are logged.
 */
export class AuditReporter {
  private readonly rest: AuditRest;
  private readonly pending = new Map<number, { dirty: boolean; run: Promise<void> }>();
  private readonly listener = (job: Job) => this.onChanged(job);
  private outboxTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly services: AuditServices,
    options: { rest?: AuditRest } = {},
  ) {
    const rest = options.rest ?? services.client?.rest;
    if (!rest) throw new Error('AuditReporter needs a REST client');
    this.rest = rest;
  }

  attach(): void {
    this.services.events.on('changed', this.listener);
  }

  detach(): void {
    this.services.events.off('changed', this.listener);
    if (this.outboxTimer) clearInterval(this.outboxTimer);
    this.outboxTimer = null;
  }

  /** Also follows the jobs that other processes changed (see `forwardAuditChanges`). */
  followOutbox(outbox: AuditOutbox, everyMs = 1000): void {
    let draining = false;
    const drain = async () => {
      if (draining) return;
      draining = true;
      try {
        for (const id of await outbox.take(100)) {
          const job = await this.services.jobs.get(id);
          if (job) this.onChanged(job);
        }
      } catch (err) {
        this.services.log.warn({ err }, 'audit outbox not read');
      } finally {
        draining = false;
      }
    };
    this.outboxTimer = setInterval(() => void drain(), everyMs);
    this.outboxTimer.unref();
    void drain();
  }

  onChanged(job: Job): void {
    try {
      if (!job.guildId) return;
      const busy = this.pending.get(job.id);
      if (busy) {
        busy.dirty = true;
        return;
      }
      const entry = { dirty: false, run: Promise.resolve() };
      this.pending.set(job.id, entry);
      entry.run = (async () => {
        do {
          entry.dirty = false;
          await this.sync(job.id).catch((err: unknown) =>
            this.services.log.warn({ err, jobId: job.id, guildId: job.guildId }, 'audit record not updated'),
          );
        } while (entry.dirty);
      })().finally(() => this.pending.delete(job.id));
    } catch (err) {
      this.services.log.warn({ err, jobId: job.id }, 'audit reporter failed');
    }
  }

  /** Resolves when every record update that has started is done (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.values()].map((p) => p.run));
  }

  /** Posts or edits the record of one job from its current row. */
  async sync(jobId: number): Promise<void> {
    const { jobs, quota } = this.services;
    const job = await jobs.get(jobId);
    if (!job?.guildId) return;
    const body = renderAuditRecord(job, {
      refund: await quota.store.refundOf(job.id),
      blocked: (await quota.store.block(job.guildId, job.userId)) !== undefined,
    });
    const existing = await quota.store.auditMessage(job.id);
    if (existing) {
      try {
        await this.rest.patch(Routes.channelMessage(existing.channelId, existing.messageId), { body });
      } catch (err) {
        // A moderator deleted the record, or the bot lost access: do not post it again.
        if (err instanceof DiscordAPIError && [10003, 10008, 50001, 50013].includes(Number(err.code))) {
          this.services.log.info({ jobId, code: err.code }, 'audit record gone; not editing it');
          return;
        }
        throw err;
      }
      return;
    }
    const channelId = (await quota.store.settings(job.guildId))?.auditChannelId;
    if (!channelId) return;
    const msg = (await this.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
    await quota.store.setAuditMessage({ jobId: job.id, guildId: job.guildId, channelId, messageId: msg.id }, this.services.clock());
  }
}

/**
 * Takes a refunded job's result out of sight: edits the result message to say a moderator
 * removed it, or deletes it when it cannot be edited.
 */
export async function removeResult(
  rest: AuditRest,
  job: Job,
): Promise<'edited' | 'deleted' | 'none' | 'failed'> {
  if (!job.messageId) return 'none';
  const route = Routes.channelMessage(job.channelId, job.messageId);
  try {
    await rest.patch(route, {
      body: {
        content: t(job.locale, 'result.removedByModerator'),
        embeds: [],
        components: [],
        attachments: [],
        allowed_mentions: { parse: [] },
      },
    });
    return 'edited';
  } catch (err) {
    if (err instanceof DiscordAPIError && Number(err.code) === 10008) return 'none';
    try {
      await rest.delete(route);
      return 'deleted';
    } catch {
      return 'failed';
    }
  }
}

/**
 * In a process that does not run the audit reporter: queues every changed job for the process
 * that does, so each record is posted and edited by one process only. Returns the detach function.
 */
export function forwardAuditChanges(events: JobEvents, outbox: AuditOutbox, clock: () => number, log: Logger): () => void {
  const listener = (job: Job) => {
    if (!job.guildId) return;
    outbox.queue(job.id, clock()).catch((err: unknown) => log.warn({ err, jobId: job.id }, 'audit change not queued'));
  };
  events.on('changed', listener);
  return () => events.off('changed', listener);
}
