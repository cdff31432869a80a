import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../store/jobs.js';
import { downloadToFile, type DownloadRefusal, type DownloadResult } from '../images/index.js';
import { MODEL_NAME, PREVIEW_NAME } from '../discord/render.js';

/** The preview is small; anything above this is not a preview we want to upload. */
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface StoredResults {
  previewFile: string | null;
  modelFile: string | null;
  modelBytes: number | null;
  /** Set when the address guard refused a result link (nothing fetched from it). */
  filesRefused: DownloadRefusal | null;
}

const REFUSALS: ReadonlySet<string> = new Set<DownloadRefusal>(['private_address', 'bad_scheme', 'too_many_redirects']);
const refusal = (r: DownloadResult): DownloadRefusal | null =>
  !r.ok && REFUSALS.has(r.reason) ? (r.reason as DownloadRefusal) : null;

/**
 * Copies the provider's result files into data/ while their signed links still work,
 * keeping only what fits the context's upload limit; the GLB link stays as the fallback.
 */
export async function storeResults(
  job: Job,
  urls: { previewUrl?: string | undefined; modelUrl?: string | undefined },
  filesDir: string,
  log: Logger,
  opts: { allowPrivate: boolean },
): Promise<StoredResults> {
  const dir = join(filesDir, String(job.id));
  const ctx = { jobId: job.id, taskId: job.taskId };
  let previewFile: string | null = null;
  let previewBytes = 0;
  let filesRefused: DownloadRefusal | null = null;
  const common = { timeoutMs: DOWNLOAD_TIMEOUT_MS, allowPrivate: opts.allowPrivate };
  if (urls.previewUrl) {
    const dest = join(dir, PREVIEW_NAME);
    const max = Math.min(PREVIEW_MAX_BYTES, job.attachmentSizeLimit);
    const r = await downloadToFile(urls.previewUrl, dest, { ...common, maxBytes: max });
    if (r.ok) {
      previewFile = dest;
      previewBytes = r.bytes;
    } else {
      filesRefused ??= refusal(r);
      log.warn({ ...ctx, reason: r.reason }, 'preview not stored; the embed links to it instead');
    }
  }
  let modelFile: string | null = null;
  let modelBytes: number | null = null;
  if (urls.modelUrl) {
    const dest = join(dir, MODEL_NAME);
    const max = job.attachmentSizeLimit - previewBytes;
    const r = await downloadToFile(urls.modelUrl, dest, { ...common, maxBytes: max });
    if (r.ok) {
      modelFile = dest;
      modelBytes = r.bytes;
    } else {
      modelBytes = r.bytes ?? null;
      filesRefused ??= refusal(r);
      log.info({ ...ctx, reason: r.reason, limit: max }, 'GLB not attached; the message links to it');
    }
  }
  return { previewFile, modelFile, modelBytes, filesRefused };
}
