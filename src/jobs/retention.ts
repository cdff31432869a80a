import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';
import { removeJobFiles } from './forget.js';

const DAY_MS = 24 * 3600_000;
const BATCH = 200;

/**
 * Deletes the stored files of jobs that finished more than `days` ago (removeJobFiles: every file
 * the bot keeps for a job), so that FILES_DIR does not grow forever. The result messages keep
 * Discord's own copies.
 */
export async function pruneStoredFiles(jobs: JobStore, filesDir: string, days: number, now: number, log: Logger): Promise<number> {
  if (days <= 0) return 0;
  let pruned = 0;
  for (;;) {
    const batch = await jobs.withStoredFilesBefore(now - days * DAY_MS, BATCH);
    for (const job of batch) await removeJobFiles(jobs, job, filesDir, now);
    pruned += batch.length;
    if (batch.length < BATCH) break;
  }
  if (pruned) log.info({ jobs: pruned, olderThanDays: days }, 'deleted old stored result files');
  return pruned;
}
