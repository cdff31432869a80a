import type { Logger } from '../log/index.js';
import { isTerminal, type Job } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import { providerDurationMs, type DmxapiClient } from '../upstream/index.js';
import { Deliverer, INTERACTION_TOKEN_LIFE_MS, UndeliverableError } from '../discord/deliver.js';
import { renderJob, type RenderContext } from '../discord/render.js';
import { modelFileName } from '../domain/names.js';
import type { JobEvents } from './events.js';
import { deliveryBackoff, durationToRecord, failureBackoff, HISTORY_WINDOW, nextCheckDelay, typicalDuration } from './schedule.js';
import { storeResults } from './results.js';
import { removeJobFiles } from './forget.js';
import type { ModelProcessor } from '../model/processor.js';
import { systemClock, type Clock } from '../upstream/rate-budget.js';
import * as metrics from '../metrics/index.js';

export interface PollerOptions {
  jobs: JobStore;
  upstream: Pick<DmxapiClient, 'getTask'>;
  deliverer: Deliverer;
  events: JobEvents;
  log: Logger;
  clock: () => number;
  pollIntervalMs: number;
  filesDir: string;
  /** Result links on private addresses may be downloaded (IMAGE_URL_ALLOW_PRIVATE: development, tests). */
  allowPrivateAddresses: boolean;
  /** What rendering needs beyond the job row (e.g. whether the server's gallery offers sharing). */
  renderExtras?: (job: Job) => Promise<Pick<RenderContext, 'offerShare' | 'publicUrl'>>;
  /** The provider's GLB is not downloaded past this size. */
  maxModelBytes: number;
  /** Fits each result GLB under its upload limit, in worker threads. */
  models: Pick<ModelProcessor, 'free' | 'process'>;
  /** A processing claim is not taken again for this long (the processing time limit and a margin). */
  processingLeaseMs: number;
  /** A claimed job is not claimed again for this long, even if the process that holds it dies. */
  leaseMs: number;
  /** The upstream calls per second this process can count on (its even share): it claims no more checks than it can make well within a lease. */
  upstreamRps: number;
  /**
   * At start: also resume jobs nobody holds (the one process that resumes for the whole bot).
   * Every process takes back the leases of its own earlier boot.
   */
  resumeUnowned?: boolean;
  /** The poller's one sleep timer (the benchmark runs it on a virtual clock); default: the system's. */
  timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

const BATCH = 50;
/**
 * The poller sleeps until the earliest due time in SQLite of work it could claim, but never longer
 * than this (expired tokens are cleared on each pass); if a pass took nothing although something
 * is due (a race), it looks again after IDLE_RETRY_MS (or one poll interval, if shorter).
 */
const MAX_SLEEP_MS = 60_000;
const IDLE_RETRY_MS = 1000;
/** After this many failed deliveries (about a day with capped backoff) the bot stops trying. */
const MAX_DELIVERY_ATTEMPTS = 300;

/**
 * The one loop that moves jobs forward: it claims due status checks and due message
 * edits from the store and runs them. All upstream calls go through the client's shared
 * rate budget, so many due jobs wait their turn instead of flooding the provider.
 * Between passes it sleeps until the earliest due time (one indexed query), or until
 * woken by a submit or a finished task: one timer, not one per job.
 */
export class Poller {
  private timer: unknown = null;
  private running = false;
  /** A wake-up came while a pass ran: look again right after it. */
  private wokenDuringPass = false;
  /** The pass under way, if any: its claims are awaited before shutdown waits for the work they started. */
  private pass: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Jobs whose success this process has delivered (the notify lag is observed once each). */
  private readonly told = new Set<number>();
  private readonly checking = new Map<number, Promise<void>>();
  private readonly delivering = new Map<number, Promise<void>>();
  private readonly processing = new Map<number, Promise<void>>();
  private readonly maxChecks: number;

  private readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;

  constructor(private readonly o: PollerOptions) {
    this.timers = o.timers ?? systemClock;
    // Claimed checks wait for the rate budget; a quarter of the lease leaves room for the calls themselves.
    this.maxChecks = Math.max(1, Math.min(BATCH, Math.floor((o.upstreamRps * o.leaseMs) / 4000)));
  }

