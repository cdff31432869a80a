import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobStore } from '../../src/store/jobs.js';
import type { Job } from '../../src/domain/job.js';
import { removeJobFiles } from '../../src/jobs/forget.js';
import type { ModelStats } from '../../src/domain/model-info.js';
import { newJob } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

const AT = 1_700_000_000_000;
const ALL = ['original.glb', 'preview.webp', 'model.glb', 'turntable.gif', 'model.stl', 'model-obj.zip'];

describe.each(BACKENDS)('removeJobFiles: every file the bot keeps for a job (%s)', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let store: TestStore;
  let jobs: JobStore;
  let filesDir: string;

  beforeEach(async () => {
    tmp = tempDir();
    filesDir = join(tmp.dir, 'files');
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
  });
  afterEach(async () => {
    await store.cleanup();
    tmp.cleanup();
  });

  /** A delivered, fitted, exported job as the bot leaves it: every file on disk, the exports not on the row. */
  async function delivered(extra: string[] = []): Promise<{ job: Job; dir: string }> {
    const j = await jobs.insert(newJob({ createdAt: AT - 80_000 }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 1, AT - 79_000, AT - 79_000);
    const dir = join(filesDir, String(j.id));
    mkdirSync(dir, { recursive: true });
    for (const n of [...ALL, ...extra]) writeFileSync(join(dir, n), 'x');
    await jobs.setDownloads(
      j.id,
      { previewFile: join(dir, 'preview.webp'), originalFile: join(dir, 'original.glb'), originalBytes: 1, processingState: 'pending', modelInfo: null },
      AT,
    );
    await jobs.finish(j.id, { state: 'succeeded', at: AT });
    const stats: ModelStats = { triangles: 12, vertices: 8, materials: 1, textures: 0, largestTexturePx: 0, dims: [1, 1, 1], bytes: 1 };
    const job = await jobs.recordProcessing(
      j.id,
      { state: 'done', modelFile: join(dir, 'model.glb'), modelBytes: 1, modelInfo: { stats, artifacts: [{ kind: 'turntable', file: join(dir, 'turntable.gif'), bytes: 1 }] } },
      AT,
    );
    return { job: job!, dir };
  }

  it('deletes the downloads, the fitted GLB, the turntable and the cached exports, then the folder, and the row forgets them', async () => {
    const { job, dir } = await delivered();
    const other = await delivered();
    await removeJobFiles(jobs, job, filesDir, AT + 1000);
    expect(existsSync(dir)).toBe(false);
    const row = await jobs.get(job.id);
    expect(row).toMatchObject({ modelFile: null, previewFile: null, originalFile: null, updatedAt: AT + 1000 });
    // The stats stay for /model3d-history; no path to a deleted file does.
    expect(row?.modelInfo).toEqual({ stats: job.modelInfo!.stats });
    // Another job's files are not touched.
    expect(readdirSync(other.dir).sort()).toEqual([...ALL].sort());
    expect((await jobs.get(other.job.id))?.originalFile).toBe(join(other.dir, 'original.glb'));
  });

  it('half-written copies a crash left go too; a file that is not the bot’s stays, and so does its folder', async () => {
    const { job, dir } = await delivered(['model.stl.4242.tmp', '.original.glb.4242.0a1b2c.part', 'notes.txt']);
    await removeJobFiles(jobs, job, filesDir, AT);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('a job whose row names nothing any more (deleted before this fix) still loses what its folder holds', async () => {
    const { job, dir } = await delivered();
    await jobs.forgetFiles(job.id, AT, null);
    await removeJobFiles(jobs, (await jobs.get(job.id))!, filesDir, AT);
    expect(existsSync(dir)).toBe(false);
  });

  it('a file that cannot be deleted throws before the row forgets anything, so retention tries again', async () => {
    const { job, dir } = await delivered();
    // A folder where an export should be: rm without `recursive` refuses it, as it would a file it may not delete.
    rmSync(join(dir, 'model.stl'));
    mkdirSync(join(dir, 'model.stl'));
    writeFileSync(join(dir, 'model.stl', 'inside'), 'x');
    await expect(removeJobFiles(jobs, job, filesDir, AT)).rejects.toThrow();
    expect((await jobs.get(job.id))?.originalFile).toBe(join(dir, 'original.glb'));
  });
});
