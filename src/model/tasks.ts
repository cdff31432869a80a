import type { Artifact, FitReport, ModelStats, ValidationCounts } from '../domain/model-info.js';
import type { TurntableSettings } from './turntable.js';
import type { LimitExceeded } from '../domain/model-info.js';

/**
 * The work a model process does. Each kind has one handler in child.ts; adding a kind is
 * adding a member here, its result in TaskResults, and its handler. Tasks and results carry
 * file paths, never the files themselves: the model process reads and writes them.
 */
export type ModelTask =
  | { kind: 'process'; input: string; outDir: string; budgetBytes: number; turntable?: TurntableSettings | null; webCopies?: boolean }
  | { kind: 'stl'; input: string; output: string; heightMm: number }
  | { kind: 'obj'; input: string; output: string }
  /** The small WebP of a member's checked picture that the job's messages show (src/images/thumbnail.ts). */
  | { kind: 'thumbnail'; input: string; output: string };

export interface ProcessResult {
  stats: ModelStats;
  /** gltf-validator on the provider's file. */
  validation: ValidationCounts;
  fit: FitReport;
  /** The GLB to attach (it fits and has 0 validator errors), or null. May be the input itself. */
  output: string | null;
  /** Extra files made from the loaded model (see pipeline.ts, artifactSteps) that fit beside the GLB, and the viewer page's copies (never attached, kept whatever their size). */
  artifacts: Artifact[];
  /** Extras that were not made or do not fit, and why: the main thread logs them with the job. */
  artifactsSkipped: { kind: string; reason: string }[];
  /** Peak RSS of the model process that ran the task (over its life so far), bytes. */
  processPeakRssBytes?: number;
  /** Milliseconds spent loading, validating and fitting (`fit`) and making the extras (`render`), for the metrics. */
  timings: { fitMs: number; renderMs: number };
}

export interface ExportResult {
  file: string;
  bytes: number;
  /** As in ProcessResult; absent for an export made earlier and taken from disk. */
  processPeakRssBytes?: number;
}

export interface TaskResults {
  process: ProcessResult;
  stl: ExportResult;
  obj: ExportResult;
  thumbnail: ExportResult;
}

/**
 * Why a task failed, as the bot sees it. 'too_complex': over a limit of src/model/limits.ts, found
 * before expanding the model. 'stopped': the pool was closed (shutdown) while it ran or waited.
 * 'busy': the pool's queue was full and the task was not taken.
 */
export type TaskFailure = 'corrupt' | 'too_complex' | 'timeout' | 'memory' | 'crashed' | 'error' | 'stopped' | 'busy';

/** A model process's answer to one task. */
export type WorkerReply =
  | { ok: true; result: TaskResults[ModelTask['kind']] }
  | { ok: false; failure: TaskFailure; message: string; exceeded?: LimitExceeded };

/** Messages over the IPC channel: the bot sends a task with its id; the process says once that it is ready, then answers each task. */
export type ToChild = { id: number; task: ModelTask };
export type FromChild = { ready: true } | { id: number; reply: WorkerReply };

/** Allocation failures that surface as errors (the OS bound on this process, a typed array, libvips, WebAssembly). */
const OUT_OF_MEMORY = /out of memory|allocation failed|cannot allocate memory|bad_alloc|Cannot enlarge memory|Maximum memory size exceeded|could not allocate memory/i;

/** Whether an error is the process running out of memory rather than anything about the model. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && OUT_OF_MEMORY.test(err.message);
}