  async start(): Promise<void> {
    const now = this.o.clock();
    const resumed = await this.o.jobs.resumeAll(now, { unowned: this.o.resumeUnowned ?? true });
    if (resumed.checks || resumed.deliveries || resumed.processing) this.o.log.info(resumed, 'resuming unfinished jobs');
    await this.clearExpiredTokens(now);
    this.schedule(0);
  }

  /**
   * Looks for due work now (after a submit or a state change). During a pass, it asks for one more
   * pass: the running one may already have read the next due time without the change.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wokenDuringPass = true;
    else this.schedule(0);
  }

  /** Stops claiming work and waits (bounded) for what is in flight. */
  async stop(timeoutMs = 7000): Promise<void> {
    this.stopped = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    const inflight = () => [...this.checking.values(), ...this.delivering.values(), ...this.processing.values()];
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.pass.then(() => Promise.allSettled(inflight())),
      new Promise((resolve) => (timeout = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timeout);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.pass = this.tick();
    }, ms);
  }

  /** One pass: start due checks and due deliveries; never throws. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    this.wokenDuringPass = false;
    let claimed = 0;
    try {
      const now = this.o.clock();
      const lease = now + this.o.leaseMs;
      const room = this.maxChecks - this.checking.size;
      const checks = room > 0 ? await this.o.jobs.claimDueChecks(now, lease, room, [...this.checking.keys()]) : [];
      for (const job of checks) {
        this.track(this.checking, job.id, this.check(job));
        claimed++;
      }
      for (const job of await this.o.jobs.claimDueDeliveries(now, lease, BATCH, [...this.delivering.keys()])) {
        this.track(this.delivering, job.id, this.deliver(job));
        claimed++;
      }
      await this.clearExpiredTokens(now);
      // Only as many as the model workers can start now; the rest wait in the store, not in memory.
      const free = this.o.models.free;
      for (const job of await this.o.jobs.claimDueProcessing(now, now + this.o.processingLeaseMs, free, [...this.processing.keys()])) {
        this.track(this.processing, job.id, this.process(job));
        claimed++;
      }
    } catch (err) {
      this.o.log.error({ err }, 'poller pass failed');
    } finally {
      const ms = await this.sleepMs(claimed);
      this.running = false;
      this.schedule(this.wokenDuringPass ? 0 : ms);
    }
  }

  /** Until the earliest due time: a due check is run when it falls due, not up to a pass later. */
  private async sleepMs(claimed: number): Promise<number> {
    try {
      const due = await this.o.jobs.nextDueAt(this.o.models.free > 0, {
        checking: [...this.checking.keys()],
        delivering: [...this.delivering.keys()],
        processing: [...this.processing.keys()],
      });
      if (due === null) return MAX_SLEEP_MS;
      const ms = due - this.o.clock();
      if (ms <= 0) return claimed ? 0 : Math.min(IDLE_RETRY_MS, this.o.pollIntervalMs);
      return Math.min(ms, MAX_SLEEP_MS);
    } catch (err) {
      this.o.log.error({ err }, 'poller could not read the next due time');
      return IDLE_RETRY_MS;
    }
  }

  /** A token past its 15 minutes opens nothing; no row keeps one longer than that. */
  private async clearExpiredTokens(now: number): Promise<void> {
    const cleared = await this.o.jobs.clearExpiredTokens(now - INTERACTION_TOKEN_LIFE_MS);
    if (cleared) this.o.log.debug({ cleared }, 'cleared expired interaction tokens');
  }

  /** Waits for the work now in flight (tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.checking.values(), ...this.delivering.values(), ...this.processing.values()]);
  }

  private track(map: Map<number, Promise<void>>, id: number, p: Promise<void>): void {
    const done = p
      .catch((err: unknown) => this.o.log.error({ err, jobId: id }, 'poller task failed'))
      .finally(() => {
        map.delete(id);
        this.wake();
      });
    map.set(id, done);
  }

  /**
   * The notify lag, once per job: the first final delivery is the one that tells the member (later
   * ones re-render the result). Remembered in this process only; ids are forgotten oldest first.
   */
  private notified(jobId: number, lagMs: number): void {
    if (this.told.has(jobId)) return;
    this.told.add(jobId);
    if (this.told.size > 10_000) this.told.delete(this.told.values().next().value!);
    metrics.notifyLagSeconds.observe(Math.max(0, lagMs) / 1000);
  }

