/** What the bot knows about a model: computed once in the model process, stored on the job as JSON. */
export interface ModelStats {
  triangles: number;
  vertices: number;
  materials: number;
  textures: number;
  /** Largest side of the largest texture, in px; 0 without textures. */
  largestTexturePx: number;
  /** Bounding-box size in glTF units (metres by convention): x, y (up), z. */
  dims: [number, number, number];
  bytes: number;
}

export interface ValidationCounts {
  errors: number;
  warnings: number;
}

/** One rung of the fit-under-limit ladder that ran, with the size after it. */
export interface FitStep {
  /** 'lossless' | 'jpeg' | 'downscale' | 'simplify' | 'draco' */
  step: FitStepName;
  /** e.g. the texture size (1024) or the simplify ratio (0.5). */
  value?: number;
  bytesAfter: number;
}
export type FitStepName = 'lossless' | 'jpeg' | 'downscale' | 'simplify' | 'draco';

export interface FitReport {
  budgetBytes: number;
  bytesBefore: number;
  /** Size of the file to attach; null when nothing fit. */
  bytesAfter: number | null;
  steps: FitStep[];
  /** Validation of the attached file (0 errors is required to attach it). */
  validation: ValidationCounts | null;
}

/** A file the model process made besides the fitted GLB (e.g. a turntable GIF), kept in the job's folder. */
export interface Artifact {
  kind: string;
  file: string;
  bytes: number;
}

/** What the bot bounds in a model before expanding it (the figures: src/model/limits.ts). */
export type LimitName = 'triangles' | 'nodes' | 'accessorBytes' | 'totalAccessorBytes' | 'textures' | 'texturePixels' | 'totalTexturePixels';

/** The limit a model is over: its figure and the limit's. */
export interface LimitExceeded {
  limit: LimitName;
  value: number;
  max: number;
  /** For 'texturePixels': the texture's width and height. */
  dims?: [number, number];
}

/** Why a model could not be processed; the member sees one honest line for it. */
export type ProcessingFailure = 'corrupt' | 'too_complex' | 'timeout' | 'memory' | 'crashed' | 'too_large_download' | 'download_failed' | 'error';

/** Stored on the job (model_info). */
export interface ModelInfo {
  stats?: ModelStats;
  /** gltf-validator on the provider's file. */
  validation?: ValidationCounts;
  fit?: FitReport;
  artifacts?: Artifact[];
  failure?: ProcessingFailure;
  /** With failure 'too_complex': the limit the model is over (src/model/limits.ts). */
  exceeded?: LimitExceeded;
  /** MODEL_MAX_DOWNLOAD_MB in bytes, when the GLB was over it. */
  downloadLimitBytes?: number;
}
