import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
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
import type { ModelProcessor } from '../model/processor.js';
import type { JobEvents } from './events.js';
import type { StartQueue } from './start-queue.js';
import type { Job, JobOrigin } from '../domain/job.js';
import type { Quality } from '../domain/quality.js';
import { SIDE_VIEWS, VIEWS, type SideView, type View, type ViewPicture } from '../domain/views.js';
import type { ViewUrls } from '../upstream/index.js';
import { rejectionText, upstreamReason } from '../i18n/rejections.js';
import type { QuotaDenial, QuotaRequest } from '../quota/service.js';
import * as metrics from '../metrics/index.js';
import { jobFolder, PICTURE_NAME } from '../domain/files.js';

/** What starting a job needs; Services fits. */
export interface StartDeps {
  config: Pick<Config, 'imageUrlAllowPrivate' | 'jobTimeoutMs' | 'pollIntervalMs' | 'filesDir'>;
  log: Logger;
  stores: { jobs: JobStore };
  events: JobEvents;
  starts: Pick<StartQueue, 'turn'>;
  quota: Pick<QuotaService, 'check' | 'reserve'>;
  upstream: Pick<DmxapiClient, 'submit'>;
  models: Pick<ModelProcessor, 'thumbnail'>;
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
  /** The picture, the front view of a multi-view job. */
  picture: Picture;
  /** The other views of the same object; one or more makes a multi-view job (the provider's `images`). */
  views?: Partial<Record<SideView, Picture>>;
  /** The message whose picture is used (the Apps menu's "Make 3D model"), in `channelId`. */
  sourceMessageId?: string | null;
  /** The message that will show the job, when already known. */
  messageId: string | null;
  title: string | null;
  requesterName: string | null;
  /** A job started from a result's button: at most one runs per result and button. */
  parent?: { jobId: number; origin: JobOrigin };
  /** The member's sentence for a refused picture (default: the limit that was hit, naming the view of a multi-view job). */
  explainRejection?(r: ImageRejection, view: View | null): string;
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

const sourceOf = (p: Picture): 'attachment' | 'url' => (p.kind === 'attachment' ? 'attachment' : p.source);
const nameOf = (p: Picture): string | null => (p.kind === 'attachment' ? p.attachment.name : p.name);

/**
 * The checked URL of one picture, and with `keepBody` the whole picture as fetched and checked; a
 * refusal is thrown as the member's sentence.
 */
async function checkPicture(
  picture: Picture,
  o: { allowPrivate: boolean; keepBody: boolean },
  explain: (r: ImageRejection) => string,
): Promise<{ url: string; body?: Buffer }> {
  try {
    if (picture.kind === 'attachment') {
      const { body } = await validateAttachment(picture.attachment, o);
      return { url: picture.attachment.url, body };
    }
    const { finalUrl, body } = await validateImageUrl(picture.url, o);
    return { url: finalUrl, body };
  } catch (err) {
    if (err instanceof ImageRejectedError) throw new UserFacingError(explain(err.rejection));
    throw err;
  }
}

/** The views of a multi-view job as the provider's `images` are built from them. */
function viewUrls(views: readonly ViewPicture[]): ViewUrls {
  const byView = new Map(views.map((v) => [v.view, v.url]));
  const front = byView.get('front');
  if (front === undefined) throw new Error('a multi-view job has no front view');
  const urls: ViewUrls = { front };
  for (const view of VIEWS) {
    const url = byView.get(view);
    if (view !== 'front' && url !== undefined) urls[view] = url;
  }
  return urls;
}

/** A stored job's views besides the front, to start it again with all of them (Retry, Detailed). */
export function sideViewsOf(job: Pick<Job, 'views'>): Partial<Record<SideView, Picture>> {
  const views: Partial<Record<SideView, Picture>> = {};
  for (const v of job.views ?? []) {
    if (v.view !== 'front') views[v.view] = { kind: 'url', url: v.url, source: v.source, name: v.name };
  }
  return views;
}

/**
 * How long a job's start waits for its thumbnail (a model process's task) before going on without it:
 * the thumbnail's own time limit. A lone job's is ready in well under a second.
 */
const PICTURE_WAIT_MS = 10_000;

/**
 * The job's thumbnail of its checked picture: the checked bytes go into the job's folder under a
 * leftover name that forget.ts knows, a model process shrinks them (so libvips' memory is never the
 * bot's), and the row records the thumbnail. Resolves to the updated row, or undefined: a failure
 * costs only the thumbnail, and a job removed meanwhile keeps nothing.
 */
async function keepPicture(s: StartDeps, job: Job, picture: Buffer): Promise<Job | undefined> {
  const folder = jobFolder(s.config.filesDir, job.id);
  const file = join(folder, PICTURE_NAME);
  const checked = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(checked, picture);
    await s.models.thumbnail(checked, file);
    const updated = await s.stores.jobs.setPictureFile(job.id, file, s.clock());
    if (!updated) await rm(file, { force: true });
    return updated;
  } catch (err) {
    s.log.warn({ err, jobId: job.id }, 'could not make a thumbnail of the checked picture; the job has none');
    return undefined;
  } finally {
    await rm(checked, { force: true }).catch(() => undefined);
  }
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
 * UserFacingError. The caller answers the member. Nothing starts before its turn (src/jobs/start-queue.ts):
 * in a burst, the acknowledgements still under way go first.
 */
export async function startJob(s: StartDeps, req: JobRequest, hooks: StartHooks = {}): Promise<StartOutcome> {
  await s.starts.turn(req.interaction.id);
  const locale = req.interaction.locale;
  const sides = SIDE_VIEWS.filter((v) => req.views?.[v] !== undefined);
  const multiview = sides.length > 0;
  const quota: QuotaRequest = {
    userId: req.userId,
    guildId: req.guildId,
    roleIds: req.roleIds,
    quality: req.quality,
    views: 1 + sides.length,
  };
  const early = await s.quota.check(quota);
  if (early) return { ok: false, denial: early };

  // Every picture is checked, in the provider's order, before anything is reserved or sent.
  const given: [View, Picture][] = [['front', req.picture], ...sides.map((v): [View, Picture] => [v, req.views![v]!])];
  const views: ViewPicture[] = [];
  let checkedFront: Buffer | undefined;
  for (const [view, picture] of given) {
    const named = multiview ? view : null;
    // The front is fetched whole: its checked bytes are what the job's messages show.
    const front = view === 'front';
    const { url, body } = await checkPicture(picture, { allowPrivate: s.config.imageUrlAllowPrivate, keepBody: front }, (r) =>
      req.explainRejection?.(r, named) ?? rejectionText(locale, r, named),
    );
    if (body) checkedFront = body;
    views.push({ view, url, source: sourceOf(picture), name: nameOf(picture) });
  }
  const imageUrl = views[0]!.url;

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
        imageSource: sourceOf(req.picture),
        imageName: nameOf(req.picture),
        quality: req.quality,
        cost,
        attachmentSizeLimit: req.interaction.attachmentSizeLimit,
        createdAt: now,
        deadlineAt: now + s.config.jobTimeoutMs,
        title: req.title,
        requesterName: req.requesterName,
        parentJobId: req.parent?.jobId ?? null,
        origin: req.parent?.origin ?? null,
        views: multiview ? views : null,
        sourceMessageId: req.sourceMessageId ?? null,
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
  let job = reserved.job;
  if (checkedFront) {
    // The job's first messages show the thumbnail; one that is late comes with the next edit.
    const kept = keepPicture(s, job, checkedFront);
    const late = Symbol('late');
    const done = new AbortController();
    const inTime = await Promise.race([kept, wait(PICTURE_WAIT_MS, late, { ref: false, signal: done.signal }).catch((): typeof late => late)]);
    done.abort(); // no timer left behind for a thumbnail that came in time
    if (inTime === late) void kept.then((updated) => updated && s.events.emit('changed', updated));
    else if (inTime) job = inTime;
  }
  // Counted once the reservation committed (on PostgreSQL the transaction may have run twice).
  metrics.jobsStarted.inc({ quality: job.quality, input: job.imageSource });
  metrics.creditsSpent.inc(job.cost);
  const ctx = { jobId: job.id, interactionId: req.interaction.id, userId: job.userId, guildId: job.guildId, quality: job.quality };
  s.events.emit('changed', job);
  await hooks.onStored?.(job).catch((err: unknown) => s.log.warn({ ...ctx, err }, 'could not prepare the job message'));

  try {
    const submitted = await s.upstream.submit(multiview ? viewUrls(views) : imageUrl, req.quality);
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
