import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import { ModelTaskError, type ModelPool } from './pool.js';
import type { ExportResult } from './tasks.js';
import type { TurntableSettings } from './turntable.js';
import type { ModelInfo } from '../domain/model-info.js';
import { EXPORT_NAMES, type ExportKind } from '../domain/files.js';

/** A job whose processing was interrupted this many times (crashes, restarts) is sent as it came. */
export const MAX_PROCESSING_ATTEMPTS = 3;

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
    const failed = (failure: NonNullable<ModelInfo['failure']>) =>
      jobs.recordProcessing(job.id, { state: 'failed', modelFile: null, modelBytes: null, modelInfo: { failure } }, clock());
    if (!job.originalFile || (await sizeOf(job.originalFile)) === null) {
      log.error(ctx, 'the downloaded GLB is gone; sending the link');
      return failed('download_failed');
    }
    if (job.processingAttempts > MAX_PROCESSING_ATTEMPTS) {
      log.error(ctx, 'model processing was interrupted too often; sending the model as the provider gave it');
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
      for (const s of r.artifactsSkipped) {
        log.warn({ ...ctx, artifact: s.kind, reason: s.reason }, `no ${s.kind} for this result; it ships without it`);
      }
      log.info(
        { ...ctx, ms: clock() - started, steps: r.fit.steps.map((s) => s.step), before: r.fit.bytesBefore, after: r.fit.bytesAfter, attached: r.output !== null },
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
      const failure = err instanceof ModelTaskError && err.failure !== 'stopped' ? err.failure : 'error';
      log.warn({ ...ctx, failure, err }, 'model could not be processed; sending it as the provider gave it');
      return failed(failure);
    }
  }

  /** The export file of a job, made from its original GLB on first demand and kept beside it. */
  async exportFile(job: Job, kind: ExportKind): Promise<ExportResult> {
    if (!job.originalFile) throw new ModelTaskError('error', 'no original file');
    const output = join(dirname(job.originalFile), EXPORT_NAMES[kind]);
    const cached = await sizeOf(output);
    if (cached !== null) return { file: output, bytes: cached };
    let p = this.exporting.get(output);
    if (!p) {
      const task =
        kind === 'stl'
          ? this.o.pool.run({ kind: 'stl', input: job.originalFile, output, heightMm: this.o.exportHeightMm })
          : this.o.pool.run({ kind: 'obj', input: job.originalFile, output });
      p = task.finally(() => this.exporting.delete(output));
      this.exporting.set(output, p);
    }
    return p;
  }
}