  private changed(job: Job | undefined): void {
    if (!job) return;
    try {
      this.o.events.emit('changed', job);
    } catch (err) {
      this.o.log.error({ err, jobId: job.id }, 'job listener failed');
    }
  }

  private async check(job: Job): Promise<void> {
    const { jobs, log, clock, pollIntervalMs } = this.o;
    const ctx = { jobId: job.id, taskId: job.taskId };
    if (!job.taskId) return;
    let info;
    try {
      info = await this.o.upstream.getTask(job.taskId);
    } catch (err) {
      const at = clock();
      if (at >= job.deadlineAt) {
        log.warn({ ...ctx, err }, 'status check failed past the deadline; timing out');
        this.changed(await jobs.finish(job.id, { state: 'timed_out', at, errorCode: 'TIMEOUT' }));
        return;
      }
      const delay = failureBackoff(job.pollFailures + 1, pollIntervalMs);
      log.warn({ ...ctx, err, retryInMs: delay, failures: job.pollFailures + 1 }, 'status check failed; will retry');
      await jobs.recordCheckFailure(job.id, at, at + delay);
      return;
    }
    const at = clock();
    log.debug({ ...ctx, status: info.status, polls: job.pollCount + 1 }, 'status checked');
    if (info.status !== 'PENDING' && info.status !== 'RUNNING') metrics.statusChecks.observe(job.pollCount + 1);
    switch (info.status) {
      case 'PENDING':
      case 'RUNNING': {
        if (at >= job.deadlineAt) {
          log.warn(ctx, 'job did not finish before its deadline');
          this.changed(await jobs.finish(job.id, { state: 'timed_out', at, errorCode: 'TIMEOUT' }));
          return;
        }
        const state = info.status === 'PENDING' ? 'queued' : 'running';
        const delay = nextCheckDelay({
          elapsedMs: at - (job.submittedAt ?? job.createdAt),
          historyMs: await jobs.recentDurations(job.quality, HISTORY_WINDOW),
          pollIntervalMs,
        });
        const updated = await jobs.recordCheck(job.id, state, at, Math.min(at + delay, job.deadlineAt));
        if (updated && updated.state !== job.state) this.changed(updated);
        return;
      }
      case 'SUCCEEDED': {
        const files = await storeResults(job, info, this.o.filesDir, this.o.maxModelBytes, log, { allowPrivate: this.o.allowPrivateAddresses });
        // Stamped when the success was seen, not after the downloads, whatever the size of the files.
        // The schedule learns from the provider's own duration (the observed one if it has none).
        // With a downloaded GLB the result message waits for processing (the row says so first).
        await jobs.setDownloads(
          job.id,
          {
            previewFile: files.previewFile,
            originalFile: files.originalFile,
            originalBytes: files.originalBytes,
            processingState: files.originalFile ? 'pending' : 'failed',
            modelInfo: files.failure ? { failure: files.failure, downloadLimitBytes: this.o.maxModelBytes } : null,
            filesRefused: files.filesRefused,
          },
          at,
        );
        const done = await jobs.finish(job.id, {
          state: 'succeeded',
          at,
          modelUrl: info.modelUrl ?? null,
          previewUrl: info.previewUrl ?? null,
          resultExpiresAt: info.expiresAt ?? null,
          tookMs: durationToRecord(providerDurationMs(info), at - (job.submittedAt ?? job.createdAt)),
        });
        log.info({ ...ctx, stored: { preview: !!files.previewFile, model: !!files.originalFile } }, 'job succeeded');
        this.changed(done);
        return;
      }
      case 'FAILED':
        log.info({ ...ctx, code: info.code }, 'job failed upstream');
        this.changed(
          await jobs.finish(job.id, {
            state: 'failed',
            at,
            errorCode: info.code ?? 'FAILED',
            errorMessage: info.message ?? null,
          }),
        );
        return;
      case 'CANCELED':
        this.changed(await jobs.finish(job.id, { state: 'canceled', at, errorCode: 'CANCELED', errorMessage: info.message ?? null }));
        return;
      case 'UNKNOWN':
        this.changed(await jobs.finish(job.id, { state: 'expired', at, errorCode: 'UNKNOWN', errorMessage: info.message ?? null }));
        return;
    }
  }

