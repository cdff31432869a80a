import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';
import { jobQueries, type JobQueries } from './job-queries.js';
import { toJob, type JobRow } from './job-rows.js';
import { CHARGED_STATES, IN_FLIGHT_STATES, isIn, type ActiveState, type DeliveryRoute, type DownloadRefusal, type Job, type JobOrigin, type ProcessingState, type TerminalState } from '../domain/job.js';
import type { ModelInfo } from '../domain/model-info.js';
import type { Quality } from '../domain/quality.js';
import { leaseOwner } from '../config/shards.js';
import { creditsRefunded, jobsFinished } from '../metrics/index.js';

/**
 * Counts the jobs a terminal write moved (a write that matched nothing counts nothing), and the
 * credits that go back by themselves: a job that ends outside the charged states costs nothing.
 */
function countFinished<T extends Job | Job[] | undefined>(result: T): T {
  for (const job of Array.isArray(result) ? result : result ? [result] : []) {
    jobsFinished.inc({ state: job.state });
    if (!isIn(CHARGED_STATES, job.state)) creditsRefunded.inc(job.cost);
  }
  return result;
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
  Partial<Pick<Job, 'title' | 'requesterName' | 'parentJobId' | 'origin' | 'views' | 'sourceMessageId'>>;

export interface FinishUpdate {
  state: TerminalState;
  at: number;
  modelUrl?: string | null;
  previewUrl?: string | null;
  resultExpiresAt?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  /** A success's duration for the schedule (src/jobs/schedule.ts durationToRecord); unset: finishedAt − submittedAt. */
  tookMs?: number | null;
}

/**
 * The jobs table: one row per /model3d that passed validation. Its SQL is in job-queries.ts.
 * Claims are leases (see there).
 */
export class JobStore {
  private readonly q: JobQueries;
  /** The lease owner this store claims as (see src/config/shards.ts). */
  readonly owner: string;
  /** Owners that start with this are earlier boots of this process's place in the bot. */
  private readonly predecessors: string;

  /**
   * `progressEditGapMs`: how far apart progress edits of one message stay (the messenger's pacing,
   * passed in by the wiring); final edits are never held back.
   */
  constructor(
    private readonly db: Db,
    owner = leaseOwner('0/1'),
    progressEditGapMs = 0,
  ) {
    if (!Number.isSafeInteger(progressEditGapMs) || progressEditGapMs < 0) throw new Error('progressEditGapMs must be a whole number of ms');
    this.owner = owner;
    this.predecessors = owner.slice(0, owner.lastIndexOf(':') + 1);
    this.q = jobQueries(sqlDialect(db.dialect), progressEditGapMs);
  }

  private async one(sql: string, params: Record<string, unknown>): Promise<Job | undefined> {
    const row = await this.db.get<JobRow>(sql, params);
    return row && toJob(row);
  }

  private async many(sql: string, params: Record<string, unknown>): Promise<Job[]> {
    return (await this.db.all<JobRow>(sql, params)).map(toJob);
  }

  async insert(job: NewJob): Promise<Job> {
    const row = { title: null, requesterName: null, parentJobId: null, origin: null, sourceMessageId: null, ...job };
    const views = job.views && job.views.length >= 2 ? JSON.stringify(job.views) : null;
    return (await this.one(this.q.insert, { ...row, views, owner: this.owner }))!;
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

  /** The job whose viewer page has this token (the web room's only way from a URL to a job). */
  byViewToken(token: string): Promise<Job | undefined> {
    return this.one(this.q.byViewToken, { token });
  }

  /** Records the upstream task id; the poller's first check is due at `nextCheckAt`. */
  markSubmitted(id: number, taskId: string, totalTokens: number | null, at: number, nextCheckAt: number): Promise<Job | undefined> {
    return this.one(this.q.submitted, { id, taskId, totalTokens, at, nextCheckAt });
  }

  /** Moves a job to a terminal state, once; a second call is a no-op that returns undefined. */
  async finish(id: number, u: FinishUpdate): Promise<Job | undefined> {
    return countFinished(await this.one(this.q.finish, {
      id,
      state: u.state,
      at: u.at,
      modelUrl: u.modelUrl ?? null,
      previewUrl: u.previewUrl ?? null,
      resultExpiresAt: u.resultExpiresAt ?? null,
      errorCode: u.errorCode ?? null,
      errorMessage: u.errorMessage ?? null,
      tookMs: u.tookMs ?? null,
    }));
  }

  /**
   * After a crash: jobs that an earlier boot of this process (and, with `unowned`, nobody we know
   * of) caught between writing the row and recording the task id. They are not resubmitted.
   * Submits of other live processes are left alone.
   */
  async recoverInterrupted(at: number, { unowned = true }: { unowned?: boolean } = {}): Promise<Job[]> {
    return countFinished(await this.many(this.q.recoverSubmitting, { at, ...this.who(unowned) }));
  }

  /**
   * Jobs of another process still 'submitting' past their deadline: that process died and did
   * not come back (a process that comes back recovers its own at start-up).
   */
  async recoverAbandoned(at: number): Promise<Job[]> {
    return countFinished(await this.many(this.q.abandonSubmitting, { at, owner: this.owner }));
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

  /** Jobs in flight per state (every in-flight state, 0 included) and `processing`: results whose model is being processed. */
  async inFlightByState(): Promise<Record<string, number>> {
    const counts: Record<string, number> = Object.fromEntries([...IN_FLIGHT_STATES, 'processing'].map((s) => [s, 0]));
    for (const row of await this.db.all<{ state: string; n: number | string }>(this.q.inFlightByState, {})) counts[row.state] = Number(row.n);
    return counts;
  }

  async setMessageId(id: number, messageId: string): Promise<void> {
    await this.db.run(this.q.setMessageId, { id, messageId });
  }

  /** Records the stored copy of the member's picture (written once the job has its folder). */
  setPictureFile(id: number, pictureFile: string, at: number): Promise<Job | undefined> {
    return this.one(this.q.setPictureFile, { id, pictureFile, at });
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

  /** Which of `ids` have a job row. */
  async existingIds(ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    return new Set((await this.db.all<{ id: number | string }>(this.q.existingIds, { ids: [...ids] })).map((r) => Number(r.id)));
  }

  /** Whether the job's result was taken away (deleted, or removed and refunded by a moderator). */
  async isRemoved(id: number): Promise<boolean> {
    return (await this.db.get(this.q.isRemoved, { id })) !== undefined;
  }

  /** Processing ended (done or failed): the result message is due now, unless the result was taken away meanwhile. */
  recordProcessing(
    id: number,
    r: { state: 'done' | 'failed'; modelFile: string | null; modelBytes: number | null; modelInfo: ModelInfo },
    at: number,
  ): Promise<Job | undefined> {
    // A processed model gets its viewer page's token (192 random bits), once.
    const viewToken = r.state === 'done' ? randomBytes(24).toString('base64url') : null;
    return this.one(this.q.recordProcessing, { id, at, ...r, modelInfo: JSON.stringify(r.modelInfo), viewToken });
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
