import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../domain/job.js';
import { downloadToFile, type DownloadRefusal, type DownloadResult } from '../images/index.js';
import { ORIGINAL_NAME, PREVIEW_NAME, jobFolder } from '../domain/files.js';
import type { ProcessingFailure } from '../domain/model-info.js';

/** The preview is small; anything above this is not a preview we want to upload. */
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;
const PREVIEW_TIMEOUT_MS = 60_000;
/** A 200 MB model over a slow link still arrives; the download is streamed to disk. */
const MODEL_TIMEOUT_MS = 10 * 60_000;

export interface StoredResults {
  previewFile: string | null;
  originalFile: string | null;
  originalBytes: number | null;
  /** Set when the model was not downloaded (it is then only linked). */
  failure: ProcessingFailure | null;
  /** Set when the address guard refused a result link (nothing fetched from it). */
  filesRefused: DownloadRefusal | null;
}

const REFUSALS: ReadonlySet<string> = new Set<DownloadRefusal>(['private_address', 'bad_scheme', 'too_many_redirects']);
const refusal = (r: DownloadResult): DownloadRefusal | null =>
  !r.ok && REFUSALS.has(r.reason) ? (r.reason as DownloadRefusal) : null;

/**
 * Copies the provider's result files into FILES_DIR while their signed links still work: the
 * preview when it fits the upload limit, and the GLB whole (up to MODEL_MAX_DOWNLOAD_MB) so it can
 * be fitted under the limit off the event loop. The GLB link stays as the fallback.
 */
export async function storeResults(
  job: Job,
  urls: { previewUrl?: string | undefined; modelUrl?: string | undefined },
  filesDir: string,
  maxModelBytes: number,
  log: Logger,
  opts: { allowPrivate: boolean },
): Promise<StoredResults> {
  const dir = jobFolder(filesDir, job.id);
  const ctx = { jobId: job.id, taskId: job.taskId };
  let previewFile: string | null = null;
  let filesRefused: DownloadRefusal | null = null;
  if (urls.previewUrl) {
    const dest = join(dir, PREVIEW_NAME);
    const max = Math.min(PREVIEW_MAX_BYTES, job.attachmentSizeLimit);
    const r = await downloadToFile(urls.previewUrl, dest, { ...opts, maxBytes: max, timeoutMs: PREVIEW_TIMEOUT_MS });
    if (r.ok) previewFile = dest;
    else {
      filesRefused = refusal(r);
      log.warn({ ...ctx, reason: r.reason }, 'preview not stored; the embed links to it instead');
    }
  }
  if (!urls.modelUrl) return { previewFile, originalFile: null, originalBytes: null, failure: 'download_failed', filesRefused };
  const dest = join(dir, ORIGINAL_NAME);
  const r = await downloadToFile(urls.modelUrl, dest, { ...opts, maxBytes: maxModelBytes, timeoutMs: MODEL_TIMEOUT_MS });
  if (r.ok) return { previewFile, originalFile: dest, originalBytes: r.bytes, failure: null, filesRefused };
  log.warn({ ...ctx, reason: r.reason, limit: maxModelBytes }, 'GLB not downloaded; the message links to it');
  return {
    previewFile,
    originalFile: null,
    originalBytes: r.bytes ?? null,
    failure: r.reason === 'too_large' ? 'too_large_download' : 'download_failed',
    filesRefused: filesRefused ?? refusal(r),
  };
}
