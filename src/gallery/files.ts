import { existsSync } from 'node:fs';
import type { Job } from '../domain/job.js';
import type { FileToAttach } from '../discord/render.js';
import { PREVIEW_NAME, TURNTABLE_KIND, TURNTABLE_NAME } from '../domain/files.js';
import { modelFileName } from '../domain/names.js';
import { statsText } from '../discord/model-text.js';

/** What a gallery post shows of one model. */
export interface GalleryFiles {
  /** The picture at the top of the post (the turntable when there is one, else the preview). */
  image: FileToAttach | null;
  /** The GLB members download from the post. */
  model: FileToAttach | null;
  /** One line about the model (triangles, size…), when known. */
  stats: string | null;
}

/**
 * The one place that decides which of a job's stored files the gallery posts: the turntable when it
 * was rendered (else the provider's preview), the GLB that fits the upload limit (`modelFile`, the
 * fitted copy when one was made) and the model's stats.
 */
export function galleryFiles(job: Job): GalleryFiles {
  const present = (path: string | null) => (path && existsSync(path) ? path : null);
  const preview = present(job.previewFile);
  const turntable = present(job.modelInfo?.artifacts?.find((a) => a.kind === TURNTABLE_KIND)?.file ?? null);
  const model = present(job.modelFile);
  return {
    image: turntable ? { name: TURNTABLE_NAME, path: turntable } : preview ? { name: PREVIEW_NAME, path: preview } : null,
    model: model ? { name: modelFileName(job), path: model } : null,
    stats: job.modelInfo?.stats ? statsText(job.locale, job.modelInfo.stats, job.modelInfo.validation) : null,
  };
}
