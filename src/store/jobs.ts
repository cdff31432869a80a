import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';
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

export interface JobRow {
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

const TERMINAL = TERMINAL_STATES.map((s) => `'${s}'`).join(', ');

/**
 * Claims are leases: the claimed rows' due time (next_check_at / next_delivery_at) moves to
 * `leaseUntil`, so no other pass, in this process or any other, takes them before then. A holder
 * that dies lets the lease run out and the job is due again. On PostgreSQL the claim's subquery
 * locks the rows it picks with SKIP LOCKED: concurrent claimers neither wait nor overlap.
 */
/** The jobs table: one row per /model3d that passed validation. */
export class JobStore {
  private readonly q;
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
    const d = sqlDialect(db.dialect);
    const at = 'CAST(@at AS BIGINT)';
    const heldBy = (column: string) =>
      `(substr(${column}, 1, length(CAST(@predecessors AS TEXT))) = @predecessors AND ${column} <> @owner
        OR (CAST(@unowned AS INTEGER) = 1 AND ${column} IS NULL))`;
    this.q = {
      insert: `
        INSERT INTO jobs (interaction_id, interaction_token, application_id, guild_id, channel_id, user_id, locale,
          message_id, image_url, image_source, image_name, quality, cost, attachment_size_limit, state,
          created_at, updated_at, deadline_at, title, requester_name, parent_job_id, origin, check_owner)
        VALUES (@interactionId, @interactionToken, @applicationId, @guildId, @channelId, @userId, @locale,
          @messageId, @imageUrl, @imageSource, @imageName, @quality, @cost, @attachmentSizeLimit, 'submitting',
          @createdAt, @createdAt, @deadlineAt, @title, @requesterName, @parentJobId, @origin, @owner)
        RETURNING *`,
      get: 'SELECT * FROM jobs WHERE id = @id',
      submitted: `
        UPDATE jobs SET state = 'queued', task_id = @taskId, total_tokens = @totalTokens, submitted_at = @at,
          updated_at = @at, next_check_at = @nextCheckAt, check_owner = NULL,
          render_version = render_version + 1,
          next_delivery_at = ${d.greatest(at, `COALESCE(last_edit_at + ${PROGRESS_EDIT_GAP_MS}, 0)`)}
        WHERE id = @id AND state = 'submitting' RETURNING *`,
      finish: `
        UPDATE jobs SET state = @state, finished_at = @at, updated_at = @at, next_check_at = NULL, check_owner = NULL,
          model_url = COALESCE(CAST(@modelUrl AS TEXT), model_url), preview_url = COALESCE(CAST(@previewUrl AS TEXT), preview_url),
          result_expires_at = COALESCE(CAST(@resultExpiresAt AS BIGINT), result_expires_at),
          error_code = @errorCode, error_message = @errorMessage,
          render_version = render_version + 1,
          next_delivery_at = CASE WHEN processing_state = 'pending' THEN NULL ELSE ${at} END
        WHERE id = @id AND state NOT IN (${TERMINAL}) RETURNING *`,
      recoverSubmitting: `
        UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
          error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
          render_version = render_version + 1, next_delivery_at = @at
        WHERE state = 'submitting' AND ${heldBy('check_owner')} RETURNING *`,
      abandonSubmitting: `
        UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
          error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
          render_version = render_version + 1, next_delivery_at = @at
        WHERE state = 'submitting' AND deadline_at <= @at AND (check_owner IS NULL OR check_owner <> @owner)
        RETURNING *`,
      claimChecks: `
        UPDATE jobs SET next_check_at = @leaseUntil, check_owner = @owner
        WHERE id IN (
          SELECT id FROM jobs WHERE state IN ('queued', 'running') AND next_check_at <= @now
            AND NOT (${d.inList('id', 'busy', 'BIGINT')})
          ORDER BY next_check_at LIMIT @limit ${d.skipLocked})
        RETURNING *`,
      recordCheck: `
        UPDATE jobs SET poll_count = poll_count + 1, poll_failures = 0, updated_at = @at, next_check_at = @nextCheckAt,
          state = @state, check_owner = NULL,
          started_at = CASE WHEN @state = 'running' THEN COALESCE(started_at, ${at}) ELSE started_at END,
          render_version = render_version + CASE WHEN state <> @state THEN 1 ELSE 0 END,
          next_delivery_at = CASE WHEN state <> @state
            THEN ${d.greatest(at, `COALESCE(last_edit_at + ${PROGRESS_EDIT_GAP_MS}, 0)`)} ELSE next_delivery_at END
        WHERE id = @id AND state IN ('queued', 'running') RETURNING *`,
      recordCheckFailure: `
        UPDATE jobs SET poll_count = poll_count + 1, poll_failures = poll_failures + 1, updated_at = @at,
          next_check_at = @nextCheckAt, check_owner = NULL
        WHERE id = @id AND state IN ('queued', 'running') RETURNING *`,
      recentDurations: `
        SELECT finished_at - submitted_at AS took FROM jobs
        WHERE quality = @quality AND state = 'succeeded' AND submitted_at IS NOT NULL AND finished_at IS NOT NULL
        ORDER BY finished_at DESC LIMIT @limit`,
      setMessageId: 'UPDATE jobs SET message_id = @messageId WHERE id = @id AND message_id IS NULL',
      setFiles: `
        UPDATE jobs SET model_file = @modelFile, model_bytes = @modelBytes, preview_file = @previewFile,
          files_refused = @filesRefused, updated_at = @at WHERE id = @id RETURNING *`,
      claimDeliveries: `
        UPDATE jobs SET delivery_lease_until = @leaseUntil, delivery_owner = @owner
        WHERE id IN (
          SELECT id FROM jobs WHERE render_version > delivered_version AND next_delivery_at <= @now
            AND (processing_state IS NULL OR processing_state <> 'pending')
            AND (delivery_owner IS NULL OR delivery_lease_until <= @now)
            AND NOT (${d.inList('id', 'busy', 'BIGINT')})
          ORDER BY next_delivery_at LIMIT @limit ${d.skipLocked})
        RETURNING *`,
      renewDelivery: `
        UPDATE jobs SET delivery_lease_until = @leaseUntil
        WHERE id = @id AND delivery_owner = @owner AND render_version > delivered_version RETURNING id`,
      delivered: `
        UPDATE jobs SET delivered_version = ${d.greatest('delivered_version', 'CAST(@version AS INTEGER)')}, last_edit_at = @at,
          delivery_route = COALESCE(CAST(@route AS TEXT), delivery_route), delivery_error = NULL, delivery_attempts = 0,
          updated_at = @at, message_id = COALESCE(CAST(@messageId AS TEXT), message_id),
          channel_id = COALESCE(CAST(@channelId AS TEXT), channel_id),
          delivery_owner = NULL,
          reply_gone = CASE WHEN CAST(@messageId AS TEXT) IS NOT NULL THEN 0 ELSE reply_gone END,
          next_delivery_at = CASE
            WHEN render_version <= ${d.greatest('delivered_version', 'CAST(@version AS INTEGER)')} THEN NULL
            WHEN processing_state = 'pending' THEN NULL
            WHEN state IN (${TERMINAL}) THEN ${at}
            ELSE ${at} + ${PROGRESS_EDIT_GAP_MS} END
        WHERE id = @id RETURNING *`,
      deliveryFailed: `
        UPDATE jobs SET delivery_attempts = delivery_attempts + 1, delivery_error = @error,
          next_delivery_at = @nextAt, updated_at = @at, delivery_owner = NULL
        WHERE id = @id RETURNING *`,
      giveUpDelivery: `
        UPDATE jobs SET delivered_version = render_version, delivery_error = @error, next_delivery_at = NULL,
          delivery_owner = NULL, updated_at = @at WHERE id = @id RETURNING *`,
      replyGone: 'UPDATE jobs SET reply_gone = 1 WHERE id = @id',
      childInFlight: `
        SELECT * FROM jobs WHERE parent_job_id = @parentId AND origin = @origin AND state IN ('submitting', 'queued', 'running')`,
      latestChild: `
        SELECT * FROM jobs WHERE parent_job_id = @parentId AND origin = @origin AND deleted_at IS NULL ORDER BY id DESC LIMIT 1`,
      markDeleted: `
        UPDATE jobs SET deleted_at = @at, deleted_by = @by, updated_at = @at,
          delivered_version = render_version, next_delivery_at = NULL
        WHERE id = @id AND deleted_at IS NULL AND state IN (${TERMINAL})
        RETURNING *`,
      clearTokens: "UPDATE jobs SET interaction_token = '' WHERE interaction_token <> '' AND created_at <= @createdBefore",
      withStoredFiles: `
        SELECT * FROM jobs WHERE (model_file IS NOT NULL OR preview_file IS NOT NULL OR original_file IS NOT NULL)
          AND finished_at < @before
        ORDER BY finished_at LIMIT @limit`,
      forgetFiles: `
        UPDATE jobs SET model_file = NULL, preview_file = NULL, original_file = NULL, model_info = @modelInfo, updated_at = @at
        WHERE id = @id`,
      setDownloads: `
        UPDATE jobs SET preview_file = @previewFile, original_file = @originalFile, original_bytes = @originalBytes,
          model_bytes = @originalBytes, processing_state = @processingState, model_info = @modelInfo,
          files_refused = @filesRefused,
          next_process_at = CASE WHEN CAST(@processingState AS TEXT) = 'pending' THEN ${at} ELSE NULL END, updated_at = @at
        WHERE id = @id RETURNING *`,
      claimProcessing: `
        UPDATE jobs SET next_process_at = @leaseUntil, processing_attempts = processing_attempts + 1
        WHERE id IN (
          SELECT id FROM jobs WHERE processing_state = 'pending' AND next_process_at <= @now
            AND NOT (${d.inList('id', 'busy', 'BIGINT')})
          ORDER BY next_process_at LIMIT @limit ${d.skipLocked})
        RETURNING *`,
      recordProcessing: `
        UPDATE jobs SET processing_state = @state, model_file = @modelFile,
          model_bytes = COALESCE(CAST(@modelBytes AS BIGINT), model_bytes),
          model_info = @modelInfo, next_process_at = NULL, updated_at = @at,
          render_version = render_version + 1, next_delivery_at = @at
        WHERE id = @id AND processing_state = 'pending' RETURNING *`,
      // Each MIN is one step along its partial index (the same indexes the claims use).
      nextDue: `
        SELECT (SELECT MIN(next_check_at) FROM jobs WHERE state IN ('queued', 'running')
            AND NOT (${d.inList('id', 'checking', 'BIGINT')})) AS checks,
          -- A delivery another process holds is due when its lease ends, not before.
          (SELECT MIN(CASE WHEN delivery_owner IS NOT NULL AND delivery_lease_until > next_delivery_at
                THEN delivery_lease_until ELSE next_delivery_at END) FROM jobs WHERE render_version > delivered_version
            AND (processing_state IS NULL OR processing_state <> 'pending')
            AND NOT (${d.inList('id', 'delivering', 'BIGINT')})) AS deliveries,
          (SELECT MIN(next_process_at) FROM jobs WHERE processing_state = 'pending'
            AND NOT (${d.inList('id', 'processing', 'BIGINT')})) AS processing`,
      resumeProcessing: `UPDATE jobs SET next_process_at = @now WHERE processing_state = 'pending'`,
      resumeChecks: `
        UPDATE jobs SET next_check_at = @now, check_owner = NULL
        WHERE state IN ('queued', 'running') AND ${heldBy('check_owner')}`,
      resumeDeliveries: `
        UPDATE jobs SET next_delivery_at = ${d.least('COALESCE(next_delivery_at, CAST(@now AS BIGINT))', 'CAST(@now AS BIGINT)')},
          delivery_owner = NULL
        WHERE render_version > delivered_version AND (processing_state IS NULL OR processing_state <> 'pending')
          AND ${heldBy('delivery_owner')}`,
    };
  }

