import type { Artifact, FitReport, ModelStats, ValidationCounts } from '../domain/model-info.js';
import type { TurntableSettings } from './turntable.js';

/**
 * The work a model worker does. Each kind has one handler in worker.ts; adding a kind is
 * adding a member here, its result in TaskResults, and its handler.
 */
export type ModelTask =
  | { kind: 'process'; input: string; outDir: string; budgetBytes: number; turntable?: TurntableSettings | null; webCopies?: boolean }
  | { kind: 'stl'; input: string; output: string; heightMm: number }
  | { kind: 'obj'; input: string; output: string };

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
}

export interface ExportResult {
  file: string;
  bytes: number;
}

export interface TaskResults {
  process: ProcessResult;
  stl: ExportResult;
  obj: ExportResult;
}

/** Why a task failed, as the main thread sees it. 'stopped': the pool was closed (shutdown) while it ran. */
export type TaskFailure = 'corrupt' | 'timeout' | 'memory' | 'crashed' | 'error' | 'stopped';

export type WorkerReply =
  | { ok: true; result: TaskResults[ModelTask['kind']] }
  | { ok: false; failure: TaskFailure; message: string };
