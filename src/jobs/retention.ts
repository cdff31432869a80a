import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { Job } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import { EXPORT_NAMES, FITTED_NAME } from '../domain/files.js';

const DAY_MS = 24 * 3600_000;
const BATCH = 200;

/** Every file the bot keeps for a job: downloads, the fitted GLB, extra artifacts and cached exports. */
function storedFiles(job: Job): string[] {
  const files = [job.modelFile, job.previewFile, job.originalFile, ...(job.modelInfo?.artifacts ?? []).map((a) => a.file)];
  if (job.originalFile) {
    const dir = dirname(job.originalFile);
    files.push(join(dir, FITTED_NAME), ...Object.values(EXPORT_NAMES).map((name) => join(dir, name)));
  }
  return [...new Set(files.filter((f): f is string => !!f))];
}

/**
 * Deletes downloaded previews and GLBs of jobs that finished more than `days` ago, so that
 * FILES_DIR does not grow forever. The result messages keep Discord's own copies.
 */
export async function pruneStoredFiles(jobs: JobStore, days: number, now: number, log: Logger): Promise<number> {
  if (days <= 0) return 0;
  let pruned = 0;
  for (;;) {
    const batch = await jobs.withStoredFilesBefore(now - days * DAY_MS, BATCH);
    for (const job of batch) {
      for (const file of storedFiles(job)) {
        await rm(file, { force: true });
        // The job's own folder goes too once it is empty; anything else in it is left alone.
        await rmdir(dirname(file)).catch(() => undefined);
      }
      await jobs.forgetFiles(job.id, now);
    }
    pruned += batch.length;
    if (batch.length < BATCH) break;
  }
  if (pruned) log.info({ jobs: pruned, olderThanDays: days }, 'deleted old stored result files');
  return pruned;
}
