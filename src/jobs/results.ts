import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../store/jobs.js';
import { downloadToFile } from '../images/index.js';
import { MODEL_NAME, PREVIEW_NAME } from '../discord/render.js';

/** The preview is small; anything above this is not a preview we want to upload. */
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface StoredResults {
  previewFile: string | null;
  modelFile: string | null;
  modelBytes: number | null;
}

/**
 * Copies the provider's result files into data/ while their signed links still work,
 * keeping only what fits the context's upload limit; the GLB link stays as the fallback.
 */
export async function storeResults(
  job: Job,
  urls: { previewUrl?: string | undefined; modelUrl?: string | undefined },
  filesDir: string,
  log: Logger,
): Promise<StoredResults> {
  const dir = join(filesDir, String(job.id));
  const ctx = { jobId: job.id, taskId: job.taskId };
  let previewFile: string | null = null;
  let previewBytes = 0;
  if (urls.previewUrl) {
    const dest = join(dir, PREVIEW_NAME);
    const max = Math.min(PREVIEW_MAX_BYTES, job.attachmentSizeLimit);
    const r = await downloadToFile(urls.previewUrl, dest, { maxBytes: max, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (r.ok) {
      previewFile = dest;
      previewBytes = r.bytes;
    } else log.warn({ ...ctx, reason: r.reason }, 'preview not stored; the embed links to it instead');
  }
  let modelFile: string | null = null;
  let modelBytes: number | null = null;
  if (urls.modelUrl) {
    const dest = join(dir, MODEL_NAME);
    const max = job.attachmentSizeLimit - previewBytes;
    const r = await downloadToFile(urls.modelUrl, dest, { maxBytes: max, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (r.ok) {
      modelFile = dest;
      modelBytes = r.bytes;
    } else {
      modelBytes = r.bytes ?? null;
      log.info({ ...ctx, reason: r.reason, limit: max }, 'GLB not attached; the message links to it');
    }
  }
  return { previewFile, modelFile, modelBytes };
}
