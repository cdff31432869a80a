import { rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';

const DAY_MS = 24 * 3600_000;
const BATCH = 200;

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
      for (const file of [job.modelFile, job.previewFile]) {
        if (!file) continue;
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
