import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';
import { deleteJobFiles, removeJobFiles } from './forget.js';

const DAY_MS = 24 * 3600_000;
const BATCH = 200;
/** A folder without a job row is swept only once it has been left alone this long (never one being written). */
const ORPHAN_AGE_MS = 3600_000;
/** A job folder's name: the job's id. */
const JOB_ID_NAME = /^[1-9]\d{0,15}$/;

/**
 * Deletes the stored files of jobs that finished more than `days` ago (removeJobFiles: every file
 * the bot keeps for a job), so that FILES_DIR does not grow forever. The result messages keep
 * Discord's own copies. Also sweeps orphans, whatever `days` is (sweepOrphanFolders).
 */
export async function pruneStoredFiles(jobs: JobStore, filesDir: string, days: number, now: number, log: Logger): Promise<number> {
  await sweepOrphanFolders(jobs, filesDir, now, log);
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

/**
 * Folders under FILES_DIR named like a job id whose job row is gone (rows deleted before Delete
 * forgot files, or by hand) and untouched for an hour: the bot's own files in them are deleted
 * (the same list as for a job), then the folder once empty. Anything else in FILES_DIR stays.
 */
async function sweepOrphanFolders(jobs: JobStore, filesDir: string, now: number, log: Logger): Promise<number> {
  const entries = await readdir(filesDir, { withFileTypes: true }).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  });
  const ids = entries.filter((e) => e.isDirectory() && JOB_ID_NAME.test(e.name)).map((e) => Number(e.name));
  let swept = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const known = await jobs.existingIds(batch);
    for (const id of batch) {
      if (known.has(id)) continue;
      const folder = await stat(join(filesDir, String(id))).catch(() => null);
      if (!folder || folder.mtimeMs > now - ORPHAN_AGE_MS) continue;
      await deleteJobFiles({ id, modelFile: null, previewFile: null, pictureFile: null, originalFile: null, modelInfo: null }, filesDir);
      swept++;
    }
  }
  if (swept) log.info({ folders: swept }, 'deleted stored files of jobs that no longer exist');
  return swept;
}
