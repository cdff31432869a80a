import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite, type SqliteDb } from '../../src/store/sqlite.js';
import { JobStore } from '../../src/store/jobs.js';
import type { Job } from '../../src/domain/job.js';
import { ModelPool } from '../../src/model/pool.js';
import { ModelProcessor, MAX_PROCESSING_ATTEMPTS } from '../../src/model/processor.js';
import { modelIO } from '../../src/model/io.js';
import { createLogger } from '../../src/log/index.js';
import { newJob } from '../helpers/jobs.js';
import { fifoBarrier } from '../helpers/fifo.js';
import { tempDir } from '../helpers/tmp.js';
import { model } from './fixtures.js';

const log = createLogger({ level: 'silent' });

describe('ModelProcessor on a real SQLite file and a real worker pool', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: SqliteDb;
  let jobs: JobStore;

  beforeEach(() => {
    tmp = tempDir('model3d-processor-');
    db = openSqlite(join(tmp.dir, 'bot.sqlite'));
    jobs = new JobStore(db);
  });
  afterEach(async () => {
    await db.close();
    tmp.cleanup();
  });

  async function pendingJob(): Promise<Job> {
    const j = await jobs.insert(newJob({ createdAt: 1000, attachmentSizeLimit: 10 * 1024 * 1024 }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 1, 1000, 2000);
    const dir = join(tmp.dir, String(j.id));
    mkdirSync(dir, { recursive: true });
    const glb = await (await modelIO()).writeBinary(await model({ textures: [{ px: 256 }] }));
    writeFileSync(join(dir, 'original.glb'), glb);
    await jobs.setDownloads(j.id, { previewFile: null, originalFile: join(dir, 'original.glb'), originalBytes: glb.length, processingState: 'pending', modelInfo: null }, 3000);
    await jobs.finish(j.id, { state: 'succeeded', at: 3000 });
    return (await jobs.claimDueProcessing(3000, 999_999, 1))[0]!;
  }

  it('records stats, validation and the fit on the job, and makes the result due', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    const processor = new ModelProcessor({ jobs, pool, log, clock: () => 5000, exportHeightMm: 100 });
    const done = (await processor.process(await pendingJob()))!;
    expect(done).toMatchObject({ processingState: 'done', modelFile: done.originalFile });
    expect(done.modelInfo?.stats?.triangles).toBe(2 * 40 * 29);
    expect(done.modelInfo?.validation?.errors).toBe(0);
    expect((await jobs.claimDueDeliveries(5000, 6000, 10)).map((j) => j.id)).toEqual([done.id]);
    await pool.close();
  });

  it('a shutdown during processing leaves the job pending, to resume after restart', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    const processor = new ModelProcessor({ jobs, pool, log, clock: () => 5000, exportHeightMm: 100 });
    const job = await pendingJob();
    // Its original is a pipe: the worker is processing the job once it has opened it, and stays there.
    rmSync(job.originalFile!);
    const held = fifoBarrier(job.originalFile!);
    onTestFinished(() => held.release());
    const running = processor.process(job);
    await held.openedBy(running);
    const closing = pool.close();
    // A stopped worker still waits for the read it has under way, which on a pipe returns only once ended.
    await held.release();
    await closing;
    expect(await running).toBeUndefined();
    expect(await jobs.get(job.id)).toMatchObject({ processingState: 'pending', modelFile: null });
    expect(await jobs.claimDueDeliveries(1e12, 1e12 + 1, 10)).toEqual([]);
  });

  it('after too many interrupted attempts, sends the model as the provider gave it', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    const processor = new ModelProcessor({ jobs, pool, log, clock: () => 5000, exportHeightMm: 100 });
    const job = await pendingJob();
    const failed = (await processor.process({ ...job, processingAttempts: MAX_PROCESSING_ATTEMPTS + 1 }))!;
    expect(failed).toMatchObject({ processingState: 'failed', modelFile: null, modelInfo: { failure: 'crashed' } });
    await pool.close();
  });
});
