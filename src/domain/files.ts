// The files the bot keeps for a job, as names and paths only (no fs here): the one list that Delete,
// the moderators' removal and retention remove (src/jobs/forget.ts), so what we keep we can forget.
import { basename, dirname, join } from 'node:path';
import type { Job } from './job.js';
import type { ModelInfo } from './model-info.js';

/** The GLB fitted under the upload limit (the model room writes it beside original.glb). */
export const FITTED_NAME = 'model.glb';
/** The turntable animation rendered from the model (an artifact of kind TURNTABLE_KIND). */
export const TURNTABLE_NAME = 'turntable.gif';
export const TURNTABLE_KIND = 'turntable';
/** The viewer page's copy (meshopt + WebP) and the copy for Android's Scene Viewer (Draco + JPEG), when PUBLIC_URL is set. */
export const WEB_COPY_NAME = 'web.glb';
export const WEB_COPY_KIND = 'web';
export const AR_COPY_NAME = 'ar.glb';
export const AR_COPY_KIND = 'ar';
/** The viewer page's poster: the turntable's first frame. */
export const POSTER_NAME = 'poster.png';
export const POSTER_KIND = 'poster';
export const EXPORT_NAMES = { stl: 'model.stl', obj: 'model-obj.zip' } as const;
export type ExportKind = keyof typeof EXPORT_NAMES;

/** The provider's still, as downloaded (and attached under this name). */
export const PREVIEW_NAME = 'preview.webp';
/** The provider's GLB, kept as downloaded: exports and re-sends start from it. */
export const ORIGINAL_NAME = 'original.glb';
/** A small copy of the member's picture as the bot fetched and checked it: the messages' thumbnail (src/images/thumbnail.ts). */
export const PICTURE_NAME = 'picture.webp';

/** Every name the bot writes in a job's folder: the member's picture, downloads, the fitted GLB, the turntable, the viewer's copies and the cached exports. */
export const JOB_FILE_NAMES: readonly string[] = [
  PICTURE_NAME,
  PREVIEW_NAME,
  ORIGINAL_NAME,
  FITTED_NAME,
  TURNTABLE_NAME,
  WEB_COPY_NAME,
  AR_COPY_NAME,
  POSTER_NAME,
  ...Object.values(EXPORT_NAMES),
];

/** Where a job's export is kept: beside its original GLB. */
export function exportPath(originalFile: string, kind: ExportKind): string {
  return join(dirname(originalFile), EXPORT_NAMES[kind]);
}

/** The folder of one job's files under FILES_DIR. */
export function jobFolder(filesDir: string, jobId: number): string {
  return join(filesDir, String(jobId));
}

/**
 * Every file the bot may keep for a job: the ones its row names (picture, model, preview, original, artifacts)
 * and each of JOB_FILE_NAMES in its folder (the exports and the fitted GLB are not on the row). The
 * folder is the job's own under `filesDir`, and the folder of the recorded files when FILES_DIR has
 * moved since. Some may not exist.
 */
export function jobFiles(job: Pick<Job, 'id' | 'pictureFile' | 'modelFile' | 'previewFile' | 'originalFile' | 'modelInfo'>, filesDir: string): string[] {
  const recorded = [job.pictureFile, job.modelFile, job.previewFile, job.originalFile, ...(job.modelInfo?.artifacts ?? []).map((a) => a.file)].filter(
    (f): f is string => !!f,
  );
  const folders = new Set([jobFolder(filesDir, job.id), ...recorded.map((f) => dirname(f))]);
  return [...new Set([...recorded, ...[...folders].flatMap((dir) => JOB_FILE_NAMES.map((name) => join(dir, name)))])];
}

/** The folders `jobFiles` lists files in (removed once empty). */
export function jobFolders(files: readonly string[]): string[] {
  return [...new Set(files.map((f) => dirname(f)))];
}

/**
 * Whether `name` in a job's folder is a half-written copy of one of the job's files that a crash left:
 * the model worker's `<name>.<pid>.tmp` (writeAtomic in src/model/pipeline.ts) and a download's
 * `.<name>.<pid>.<random>.part` (src/images/download.ts).
 */
export function isLeftover(name: string, owned: readonly string[]): boolean {
  return owned.some(
    (file) =>
      (name.startsWith(`${file}.`) && /^\.\d+\.tmp$/.test(name.slice(file.length))) ||
      (name.startsWith(`.${file}.`) && /^\.\d+\.[0-9a-f]+\.part$/.test(name.slice(file.length + 1))),
  );
}

/** The names of `files` (what a folder sweep recognises as the job's, beside its leftovers). */
export const namesOf = (files: readonly string[]): string[] => [...new Set(files.map((f) => basename(f)))];

/** What the row keeps of the model once its files are gone: everything but the artifacts' paths. */
export function withoutFiles(info: ModelInfo | null): ModelInfo | null {
  if (!info?.artifacts) return info;
  const { artifacts: _gone, ...rest } = info;
  return rest;
}