  private async extras(job: Job): Promise<Pick<RenderContext, 'offerShare' | 'publicUrl'>> {
    try {
      return (await this.o.renderExtras?.(job)) ?? {};
    } catch (err) {
      this.o.log.warn({ err, jobId: job.id }, 'render extras unavailable');
      return {};
    }
  }

  private async process(job: Job): Promise<void> {
    const done = await this.o.models.process(job);
    if (done) return this.changed(done);
    // Deleted or removed by a moderator while it was processed: the row refused the result (nothing
    // is delivered), and what processing wrote after the removal goes too.
    if (await this.o.jobs.isRemoved(job.id)) {
      await removeJobFiles(this.o.jobs, job, this.o.filesDir, this.o.clock());
      this.o.log.info({ jobId: job.id }, 'model processed after its result was removed: nothing delivered, its files removed');
    }
  }

  private async deliver(job: Job): Promise<void> {
    const { jobs, log, clock } = this.o;
    const ctx = { jobId: job.id, taskId: job.taskId, state: job.state };
    const final = isTerminal(job.state);
    const now = clock();
    const history = await jobs.recentDurations(job.quality, HISTORY_WINDOW);
    const extras = final ? await this.extras(job) : {};
    const payload = renderJob(job, { now, typicalMs: typicalDuration(history), ...extras });
    // The lease may have passed to another process while this one was slow: then it sends nothing.
    if (!await jobs.renewDelivery(job.id, now + this.o.leaseMs)) {
      log.warn(ctx, 'delivery lease lost; another process delivers this message');
      return;
    }
    try {
      const d = await this.o.deliverer.deliver(job, payload, { final, now });
      if (!d) {
        metrics.deliveries.inc({ route: 'none', outcome: 'gone' });
        await jobs.markReplyGone(job.id);
        await jobs.markDelivered(job.id, job.renderVersion, null, clock());
        return;
      }
      const moved = d.route === 'channel_message' || d.route === 'dm' ? { messageId: d.messageId, channelId: d.channelId } : undefined;
      const updated = await jobs.markDelivered(job.id, job.renderVersion, d.route, clock(), moved);
      metrics.deliveries.inc({ route: d.route, outcome: 'ok' });
      if (final && job.state === 'succeeded' && job.finishedAt !== null) this.notified(job.id, clock() - job.finishedAt);
      log.info({ ...ctx, route: d.route, files: payload.files.map((f) => f.name) }, final ? 'result delivered' : 'progress shown');
      if (final && job.state === 'succeeded' && job.modelFile) {
        const glb = d.attachments.find((a) => a.filename === modelFileName(job));
        if (glb && updated) {
          const withButton = renderJob(updated, { now, modelAttachmentUrl: glb.url, ...extras });
          await this.o.deliverer
            .editComponents(updated, d.route, d.messageId, d.channelId, withButton, clock())
            .catch((err: unknown) => log.warn({ ...ctx, err }, 'download button not added'));
        }
      }
    } catch (err) {
      const at = clock();
      const attempts = job.deliveryAttempts + 1;
      if (err instanceof UndeliverableError || attempts >= MAX_DELIVERY_ATTEMPTS) {
        log.error({ ...ctx, err, attempts }, 'giving up on delivering this message');
        metrics.deliveries.inc({ route: 'none', outcome: 'given_up' });
        await jobs.giveUpDelivery(job.id, String(err instanceof Error ? err.message : err), at);
        return;
      }
      const delay = deliveryBackoff(attempts);
      log.warn({ ...ctx, err, attempts, retryInMs: delay }, 'delivery failed; will retry');
      metrics.deliveries.inc({ route: 'none', outcome: 'retry' });
      metrics.deliveryRetries.inc();
      await jobs.recordDeliveryFailure(job.id, String(err instanceof Error ? err.message : err), at, at + delay);
    }
  }
}