  private async one(sql: string, params: Record<string, unknown>): Promise<Job | undefined> {
    const row = await this.db.get<JobRow>(sql, params);
    return row && toJob(row);
  }

  private async many(sql: string, params: Record<string, unknown>): Promise<Job[]> {
    return (await this.db.all<JobRow>(sql, params)).map(toJob);
  }

  async insert(job: NewJob): Promise<Job> {
    const row = { title: null, requesterName: null, parentJobId: null, origin: null, ...job };
    return (await this.one(this.q.insert, { ...row, owner: this.owner }))!;
  }

  /** The job a result's button started and that is still being made, if any. */
  childInFlight(parentId: number, origin: JobOrigin): Promise<Job | undefined> {
    return this.one(this.q.childInFlight, { parentId, origin });
  }

  /** The newest job a result's button started (any state), unless it was deleted. */
  latestChild(parentId: number, origin: JobOrigin): Promise<Job | undefined> {
    return this.one(this.q.latestChild, { parentId, origin });
  }

  /**
   * Records a Delete press on a finished job, once; no edit of the poller may bring the result
   * back afterwards. Returns undefined when the job is unknown, unfinished or already deleted.
   */
  markDeleted(id: number, by: string, at: number): Promise<Job | undefined> {
    return this.one(this.q.markDeleted, { id, by, at });
  }

