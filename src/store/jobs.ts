import type { Db } from './db.js';
import type { DownloadRefusal } from '../images/download.js';
import type { ModelInfo } from '../model/types.js';
import { leaseOwner } from '../shards/layout.js';

export type Quality = 'standard' | 'detailed';
export const ACTIVE_STATES = ['queued', 'running'] as const;
export const TERMINAL_STATES = [
  'succeeded',
  'failed',
  'canceled',
  'expired',
  'timed_out',
  'not_submitted',
  'outcome_unknown',
] as const;
export type ActiveState = (typeof ACTIVE_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];
/** `submitting`: the row is written and the submit may be in flight. */
export type JobState = 'submitting' | ActiveState | TerminalState;
export type DeliveryRoute = 'webhook' | 'channel_edit' | 'channel_message' | 'dm';
/** Post-processing of the provider's GLB; the result message waits while it is 'pending'. */
export type ProcessingState = 'pending' | 'done' | 'failed';

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export interface Job {
  id: number;
  interactionId: string;
  /** '' once cleared (older than the token's 15-minute life). */
  interactionToken: string;
  applicationId: string;
  guildId: string | null;
  channelId: string;
  userId: string;
  locale: string;
  messageId: string | null;
  imageUrl: string;
  imageSource: 'attachment' | 'url';
  imageName: string | null;
  quality: Quality;
  cost: number;
  attachmentSizeLimit: number;
  state: JobState;
  taskId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number;
  pollCount: number;
  pollFailures: number;
  nextCheckAt: number | null;
  modelUrl: string | null;
  previewUrl: string | null;
  resultExpiresAt: number | null;
  modelFile: string | null;
  modelBytes: number | null;
  previewFile: string | null;
  /** The address guard refused the result links; nothing was downloaded from them. */
  filesRefused: DownloadRefusal | null;
  errorCode: string | null;
  errorMessage: string | null;
  totalTokens: number | null;
  renderVersion: number;
  deliveredVersion: number;
  lastEditAt: number | null;
  nextDeliveryAt: number | null;
  deliveryAttempts: number;
  deliveryRoute: DeliveryRoute | null;
  deliveryError: string | null;
  replyGone: boolean;
  /** The member's own name for the model, already cleaned (at most 60 characters). */
  title: string | null;
  /** The requester's display name when the job was made (for the gallery post's name). */
  requesterName: string | null;
  /** Set on a job started from a result's button: the result's job and which button. */
  parentJobId: number | null;
  origin: JobOrigin | null;
  /** The result was deleted with its Delete button (by the requester or a moderator). */
  deletedAt: number | null;
  deletedBy: string | null;
  /** The provider's GLB as downloaded; `modelFile` is the copy that fits the upload limit. */
  originalFile: string | null;
  originalBytes: number | null;
  processingState: ProcessingState | null;
  processingAttempts: number;
  modelInfo: ModelInfo | null;
}

/** Which result button started a job. */
export type JobOrigin = 'retry' | 'detailed';

interface JobRow {
  id: number;
  interaction_id: string;
  interaction_token: string;
  application_id: string;
  guild_id: string | null;
  channel_id: string;
  user_id: string;
  locale: string;
  message_id: string | null;
  image_url: string;
  image_source: 'attachment' | 'url';
  image_name: string | null;
  quality: Quality;
  cost: number;
  attachment_size_limit: number;
  state: JobState;
  task_id: string | null;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  deadline_at: number;
  poll_count: number;
  poll_failures: number;
  next_check_at: number | null;
  model_url: string | null;
  preview_url: string | null;
  result_expires_at: number | null;
  model_file: string | null;
  model_bytes: number | null;
  preview_file: string | null;
  files_refused: DownloadRefusal | null;
  error_code: string | null;
  error_message: string | null;
  total_tokens: number | null;
  render_version: number;
  delivered_version: number;
  last_edit_at: number | null;
  next_delivery_at: number | null;
  delivery_attempts: number;
  delivery_route: DeliveryRoute | null;
  delivery_error: string | null;
  reply_gone: number;
  title: string | null;
  requester_name: string | null;
  parent_job_id: number | null;
  origin: JobOrigin | null;
  deleted_at: number | null;
  deleted_by: string | null;
  original_file: string | null;
  original_bytes: number | null;
  processing_state: ProcessingState | null;
  processing_attempts: number;
  model_info: string | null;
}

