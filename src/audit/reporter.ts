import { DiscordAPIError, Routes, type APIMessage, type RawFile, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Job } from '../domain/job.js';
import type { Stores } from '../store/stores.js';
import type { AuditOutbox } from '../store/outbox.js';
import type { JobEvents } from '../jobs/events.js';
import type { Logger } from '../log/index.js';
import { auditRecordFiles, renderAuditRecord, type AuditRest } from './record.js';

/** What the reporter reads and where it posts; Services fits. */
export interface AuditDeps {
  events: JobEvents;
  stores: Pick<Stores, 'jobs' | 'quota' | 'audit'>;
  log: Logger;
  clock: () => number;
  client?: { rest: AuditRest };
}

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
    private readonly services: AuditDeps,
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
          const job = await this.services.stores.jobs.get(id);
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
    const { jobs, quota, audit } = this.services.stores;
    const job = await jobs.get(jobId);
    if (!job?.guildId) return;
    const ctx = { refund: await quota.refundOf(job.id), blocked: (await quota.block(job.guildId, job.userId)) !== undefined };
    const picture = await auditRecordFiles(job);
    // With the picture's copy; where the bot may not attach files (50013), the record goes without it.
    const send = async <T>(call: (o: { body: RESTPostAPIChannelMessageJSONBody; files: RawFile[] }) => Promise<T>): Promise<T> => {
      try {
        return await call({ body: renderAuditRecord(job, { ...ctx, files: picture }), files: picture });
      } catch (err) {
        if (!picture.length || !(err instanceof DiscordAPIError) || Number(err.code) !== 50013) throw err;
        return call({ body: renderAuditRecord(job, { ...ctx, files: [] }), files: [] });
      }
    };
    const existing = await audit.auditMessage(job.id);
    if (existing) {
      try {
        await send((o) => this.rest.patch(Routes.channelMessage(existing.channelId, existing.messageId), o));
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
    const channelId = (await quota.settings(job.guildId))?.auditChannelId;
    if (!channelId) return;
    const msg = (await send((o) => this.rest.post(Routes.channelMessages(channelId), o))) as APIMessage;
    await audit.setAuditMessage({ jobId: job.id, guildId: job.guildId, channelId, messageId: msg.id }, this.services.clock());
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
