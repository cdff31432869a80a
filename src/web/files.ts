import { AR_COPY_KIND, POSTER_KIND, TURNTABLE_KIND, WEB_COPY_KIND, type ExportKind } from '../domain/files.js';
import type { Job } from '../domain/job.js';
import { fileBase } from '../domain/names.js';

/**
 * What a viewer page serves under /m/<token>/: a fixed table of names, each found from the job's
 * row (never from a path in the URL). A name not in it is a 404.
 */
export type PageFile =
  | { kind: 'stored'; pick: (job: Job) => string | null; type: string; download?: (job: Job) => string }
  | { kind: 'export'; export: ExportKind; type: string; download: (job: Job) => string };

const artifact = (kind: string) => (job: Job) => job.modelInfo?.artifacts?.find((a) => a.kind === kind)?.file ?? null;
const GLB = 'model/gltf-binary';

export const PAGE_FILES: Readonly<Record<string, PageFile>> = {
  // What the viewer shows: the web copy, or (when it could not be made) the fitted GLB or the original.
  'web.glb': { kind: 'stored', pick: (job) => artifact(WEB_COPY_KIND)(job) ?? job.modelFile ?? job.originalFile, type: GLB },
  // What Android's Scene Viewer gets (no meshopt, no WebP); the fitted GLB when there is no AR copy.
  'ar.glb': { kind: 'stored', pick: (job) => artifact(AR_COPY_KIND)(job) ?? job.modelFile ?? job.originalFile, type: GLB },
  'poster.png': { kind: 'stored', pick: artifact(POSTER_KIND), type: 'image/png' },
  'preview.webp': { kind: 'stored', pick: (job) => job.previewFile, type: 'image/webp' },
  'turntable.gif': { kind: 'stored', pick: artifact(TURNTABLE_KIND), type: 'image/gif' },
  'original.glb': { kind: 'stored', pick: (job) => job.originalFile, type: GLB, download: (job) => `${fileBase(job.title)}-original.glb` },
  'model.glb': { kind: 'stored', pick: (job) => job.modelFile, type: GLB, download: (job) => `${fileBase(job.title)}.glb` },
  'model.stl': { kind: 'export', export: 'stl', type: 'model/stl', download: (job) => `${fileBase(job.title)}.stl` },
  'model-obj.zip': { kind: 'export', export: 'obj', type: 'application/zip', download: (job) => `${fileBase(job.title)}-obj.zip` },
};

/** The stored file behind one of PAGE_FILES' names for this job, or null. */
export function storedFile(job: Job, name: string): string | null {
  const entry = Object.hasOwn(PAGE_FILES, name) ? PAGE_FILES[name] : undefined;
  return entry?.kind === 'stored' ? entry.pick(job) : null;
}