function parseInfo(text: string | null): ModelInfo | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as ModelInfo;
  } catch {
    return null;
  }
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    interactionId: r.interaction_id,
    interactionToken: r.interaction_token,
    applicationId: r.application_id,
    guildId: r.guild_id,
    channelId: r.channel_id,
    userId: r.user_id,
    locale: r.locale,
    messageId: r.message_id,
    imageUrl: r.image_url,
    imageSource: r.image_source,
    imageName: r.image_name,
    quality: r.quality,
    cost: r.cost,
    attachmentSizeLimit: r.attachment_size_limit,
    state: r.state,
    taskId: r.task_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    deadlineAt: r.deadline_at,
    pollCount: r.poll_count,
    pollFailures: r.poll_failures,
    nextCheckAt: r.next_check_at,
    modelUrl: r.model_url,
    previewUrl: r.preview_url,
    resultExpiresAt: r.result_expires_at,
    modelFile: r.model_file,
    modelBytes: r.model_bytes,
    previewFile: r.preview_file,
    filesRefused: r.files_refused ?? null,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    totalTokens: r.total_tokens,
    renderVersion: r.render_version,
    deliveredVersion: r.delivered_version,
    lastEditAt: r.last_edit_at,
    nextDeliveryAt: r.next_delivery_at,
    deliveryAttempts: r.delivery_attempts,
    deliveryRoute: r.delivery_route,
    deliveryError: r.delivery_error,
    replyGone: r.reply_gone === 1,
    title: r.title,
    requesterName: r.requester_name,
    parentJobId: r.parent_job_id,
    origin: r.origin,
    deletedAt: r.deleted_at,
    deletedBy: r.deleted_by,
    originalFile: r.original_file,
    originalBytes: r.original_bytes,
    processingState: r.processing_state,
    processingAttempts: r.processing_attempts,
    modelInfo: parseInfo(r.model_info),
  };
}

/** What the command knows when it writes the row; everything else starts at its default. */
export type NewJob = Pick<
  Job,
  | 'interactionId'
  | 'interactionToken'
  | 'applicationId'
  | 'guildId'
  | 'channelId'
  | 'userId'
  | 'locale'
  | 'messageId'
  | 'imageUrl'
  | 'imageSource'
  | 'imageName'
  | 'quality'
  | 'cost'
  | 'attachmentSizeLimit'
  | 'createdAt'
  | 'deadlineAt'
> &
  Partial<Pick<Job, 'title' | 'requesterName' | 'parentJobId' | 'origin'>>;

export interface FinishUpdate {
  state: TerminalState;
  at: number;
  modelUrl?: string | null;
  previewUrl?: string | null;
  resultExpiresAt?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** Progress edits to one message stay at least this far apart; final edits are not held back. */
export const PROGRESS_EDIT_GAP_MS = 5000;

/** The jobs table: one row per /model3d that passed validation. */
export class JobStore {
  private readonly s;
  /** The lease owner this store claims as (see src/shards/layout.ts). */
  readonly owner: string;
  /** Owners that start with this are earlier boots of this process's place in the bot. */
  private readonly predecessors: string;

