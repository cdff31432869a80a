import { UserFacingError } from '../discord/user-facing-error.js';
import {
  ImageRejectedError,
  validateAttachment,
  validateImageUrl,
  type AttachmentMetadata,
  type ImageRejection,
} from '../images/index.js';
import { UpstreamError } from '../upstream/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';
import type { QuotaService } from '../quota/service.js';
import type { DmxapiClient } from '../upstream/index.js';
import type { JobEvents } from './events.js';
import type { Job, JobOrigin } from '../domain/job.js';
import type { Quality } from '../domain/quality.js';
import { rejectionText, upstreamReason } from '../i18n/rejections.js';
import type { QuotaDenial, QuotaRequest } from '../quota/service.js';
import * as metrics from '../metrics/index.js';

/** What starting a job needs; Services fits. */
export interface StartDeps {
  config: Pick<Config, 'imageUrlAllowPrivate' | 'jobTimeoutMs' | 'pollIntervalMs'>;
  log: Logger;
  stores: { jobs: JobStore };
  events: JobEvents;
  quota: Pick<QuotaService, 'check' | 'reserve'>;
  upstream: Pick<DmxapiClient, 'submit'>;
  wakePoller(): void;
  clock: () => number;
}

/** Where the picture comes from: a fresh upload (metadata known), or a link to fetch and check. */
export type Picture =
  | { kind: 'attachment'; attachment: AttachmentMetadata & { url: string; name: string | null } }
  | { kind: 'url'; url: string; source: 'attachment' | 'url'; name: string | null };

/** Everything needed to start one job, whoever asks (the command, or a result's button). */
export interface JobRequest {
  /** The interaction that asked: its id is the job's idempotency key, its token may edit the reply. */
  interaction: { id: string; token: string; applicationId: string; locale: string; attachmentSizeLimit: number };
  guildId: string | null;
  channelId: string;
  userId: string;
  roleIds: string[];
  quality: Quality;
  picture: Picture;
  /** The message that will show the job, when already known. */
  messageId: string | null;
  title: string | null;
  requesterName: string | null;
  /** A job started from a result's button: at most one runs per result and button. */
  parent?: { jobId: number; origin: JobOrigin };
  /** The member's sentence for a refused picture (default: the limit that was hit). */
  explainRejection?(r: ImageRejection): string;
}

export type StartOutcome =
  | { ok: true; job: Job }
  | { ok: false; denial: QuotaDenial }
  /** The same result's same button already has a job in flight; nothing new was started. */
  | { ok: false; running: Job };

export interface StartHooks {
  /** Runs once the row is written and before the submit (e.g. to learn or post the job's message). */
  onStored?(job: Job): Promise<void>;
}

class AlreadyRunning extends Error {
  constructor(readonly job: Job) {
    super('a job from this button is in flight');
  }
}

/**
 * The one path from a request to a job: quota pre-check, picture check, then the row is written
 * in the same transaction that reserves the credits (store first), and only then is the job
 * submitted, exactly once. A submit that may have reached the provider is never repeated: the job
 * ends "outcome unknown" instead. Quota refusals are returned; picture refusals are thrown as
 * UserFacingError. The caller answers the member.
 */
export async function startJob(s: StartDeps, req: JobRequest, hooks: StartHooks = {}): Promise<StartOutcome> {
  const locale = req.interaction.locale;
  const quota: QuotaRequest = { userId: req.userId, guildId: req.guildId, roleIds: req.roleIds, quality: req.quality };
  const early = await s.quota.check(quota);
  if (early) return { ok: false, denial: early };

  let imageUrl: string;
  try {
    const opts = { allowPrivate: s.config.imageUrlAllowPrivate };
    if (req.picture.kind === 'attachment') {
      await validateAttachment(req.picture.attachment, opts);
      imageUrl = req.picture.attachment.url;
    } else {
      imageUrl = (await validateImageUrl(req.picture.url, opts)).finalUrl;
    }
  } catch (err) {
    if (err instanceof ImageRejectedError) {
      throw new UserFacingError(req.explainRejection?.(err.rejection) ?? rejectionText(locale, err.rejection));
    }
    throw err;
  }

  const now = s.clock();
  let reserved: Awaited<ReturnType<StartDeps['quota']['reserve']>>;
  try {
    reserved = await s.quota.reserve(quota, async (cost) => {
      if (req.parent) {
        const running = await s.stores.jobs.childInFlight(req.parent.jobId, req.parent.origin);
        if (running) throw new AlreadyRunning(running);
      }
      return s.stores.jobs.insert({
        interactionId: req.interaction.id,
        interactionToken: req.interaction.token,
        applicationId: req.interaction.applicationId,
        guildId: req.guildId,
        channelId: req.channelId,
        userId: req.userId,
        locale,
        messageId: req.messageId,
        imageUrl,
        imageSource: req.picture.kind === 'attachment' ? 'attachment' : req.picture.source,
        imageName: req.picture.kind === 'attachment' ? req.picture.attachment.name : req.picture.name,
        quality: req.quality,
        cost,
        attachmentSizeLimit: req.interaction.attachmentSizeLimit,
        createdAt: now,
        deadlineAt: now + s.config.jobTimeoutMs,
        title: req.title,
        requesterName: req.requesterName,
        parentJobId: req.parent?.jobId ?? null,
        origin: req.parent?.origin ?? null,
      });
    });
  } catch (err) {
    if (err instanceof AlreadyRunning) return { ok: false, running: err.job };
    // Another process won the race for this button (jobs_one_child_in_flight).
    const running = req.parent && (await s.stores.jobs.childInFlight(req.parent.jobId, req.parent.origin));
    if (running) return { ok: false, running };
    throw err;
  }
  if (!reserved.ok) return { ok: false, denial: reserved.denial };
  const job = reserved.job;
  // Counted once the reservation committed (on PostgreSQL the transaction may have run twice).
  metrics.jobsStarted.inc({ quality: job.quality, input: job.imageSource });
  metrics.creditsSpent.inc(job.cost);
  const ctx = { jobId: job.id, interactionId: req.interaction.id, userId: job.userId, guildId: job.guildId, quality: job.quality };
  s.events.emit('changed', job);
  await hooks.onStored?.(job).catch((err: unknown) => s.log.warn({ ...ctx, err }, 'could not prepare the job message'));

  try {
    const submitted = await s.upstream.submit(imageUrl, req.quality);
    const at = s.clock();
    const updated = await s.stores.jobs.markSubmitted(job.id, submitted.taskId, submitted.totalTokens, at, at + s.config.pollIntervalMs);
    s.log.info({ ...ctx, taskId: submitted.taskId, tokens: submitted.totalTokens, parentJobId: job.parentJobId }, 'submitted');
    if (updated) s.events.emit('changed', updated);
  } catch (err) {
    const at = s.clock();
    if (err instanceof UpstreamError && !err.mayHaveReachedServer) {
      s.log.warn({ ...ctx, err }, 'submit refused upstream; nothing was charged');
      const done = await s.stores.jobs.finish(job.id, { state: 'not_submitted', at, errorCode: err.kind, errorMessage: upstreamReason(locale, err) });
      if (done) s.events.emit('changed', done);
    } else {
      // The request may have reached the provider; resubmitting could charge twice.
      s.log.error({ ...ctx, err }, 'submit outcome unknown');
      const done = await s.stores.jobs.finish(job.id, { state: 'outcome_unknown', at, errorCode: 'OUTCOME_UNKNOWN' });
      if (done) s.events.emit('changed', done);
    }
  }
  s.wakePoller();
  return { ok: true, job: await s.stores.jobs.get(job.id) ?? job };
}
