import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobStore } from '../../src/store/jobs.js';
import { pruneStoredFiles } from '../../src/jobs/retention.js';
import { createLogger } from '../../src/log/index.js';
import { newJob } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

const DAY = 24 * 3600_000;
const log = createLogger({ level: 'silent' });

describe.each(BACKENDS)('retention of stored result files (%s)', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let store: TestStore;
  let jobs: JobStore;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
  });
  afterEach(async () => {
    await store.cleanup();
    tmp.cleanup();
  });

  /** A succeeded job, finished at `finishedAt`, with a GLB and preview on disk. */
  async function finishedWithFiles(finishedAt: number) {
    const j = await jobs.insert(newJob({ createdAt: finishedAt - 80_000 }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 1, finishedAt - 79_000, finishedAt);
    const dir = join(tmp.dir, 'files', String(j.id));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.glb'), 'glTF');
    writeFileSync(join(dir, 'preview.webp'), 'RIFF');
    await jobs.setFiles(j.id, { modelFile: join(dir, 'model.glb'), modelBytes: 4, previewFile: join(dir, 'preview.webp') }, finishedAt);
    await jobs.finish(j.id, { state: 'succeeded', at: finishedAt });
    return { id: j.id, dir };
  }

  it('deletes the files of jobs older than the retention and forgets them; keeps newer ones', async () => {
    const now = 100 * DAY;
    const old = await finishedWithFiles(now - 31 * DAY);
    const recent = await finishedWithFiles(now - 2 * DAY);
    expect(await pruneStoredFiles(jobs, join(tmp.dir, 'files'), 30, now, log)).toBe(1);
    expect(existsSync(old.dir)).toBe(false);
    expect(await jobs.get(old.id)).toMatchObject({ modelFile: null, previewFile: null, state: 'succeeded' });
    expect(existsSync(join(recent.dir, 'model.glb'))).toBe(true);
    expect((await jobs.get(recent.id))?.modelFile).not.toBeNull();
    // Nothing left to do the second time.
    expect(await pruneStoredFiles(jobs, join(tmp.dir, 'files'), 30, now, log)).toBe(0);
  });

  it('also deletes the provider\'s original, the fitted GLB, cached exports and extra artifacts', async () => {
    const now = 100 * DAY;
    const j = await jobs.insert(newJob({ createdAt: now - 40 * DAY }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 1, now - 40 * DAY, now - 40 * DAY);
    const dir = join(tmp.dir, 'files', String(j.id));
    mkdirSync(dir, { recursive: true });
    const names = ['original.glb', 'model.glb', 'preview.webp', 'model.stl', 'model-obj.zip', 'turntable.gif'];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    await jobs.setDownloads(
      j.id,
      { previewFile: join(dir, 'preview.webp'), originalFile: join(dir, 'original.glb'), originalBytes: 1, processingState: 'pending', modelInfo: null },
      now - 40 * DAY,
    );
    await jobs.finish(j.id, { state: 'succeeded', at: now - 40 * DAY });
    await jobs.recordProcessing(
      j.id,
      { state: 'done', modelFile: join(dir, 'model.glb'), modelBytes: 1, modelInfo: { artifacts: [{ kind: 'turntable', file: join(dir, 'turntable.gif'), bytes: 1 }] } },
      now - 40 * DAY,
    );
    expect(await pruneStoredFiles(jobs, join(tmp.dir, 'files'), 30, now, log)).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(await jobs.get(j.id)).toMatchObject({ modelFile: null, previewFile: null, originalFile: null, modelInfo: {} });
  });

  it('deletes the copy of the member\'s picture of a job that failed and kept nothing else', async () => {
    const now = 100 * DAY;
    const j = await jobs.insert(newJob({ createdAt: now - 40 * DAY }));
    const dir = join(tmp.dir, 'files', String(j.id));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'picture.webp'), 'RIFF');
    await jobs.setPictureFile(j.id, join(dir, 'picture.webp'), now - 40 * DAY);
    await jobs.finish(j.id, { state: 'failed', at: now - 40 * DAY, errorCode: 'InvalidImage' });
    expect(await pruneStoredFiles(jobs, join(tmp.dir, 'files'), 30, now, log)).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(await jobs.get(j.id)).toMatchObject({ pictureFile: null, state: 'failed' });
  });

  it('keeps everything when retention is 0', async () => {
    const old = await finishedWithFiles(1000);
    expect(await pruneStoredFiles(jobs, join(tmp.dir, 'files'), 0, 1000 * DAY, log)).toBe(0);
    expect(existsSync(join(old.dir, 'model.glb'))).toBe(true);
  });

  it('sweeps job folders whose row is gone once they are an hour old; keeps folders of jobs, young ones, and what is not the bot\'s', async () => {
    const now = Date.now();
    const files = join(tmp.dir, 'files');
    const kept = await finishedWithFiles(now - 2 * DAY); // a job's own folder (retention 30 days keeps it)
    const folder = (name: string, entries: string[], ageMs: number) => {
      const dir = join(files, name);
      mkdirSync(dir, { recursive: true });
      for (const e of entries) writeFileSync(join(dir, e), 'x');
      const at = new Date(now - ageMs);
      utimesSync(dir, at, at);
      return dir;
    };
    const orphan = folder('987654', ['original.glb', 'model.glb', 'turntable.gif', '.original.glb.123.abc123.part'], 2 * 3600_000);
    const orphanWithOther = folder('987655', ['preview.webp', 'notes.txt'], 2 * 3600_000);
    const young = folder('987656', ['original.glb'], 60_000);
    const notAJob = folder('backup', ['model.glb'], 2 * 3600_000);
    const leadingZero = folder('0987657', ['model.glb'], 2 * 3600_000);
    const aged = new Date(now - 2 * 3600_000);
    utimesSync(kept.dir, aged, aged);

    await pruneStoredFiles(jobs, files, 30, now, log);
    expect(existsSync(orphan)).toBe(false);
    expect(readdirSync(orphanWithOther)).toEqual(['notes.txt']);
    expect(readdirSync(young)).toEqual(['original.glb']);
    expect(readdirSync(notAJob)).toEqual(['model.glb']);
    expect(readdirSync(leadingZero)).toEqual(['model.glb']);
    expect(readdirSync(kept.dir).sort()).toEqual(['model.glb', 'preview.webp']);
    // With retention off too: a folder without a job is nobody's.
    const later = folder('987658', ['model.glb'], 2 * 3600_000);
    await pruneStoredFiles(jobs, files, 0, now, log);
    expect(existsSync(later)).toBe(false);
  });

  it.runIf(backend === 'sqlite')('finds old files through an index', async () => {
    // The store's real statement, not a copy of its SQL.
    const sql = (jobs as unknown as { q: { withStoredFiles: string } }).q.withStoredFiles;
    const plan = await store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { before: 5, limit: 10 });
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/jobs_stored_files/);
  });
});