  constructor(
    private readonly db: Db,
    owner = leaseOwner('0/1'),
  ) {
    this.owner = owner;
    this.predecessors = owner.slice(0, owner.lastIndexOf(':') + 1);
    const heldBy = (column: string) =>
      `(substr(${column}, 1, length(@predecessors)) = @predecessors AND ${column} <> @owner OR (@unowned AND ${column} IS NULL))`;
    this.s = {
      insert: db.prepare(`
        INSERT INTO jobs (interaction_id, interaction_token, application_id, guild_id, channel_id, user_id, locale,
          message_id, image_url, image_source, image_name, quality, cost, attachment_size_limit, state,
          created_at, updated_at, deadline_at, title, requester_name, parent_job_id, origin, check_owner)
        VALUES (@interactionId, @interactionToken, @applicationId, @guildId, @channelId, @userId, @locale,
          @messageId, @imageUrl, @imageSource, @imageName, @quality, @cost, @attachmentSizeLimit, 'submitting',
          @createdAt, @createdAt, @deadlineAt, @title, @requesterName, @parentJobId, @origin, @owner)
        RETURNING *`),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      submitted: db.prepare(`
        UPDATE jobs SET state = 'queued', task_id = @taskId, total_tokens = @totalTokens, submitted_at = @at,
          updated_at = @at, next_check_at = @nextCheckAt, check_owner = NULL,
          render_version = render_version + 1,
          next_delivery_at = MAX(@at, COALESCE(last_edit_at + ${PROGRESS_EDIT_GAP_MS}, 0))
        WHERE id = @id AND state = 'submitting' RETURNING *`),
      finish: db.prepare(`
        UPDATE jobs SET state = @state, finished_at = @at, updated_at = @at, next_check_at = NULL, check_owner = NULL,
          model_url = COALESCE(@modelUrl, model_url), preview_url = COALESCE(@previewUrl, preview_url),
          result_expires_at = COALESCE(@resultExpiresAt, result_expires_at),
          error_code = @errorCode, error_message = @errorMessage,
          render_version = render_version + 1,
          next_delivery_at = CASE WHEN processing_state = 'pending' THEN NULL ELSE @at END
        WHERE id = @id AND state NOT IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(', ')}) RETURNING *`),
      recoverSubmitting: db.prepare(`
        UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
          error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
          render_version = render_version + 1, next_delivery_at = @at
        WHERE state = 'submitting' AND ${heldBy('check_owner')} RETURNING *`),
      abandonSubmitting: db.prepare(`
        UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
          error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
          render_version = render_version + 1, next_delivery_at = @at
        WHERE state = 'submitting' AND deadline_at <= @at AND (check_owner IS NULL OR check_owner <> @owner)
        RETURNING *`),
      claimChecks: db.prepare(`
        UPDATE jobs SET next_check_at = @leaseUntil, check_owner = @owner
        WHERE id IN (
          SELECT id FROM jobs WHERE state IN ('queued', 'running') AND next_check_at <= @now
            AND id NOT IN (SELECT value FROM json_each(@busy))
          ORDER BY next_check_at LIMIT @limit)
        RETURNING *`),
      recordCheck: db.prepare(`
        UPDATE jobs SET poll_count = poll_count + 1, poll_failures = 0, updated_at = @at, next_check_at = @nextCheckAt,
          state = @state, check_owner = NULL,
          started_at = CASE WHEN @state = 'running' THEN COALESCE(started_at, @at) ELSE started_at END,
          render_version = render_version + (state <> @state),
          next_delivery_at = CASE WHEN state <> @state
            THEN MAX(@at, COALESCE(last_edit_at + ${PROGRESS_EDIT_GAP_MS}, 0)) ELSE next_delivery_at END
        WHERE id = @id AND state IN ('queued', 'running') RETURNING *`),
      recordCheckFailure: db.prepare(`
        UPDATE jobs SET poll_count = poll_count + 1, poll_failures = poll_failures + 1, updated_at = @at,
          next_check_at = @nextCheckAt, check_owner = NULL
        WHERE id = @id AND state IN ('queued', 'running') RETURNING *`),
      recentDurations: db.prepare(`
        SELECT finished_at - submitted_at FROM jobs
        WHERE quality = ? AND state = 'succeeded' AND submitted_at IS NOT NULL AND finished_at IS NOT NULL
        ORDER BY finished_at DESC LIMIT ?`),
      setMessageId: db.prepare('UPDATE jobs SET message_id = ? WHERE id = ? AND message_id IS NULL'),
      setFiles: db.prepare(`
        UPDATE jobs SET model_file = @modelFile, model_bytes = @modelBytes, preview_file = @previewFile,
          files_refused = @filesRefused, updated_at = @at WHERE id = @id RETURNING *`),
      claimDeliveries: db.prepare(`
        UPDATE jobs SET delivery_lease_until = @leaseUntil, delivery_owner = @owner
        WHERE id IN (
          SELECT id FROM jobs WHERE render_version > delivered_version AND next_delivery_at <= @now
            AND (processing_state IS NULL OR processing_state <> 'pending')
            AND (delivery_owner IS NULL OR delivery_lease_until <= @now)
            AND id NOT IN (SELECT value FROM json_each(@busy))
          ORDER BY next_delivery_at LIMIT @limit)
        RETURNING *`),
      renewDelivery: db.prepare(`
        UPDATE jobs SET delivery_lease_until = @leaseUntil
        WHERE id = @id AND delivery_owner = @owner AND render_version > delivered_version RETURNING id`),
      delivered: db.prepare(`
        UPDATE jobs SET delivered_version = MAX(delivered_version, @version), last_edit_at = @at,
          delivery_route = COALESCE(@route, delivery_route), delivery_error = NULL, delivery_attempts = 0,
          updated_at = @at, message_id = COALESCE(@messageId, message_id), channel_id = COALESCE(@channelId, channel_id),
          delivery_owner = NULL,
          reply_gone = CASE WHEN @messageId IS NOT NULL THEN 0 ELSE reply_gone END,
          next_delivery_at = CASE
            WHEN render_version <= MAX(delivered_version, @version) THEN NULL
            WHEN processing_state = 'pending' THEN NULL
            WHEN state IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(', ')}) THEN @at
            ELSE @at + ${PROGRESS_EDIT_GAP_MS} END
        WHERE id = @id RETURNING *`),
      deliveryFailed: db.prepare(`
        UPDATE jobs SET delivery_attempts = delivery_attempts + 1, delivery_error = @error,
          next_delivery_at = @nextAt, updated_at = @at, delivery_owner = NULL
        WHERE id = @id RETURNING *`),
      giveUpDelivery: db.prepare(`
        UPDATE jobs SET delivered_version = render_version, delivery_error = @error, next_delivery_at = NULL,
          delivery_owner = NULL, updated_at = @at WHERE id = @id RETURNING *`),
      replyGone: db.prepare('UPDATE jobs SET reply_gone = 1 WHERE id = ?'),
      clearTokens: db.prepare(
        "UPDATE jobs SET interaction_token = '' WHERE interaction_token <> '' AND created_at <= ?",
      ),
      childInFlight: db.prepare(`
        SELECT * FROM jobs WHERE parent_job_id = ? AND origin = ? AND state IN ('submitting', 'queued', 'running')`),
      latestChild: db.prepare(`
        SELECT * FROM jobs WHERE parent_job_id = ? AND origin = ? AND deleted_at IS NULL ORDER BY id DESC LIMIT 1`),
      markDeleted: db.prepare(`
        UPDATE jobs SET deleted_at = @at, deleted_by = @by, updated_at = @at,
          delivered_version = render_version, next_delivery_at = NULL
        WHERE id = @id AND deleted_at IS NULL AND state IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(', ')})
        RETURNING *`),
      withStoredFiles: db.prepare(`
        SELECT * FROM jobs WHERE (model_file IS NOT NULL OR preview_file IS NOT NULL OR original_file IS NOT NULL)
          AND finished_at < ?
        ORDER BY finished_at LIMIT ?`),
      forgetFiles: db.prepare(
        'UPDATE jobs SET model_file = NULL, preview_file = NULL, original_file = NULL, updated_at = ? WHERE id = ?',
      ),
      setDownloads: db.prepare(`
        UPDATE jobs SET preview_file = @previewFile, original_file = @originalFile, original_bytes = @originalBytes,
          model_bytes = @originalBytes, processing_state = @processingState, model_info = @modelInfo,
          files_refused = @filesRefused,
          next_process_at = CASE WHEN @processingState = 'pending' THEN @at ELSE NULL END, updated_at = @at
        WHERE id = @id RETURNING *`),
      claimProcessing: db.prepare(`
        UPDATE jobs SET next_process_at = @leaseUntil, processing_attempts = processing_attempts + 1
        WHERE id IN (
          SELECT id FROM jobs WHERE processing_state = 'pending' AND next_process_at <= @now
            AND id NOT IN (SELECT value FROM json_each(@busy))
          ORDER BY next_process_at LIMIT @limit)
        RETURNING *`),
      recordProcessing: db.prepare(`
        UPDATE jobs SET processing_state = @state, model_file = @modelFile, model_bytes = COALESCE(@modelBytes, model_bytes),
          model_info = @modelInfo, next_process_at = NULL, updated_at = @at,
          render_version = render_version + 1, next_delivery_at = @at
        WHERE id = @id AND processing_state = 'pending' RETURNING *`),
      resumeProcessing: db.prepare(`UPDATE jobs SET next_process_at = @now WHERE processing_state = 'pending'`),
      resumeChecks: db.prepare(`
        UPDATE jobs SET next_check_at = @now, check_owner = NULL
        WHERE state IN ('queued', 'running') AND ${heldBy('check_owner')}`),
      resumeDeliveries: db.prepare(`
        UPDATE jobs SET next_delivery_at = MIN(COALESCE(next_delivery_at, @now), @now), delivery_owner = NULL
        WHERE render_version > delivered_version AND (processing_state IS NULL OR processing_state <> 'pending')
          AND ${heldBy('delivery_owner')}`),
    };
  }

