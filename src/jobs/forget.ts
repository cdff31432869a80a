import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import { isLeftover, jobFiles, jobFolders, namesOf, withoutFiles } from '../domain/files.js';

const code = (err: unknown) => (err as { code?: unknown } | null)?.code;

/**
 * Deletes every file the bot keeps for a job (`jobFiles`, and half-written copies of them a crash
 * left), then its folder once nothing else is in it, then forgets them on the row. The one way job
 * files go: Delete, the moderators' removal and retention all come here. A file that cannot be
 * deleted throws before the row forgets anything, so retention tries again later.
 */
export async function removeJobFiles(jobs: JobStore, job: Job, filesDir: string, at: number): Promise<void> {
  await deleteJobFiles(job, filesDir);
  await jobs.forgetFiles(job.id, at, withoutFiles(job.modelInfo));
}

/** The files half of removeJobFiles (also for a folder whose job row is gone). */
export async function deleteJobFiles(job: Parameters<typeof jobFiles>[0], filesDir: string): Promise<void> {
  const files = jobFiles(job, filesDir);
  for (const file of files) await rm(file, { force: true });
  const names = namesOf(files);
  for (const dir of jobFolders(files)) {
    const entries = await readdir(dir).catch((err: unknown) => {
      if (code(err) === 'ENOENT') return [];
      throw err;
    });
    for (const name of entries) if (isLeftover(name, names)) await rm(join(dir, name), { force: true });
    // Anything else in it is not the bot's, and stays (with the folder).
    await rmdir(dir).catch((err: unknown) => {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(String(code(err)))) throw err;
    });
  }
}