  get(id: number): Promise<Job | undefined> {
    return this.one(this.q.get, { id });
  }

  /** Records the upstream task id; the poller's first check is due at `nextCheckAt`. */
  markSubmitted(id: number, taskId: string, totalTokens: number | null, at: number, nextCheckAt: number): Promise<Job | undefined> {
    return this.one(this.q.submitted, { id, taskId, totalTokens, at, nextCheckAt });
  }

  /** Moves a job to a terminal state, once; a second call is a no-op that returns undefined. */
  finish(id: number, u: FinishUpdate): Promise<Job | undefined> {
    return this.one(this.q.finish, {
      id,
      state: u.state,
      at: u.at,
      modelUrl: u.modelUrl ?? null,
      previewUrl: u.previewUrl ?? null,
      resultExpiresAt: u.resultExpiresAt ?? null,
      errorCode: u.errorCode ?? null,
      errorMessage: u.errorMessage ?? null,
    });
  }

  /**
   * After a crash: jobs that an earlier boot of this process (and, with `unowned`, nobody we know
   * of) caught between writing the row and recording the task id. They are not resubmitted.
   * Submits of other live processes are left alone.
   */
  recoverInterrupted(at: number, { unowned = true }: { unowned?: boolean } = {}): Promise<Job[]> {
    return this.many(this.q.recoverSubmitting, { at, ...this.who(unowned) });
  }