  insert(job: NewJob): Job {
    const row = { title: null, requesterName: null, parentJobId: null, origin: null, ...job };
    return toJob(this.s.insert.get({ ...row, owner: this.owner }) as JobRow);
  }

  /** The job a result's button started and that is still being made, if any. */
  childInFlight(parentId: number, origin: JobOrigin): Job | undefined {
    const row = this.s.childInFlight.get(parentId, origin) as JobRow | undefined;
    return row && toJob(row);
  }

  /** The newest job a result's button started (any state), unless it was deleted. */
  latestChild(parentId: number, origin: JobOrigin): Job | undefined {
    const row = this.s.latestChild.get(parentId, origin) as JobRow | undefined;
    return row && toJob(row);
  }

  /**
   * Records a Delete press on a finished job, once; no edit of the poller may bring the result
   * back afterwards. Returns undefined when the job is unknown, unfinished or already deleted.
   */
  markDeleted(id: number, by: string, at: number): Job | undefined {
    const row = this.s.markDeleted.get({ id, by, at }) as JobRow | undefined;
    return row && toJob(row);
  }

  get(id: number): Job | undefined {
    const row = this.s.get.get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Records the upstream task id; the poller's first check is due at `nextCheckAt`. */
  markSubmitted(id: number, taskId: string, totalTokens: number | null, at: number, nextCheckAt: number): Job | undefined {
    const row = this.s.submitted.get({ id, taskId, totalTokens, at, nextCheckAt }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Moves a job to a terminal state, once; a second call is a no-op that returns undefined. */
  finish(id: number, u: FinishUpdate): Job | undefined {
    const row = this.s.finish.get({
      id,
      state: u.state,
      at: u.at,
      modelUrl: u.modelUrl ?? null,
      previewUrl: u.previewUrl ?? null,
      resultExpiresAt: u.resultExpiresAt ?? null,
      errorCode: u.errorCode ?? null,
      errorMessage: u.errorMessage ?? null,
    }) as JobRow | undefined;
    return row && toJob(row);
  }

  /**
   * After a crash: jobs that an earlier boot of this process (and, with `unowned`, nobody we know
   * of) caught between writing the row and recording the task id. They are not resubmitted.
   * Submits of other live processes are left alone.
   */
  recoverInterrupted(at: number, { unowned = true }: { unowned?: boolean } = {}): Job[] {
    return (this.s.recoverSubmitting.all({ at, ...this.who(unowned) }) as JobRow[]).map(toJob);
  }

  /**
   * Jobs of another process still 'submitting' past their deadline: that process died and did
   * not come back (a process that comes back recovers its own at start-up).
   */
  recoverAbandoned(at: number): Job[] {
    return (this.s.abandonSubmitting.all({ at, owner: this.owner }) as JobRow[]).map(toJob);
  }

  private who(unowned: boolean) {
    return { owner: this.owner, predecessors: this.predecessors, unowned: unowned ? 1 : 0 };
  }

  /** Claims active jobs whose check is due, leasing them until `leaseUntil` so that no other pass takes them. */
  claimDueChecks(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Job[] {
    return (this.s.claimChecks.all({ now, leaseUntil, limit, busy: JSON.stringify(busy), owner: this.owner }) as JobRow[]).map(toJob);
  }

  /**
   * At start-up: leases that an earlier boot of this process held are due now, so a restart
   * does not wait for them to expire. With `unowned` (the one process that resumes for the
   * whole bot), so are every unleased check and pending message. Leases of other live
   * processes are never taken: they pass on only when they expire.
   */
  resumeAll(now: number, { unowned = true }: { unowned?: boolean } = {}): { checks: number; deliveries: number; processing: number } {
    const who = this.who(unowned);
    return this.db.transaction(() => ({
      checks: this.s.resumeChecks.run({ now, ...who }).changes,
      deliveries: this.s.resumeDeliveries.run({ now, ...who }).changes,
      // Processing leases carry no owner: only the process that resumes for the whole bot takes them back.
      processing: unowned ? this.s.resumeProcessing.run({ now }).changes : 0,
    }))();
  }

  recordCheck(id: number, state: ActiveState, at: number, nextCheckAt: number): Job | undefined {
    const row = this.s.recordCheck.get({ id, state, at, nextCheckAt }) as JobRow | undefined;
    return row && toJob(row);
  }

  recordCheckFailure(id: number, at: number, nextCheckAt: number): Job | undefined {
    const row = this.s.recordCheckFailure.get({ id, at, nextCheckAt }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Submit-to-result durations (ms) of the most recent successful jobs of one quality, newest first. */
  recentDurations(quality: Quality, limit = 50): number[] {
    return this.s.recentDurations.pluck().all(quality, limit) as number[];
  }

  setMessageId(id: number, messageId: string): void {
    this.s.setMessageId.run(messageId, id);
  }

  setFiles(
    id: number,
    f: { modelFile: string | null; modelBytes: number | null; previewFile: string | null; filesRefused?: DownloadRefusal | null },
    at: number,
  ): Job | undefined {
    const row = this.s.setFiles.get({ id, at, ...f, filesRefused: f.filesRefused ?? null }) as JobRow | undefined;
    return row && toJob(row);
  }

  /**
   * Records the downloaded result files. With `processingState` 'pending' the result message
   * waits until recordProcessing(); the model is processed from `originalFile`.
   */
  setDownloads(
    id: number,
    f: {
      previewFile: string | null;
      originalFile: string | null;
      originalBytes: number | null;
      processingState: ProcessingState | null;
      modelInfo: ModelInfo | null;
      filesRefused?: DownloadRefusal | null;
    },
    at: number,
  ): Job | undefined {
    const row = this.s.setDownloads.get({
      id,
      at,
      ...f,
      modelInfo: f.modelInfo && JSON.stringify(f.modelInfo),
      filesRefused: f.filesRefused ?? null,
    }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Claims jobs whose model is due for processing; each claim counts as an attempt. */
  claimDueProcessing(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Job[] {
    if (limit <= 0) return [];
    return (this.s.claimProcessing.all({ now, leaseUntil, limit, busy: JSON.stringify(busy) }) as JobRow[]).map(toJob);
  }

  /** Processing ended (done or failed): the result message is due now. */
  recordProcessing(
    id: number,
    r: { state: 'done' | 'failed'; modelFile: string | null; modelBytes: number | null; modelInfo: ModelInfo },
    at: number,
  ): Job | undefined {
    const row = this.s.recordProcessing.get({ id, at, ...r, modelInfo: JSON.stringify(r.modelInfo) }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Claims jobs whose message is behind their state and due for an edit. */
  claimDueDeliveries(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Job[] {
    return (this.s.claimDeliveries.all({ now, leaseUntil, limit, busy: JSON.stringify(busy), owner: this.owner }) as JobRow[]).map(toJob);
  }

  /**
   * Extends this process's delivery lease right before the message is sent; false when the
   * lease passed to another process meanwhile (then this one must not send).
   */
  renewDelivery(id: number, leaseUntil: number): boolean {
    return this.s.renewDelivery.get({ id, leaseUntil, owner: this.owner }) !== undefined;
  }

  markDelivered(
    id: number,
    version: number,
    route: DeliveryRoute | null,
    at: number,
    moved?: { messageId: string; channelId: string },
  ): Job | undefined {
    const row = this.s.delivered.get({
      id,
      version,
      route,
      at,
      messageId: moved?.messageId ?? null,
      channelId: moved?.channelId ?? null,
    }) as JobRow | undefined;
    return row && toJob(row);
  }

  recordDeliveryFailure(id: number, error: string, at: number, nextAt: number): Job | undefined {
    const row = this.s.deliveryFailed.get({ id, error, at, nextAt }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Stops retrying a message that can no longer be delivered anywhere; the error stays on the row. */
  giveUpDelivery(id: number, error: string, at: number): Job | undefined {
    const row = this.s.giveUpDelivery.get({ id, error, at }) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Finished jobs whose downloaded files are older than `before`, oldest first. */
  withStoredFilesBefore(before: number, limit: number): Job[] {
    return (this.s.withStoredFiles.all(before, limit) as JobRow[]).map(toJob);
  }

  /** The job's stored files were deleted; its message keeps Discord's copies. */
  forgetFiles(id: number, at: number): void {
    this.s.forgetFiles.run(at, id);
  }

  /**
   * Forgets the interaction tokens of jobs created at or before `createdBefore` (the
   * token's 15-minute life is over, so no route can use it); '' marks a cleared token.
   * Returns how many were cleared.
   */
  clearExpiredTokens(createdBefore: number): number {
    return this.s.clearTokens.run(createdBefore).changes;
  }

  markReplyGone(id: number): void {
    this.s.replyGone.run(id);
  }
}
