import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import { ModelTaskError, type ModelPool } from './pool.js';
import type { ExportResult } from './tasks.js';
import type { TurntableSettings } from './turntable.js';
import type { ModelInfo, ProcessingFailure } from '../domain/model-info.js';
import { exportPath, type ExportKind } from '../domain/files.js';
import * as metrics from '../metrics/index.js';

/** A job whose processing was interrupted this many times (crashes, restarts) is sent as it came. */
export const MAX_PROCESSING_ATTEMPTS = 3;

/** A task without a result (restarts of the model process are counted by the pool's onRestart, in app/bot.ts). */
function countFailure(reason: string): void {
  metrics.processingFailures.inc({ reason });
}

/**
 * What the GLB may weigh: the message's upload limit, less the preview that goes with it and a
 * margin for the multipart envelope and the embed.
 */
export function modelBudget(attachmentLimit: number, previewBytes: number): number {
  const margin = Math.max(64 * 1024, Math.round(attachmentLimit * 0.01));
  return Math.max(0, attachmentLimit - previewBytes - margin);
}

async function sizeOf(path: string | null): Promise<number | null> {
  if (!path) return null;
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

export interface ModelProcessorOptions {
  jobs: JobStore;
  pool: ModelPool;
  log: Logger;
  clock: () => number;
  exportHeightMm: number;
  /** Render a turntable GIF while processing (null: TURNTABLE=off). */
  turntable?: TurntableSettings | null;
  /** Make the viewer page's web and AR copies while processing (PUBLIC_URL is set). */
  webCopies?: boolean;
}

/**
 * The main thread's side of model work: fits a finished job's GLB under its upload limit in the
 * pool and records the outcome on the job (which makes the result message due), and makes the
 * STL/OBJ exports on first demand.
 */
export class ModelProcessor {
  private readonly exporting = new Map<string, Promise<ExportResult>>();

  constructor(private readonly o: ModelProcessorOptions) {}

  /** How many more jobs may be claimed for processing now. */
  get free(): number {
    return this.o.pool.free;
  }

  /** Processes a claimed job and records the outcome; never throws. */
  async process(job: Job): Promise<Job | undefined> {
    const { jobs, log, clock } = this.o;
    const ctx = { jobId: job.id, taskId: job.taskId, attempt: job.processingAttempts };
    const failed = (failure: NonNullable<ModelInfo['failure']>, exceeded?: ModelInfo['exceeded']) =>
      jobs.recordProcessing(job.id, { state: 'failed', modelFile: null, modelBytes: null, modelInfo: { failure, ...(exceeded ? { exceeded } : {}) } }, clock());
    if (!job.originalFile || (await sizeOf(job.originalFile)) === null) {
      log.error(ctx, 'the downloaded GLB is gone; sending the link');
      countFailure('download_failed');
      return failed('download_failed');
    }
    if (job.processingAttempts > MAX_PROCESSING_ATTEMPTS) {
      log.error(ctx, 'model processing was interrupted too often; sending the model as the provider gave it');
      countFailure('interrupted');
      return failed('crashed');
    }
    const budgetBytes = modelBudget(job.attachmentSizeLimit, (await sizeOf(job.previewFile)) ?? 0);
    const started = clock();
    log.info({ ...ctx, bytes: job.originalBytes, budgetBytes }, 'processing model');
    try {
      const r = await this.o.pool.run({
        kind: 'process',
        input: job.originalFile,
        outDir: dirname(job.originalFile),
        budgetBytes,
        turntable: this.o.turntable ?? null,
        webCopies: this.o.webCopies ?? false,
      });
      metrics.processingSeconds.observe({ step: 'fit' }, r.timings.fitMs / 1000);
      if (r.artifacts.length || r.artifactsSkipped.length) metrics.processingSeconds.observe({ step: 'render' }, r.timings.renderMs / 1000);
      for (const s of r.artifactsSkipped) {
        log.warn({ ...ctx, artifact: s.kind, reason: s.reason }, `no ${s.kind} for this result; it ships without it`);
      }
      log.info(
        {
          ...ctx,
          ms: clock() - started,
          steps: r.fit.steps.map((s) => s.step),
          before: r.fit.bytesBefore,
          after: r.fit.bytesAfter,
          attached: r.output !== null,
          ...(r.processPeakRssBytes ? { processPeakRssMb: Math.round(r.processPeakRssBytes / (1024 * 1024)) } : {}),
        },
        'model processed',
      );
      return jobs.recordProcessing(
        job.id,
        {
          state: 'done',
          modelFile: r.output,
          modelBytes: r.output ? r.fit.bytesAfter : null,
          modelInfo: { stats: r.stats, validation: r.validation, fit: r.fit, artifacts: r.artifacts },
        },
        clock(),
      );
    } catch (err) {
      if (err instanceof ModelTaskError && err.failure === 'stopped') {
        // Shutting down: the job stays pending and resumes from the kept original after restart.
        log.info(ctx, 'model processing stopped by shutdown; it resumes after restart');
        return undefined;
      }
      if (err instanceof ModelTaskError && err.failure === 'busy') {
        // Not taken: the job stays pending and is claimed again when its lease ends.
        log.warn({ ...ctx, err }, 'model processing queue full; the job waits for its turn');
        return undefined;
      }
      const known = err instanceof ModelTaskError && err.failure !== 'stopped' && err.failure !== 'busy';
      const failure: ProcessingFailure = known ? (err.failure as ProcessingFailure) : 'error';
      const exceeded = err instanceof ModelTaskError ? err.exceeded : undefined;
      countFailure(failure);
      log.warn({ ...ctx, failure, ...(exceeded ? { exceeded } : { err }) }, 'model could not be processed; sending it as the provider gave it');
      return failed(failure, exceeded);
    }
  }

  /** The export file of a job, made from its original GLB on first demand and kept beside it. */
  async exportFile(job: Job, kind: ExportKind): Promise<ExportResult> {
    if (!job.originalFile) throw new ModelTaskError('error', 'no original file');
    const output = exportPath(job.originalFile, kind);
    const cached = await sizeOf(output);
    if (cached !== null) return { file: output, bytes: cached };
    let p = this.exporting.get(output);
    if (!p) {
      const started = performance.now();
      const task =
        kind === 'stl'
          ? this.o.pool.run({ kind: 'stl', input: job.originalFile, output, heightMm: this.o.exportHeightMm })
          : this.o.pool.run({ kind: 'obj', input: job.originalFile, output });
      p = task
        .then(
          (r) => (metrics.processingSeconds.observe({ step: kind }, (performance.now() - started) / 1000), r),
          (err: unknown) => {
            if (!(err instanceof ModelTaskError) || err.failure !== 'stopped') countFailure(err instanceof ModelTaskError ? err.failure : 'error');
            throw err;
          },
        )
        .finally(() => this.exporting.delete(output));
      this.exporting.set(output, p);
    }
    return p;
  }

  /** The thumbnail (PICTURE_NAME) of a member's checked picture, made in a model process from the file `input`. */
  async thumbnail(input: string, output: string): Promise<ExportResult> {
    return this.o.pool.run({ kind: 'thumbnail', input, output });
  }
}