  /**
   * Jobs of another process still 'submitting' past their deadline: that process died and did
   * not come back (a process that comes back recovers its own at start-up).
   */
  recoverAbandoned(at: number): Promise<Job[]> {
    return this.many(this.q.abandonSubmitting, { at, owner: this.owner });
  }

  private who(unowned: boolean) {
    return { owner: this.owner, predecessors: this.predecessors, unowned: unowned ? 1 : 0 };
  }

  /** Claims active jobs whose check is due, leasing them until `leaseUntil` so that no other pass takes them. */
  claimDueChecks(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Promise<Job[]> {
    return this.many(this.q.claimChecks, { now, leaseUntil, limit, busy: [...busy], owner: this.owner });
  }

  /**
   * When the earliest piece of work the claims could take falls due (ms), or null when nothing
   * is scheduled: the poller sleeps until then. Jobs the poller is already working on (`busy`)
   * do not count, nor processing when no model worker could take it.
   */
  async nextDueAt(
    withProcessing: boolean,
    busy: { checking: readonly number[]; delivering: readonly number[]; processing: readonly number[] } = { checking: [], delivering: [], processing: [] },
  ): Promise<number | null> {
    const r = ((await this.db.get(this.q.nextDue, {
      checking: [...busy.checking],
      delivering: [...busy.delivering],
      processing: [...busy.processing],
    })) ?? { checks: null, deliveries: null, processing: null }) as {
      checks: number | string | null;
      deliveries: number | string | null;
      processing: number | string | null;
    };
    const due = [r.checks, r.deliveries, withProcessing ? r.processing : null]
      .filter((t): t is number | string => t !== null)
      .map(Number);
    return due.length ? Math.min(...due) : null;
  }

  /**
   * At start-up: leases that an earlier boot of this process held are due now, so a restart
   * does not wait for them to expire. With `unowned` (the one process that resumes for the
   * whole bot), so are every unleased check and pending message. Leases of other live
   * processes are never taken: they pass on only when they expire.
   */
  resumeAll(now: number, { unowned = true }: { unowned?: boolean } = {}): Promise<{ checks: number; deliveries: number; processing: number }> {
    const who = this.who(unowned);
    return this.db.transaction(async () => ({
      checks: await this.db.run(this.q.resumeChecks, { now, ...who }),
      deliveries: await this.db.run(this.q.resumeDeliveries, { now, ...who }),
      // Processing leases carry no owner: only the process that resumes for the whole bot takes them back.
      processing: unowned ? await this.db.run(this.q.resumeProcessing, { now }) : 0,
    }));
  }

  recordCheck(id: number, state: ActiveState, at: number, nextCheckAt: number): Promise<Job | undefined> {
    return this.one(this.q.recordCheck, { id, state, at, nextCheckAt });
  }

  recordCheckFailure(id: number, at: number, nextCheckAt: number): Promise<Job | undefined> {
    return this.one(this.q.recordCheckFailure, { id, at, nextCheckAt });
  }

  /** Submit-to-result durations (ms) of the most recent successful jobs of one quality, newest first. */
  async recentDurations(quality: Quality, limit = 50): Promise<number[]> {
    return (await this.db.all<{ took: number }>(this.q.recentDurations, { quality, limit })).map((r) => r.took);
  }

  async setMessageId(id: number, messageId: string): Promise<void> {
    await this.db.run(this.q.setMessageId, { id, messageId });
  }

  setFiles(
    id: number,
    f: { modelFile: string | null; modelBytes: number | null; previewFile: string | null; filesRefused?: DownloadRefusal | null },
    at: number,
  ): Promise<Job | undefined> {
    return this.one(this.q.setFiles, { id, at, ...f, filesRefused: f.filesRefused ?? null });
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
  ): Promise<Job | undefined> {
    return this.one(this.q.setDownloads, {
      id,
      at,
      ...f,
      modelInfo: f.modelInfo && JSON.stringify(f.modelInfo),
      filesRefused: f.filesRefused ?? null,
    });
  }

  /** Claims jobs whose model is due for processing; each claim counts as an attempt. */
  async claimDueProcessing(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Promise<Job[]> {
    if (limit <= 0) return [];
    return this.many(this.q.claimProcessing, { now, leaseUntil, limit, busy: [...busy] });
  }

  /** Processing ended (done or failed): the result message is due now. */
  recordProcessing(
    id: number,
    r: { state: 'done' | 'failed'; modelFile: string | null; modelBytes: number | null; modelInfo: ModelInfo },
    at: number,
  ): Promise<Job | undefined> {
    return this.one(this.q.recordProcessing, { id, at, ...r, modelInfo: JSON.stringify(r.modelInfo) });
  }

  /** Claims jobs whose message is behind their state and due for an edit (a lease, as in claimDueChecks). */
  claimDueDeliveries(now: number, leaseUntil: number, limit: number, busy: readonly number[] = []): Promise<Job[]> {
    return this.many(this.q.claimDeliveries, { now, leaseUntil, limit, busy: [...busy], owner: this.owner });
  }

  /**
   * Extends this process's delivery lease right before the message is sent; false when the
   * lease passed to another process meanwhile (then this one must not send).
   */
  async renewDelivery(id: number, leaseUntil: number): Promise<boolean> {
    return (await this.db.get(this.q.renewDelivery, { id, leaseUntil, owner: this.owner })) !== undefined;
  }

  markDelivered(
    id: number,
    version: number,
    route: DeliveryRoute | null,
    at: number,
    moved?: { messageId: string; channelId: string },
  ): Promise<Job | undefined> {
    return this.one(this.q.delivered, {
      id,
      version,
      route,
      at,
      messageId: moved?.messageId ?? null,
      channelId: moved?.channelId ?? null,
    });
  }

  recordDeliveryFailure(id: number, error: string, at: number, nextAt: number): Promise<Job | undefined> {
    return this.one(this.q.deliveryFailed, { id, error, at, nextAt });
  }

  /** Stops retrying a message that can no longer be delivered anywhere; the error stays on the row. */
  giveUpDelivery(id: number, error: string, at: number): Promise<Job | undefined> {
    return this.one(this.q.giveUpDelivery, { id, error, at });
  }

  /** Finished jobs whose downloaded files are older than `before`, oldest first. */
  withStoredFilesBefore(before: number, limit: number): Promise<Job[]> {
    return this.many(this.q.withStoredFiles, { before, limit });
  }

  /**
   * The job's stored files were deleted (src/jobs/forget.ts); its message keeps Discord's copies.
   * `modelInfo` is what the row keeps of the model: its stats, without the artifacts' files.
   */
  async forgetFiles(id: number, at: number, modelInfo: ModelInfo | null): Promise<void> {
    await this.db.run(this.q.forgetFiles, { id, at, modelInfo: modelInfo && JSON.stringify(modelInfo) });
  }

  /**
   * Forgets the interaction tokens of jobs created at or before `createdBefore` (the
   * token's 15-minute life is over, so no route can use it); '' marks a cleared token.
   * Returns how many were cleared.
   */
  clearExpiredTokens(createdBefore: number): Promise<number> {
    return this.db.run(this.q.clearTokens, { createdBefore });
  }

  async markReplyGone(id: number): Promise<void> {
    await this.db.run(this.q.replyGone, { id });
  }
}
