import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

describe.each(BACKENDS)('model processing on the jobs table (real %s store)', (backend) => {
  let store: TestStore;
  let jobs: JobStore;

  beforeEach(async () => {
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
  });
  afterEach(() => store.cleanup());

  /** A job whose task just succeeded and whose GLB was downloaded. */
  async function downloaded(at = 10_000) {
    const j = await jobs.insert(newJob({ createdAt: 1000 }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 35000, 1000, 2000);
    await jobs.setDownloads(
      j.id,
      { previewFile: '/f/preview.webp', originalFile: '/f/original.glb', originalBytes: 30_000_000, processingState: 'pending', modelInfo: null },
      at,
    );
    return (await jobs.finish(j.id, { state: 'succeeded', at, modelUrl: 'https://cdn/m.glb' }))!;
  }

  it('the result message waits while the model is processed, then is due at once', async () => {
    const j = await downloaded();
    expect(j).toMatchObject({ state: 'succeeded', processingState: 'pending', modelFile: null, originalBytes: 30_000_000 });
    expect((await jobs.claimDueDeliveries(1e12, 1e12 + 1, 10)).map((x) => x.id)).not.toContain(j.id);

    const claimed = await jobs.claimDueProcessing(10_000, 200_000, 1);
    expect(claimed.map((x) => x.id)).toEqual([j.id]);
    expect(claimed[0]!.processingAttempts).toBe(1);
    // Leased: not claimed twice.
    expect(await jobs.claimDueProcessing(10_001, 200_000, 1)).toEqual([]);

    const info = { stats: { triangles: 3, vertices: 3, materials: 0, textures: 0, largestTexturePx: 0, dims: [1, 1, 1] as [number, number, number], bytes: 9 } };
    const done = (await jobs.recordProcessing(j.id, { state: 'done', modelFile: '/f/model.glb', modelBytes: 4_000_000, modelInfo: info }, 20_000))!;
    expect(done).toMatchObject({ processingState: 'done', modelFile: '/f/model.glb', modelBytes: 4_000_000, modelInfo: info });
    expect((await jobs.claimDueDeliveries(20_000, 30_000, 10)).map((x) => x.id)).toEqual([j.id]);
    // Recorded once: a second outcome (e.g. from a process that lost its lease) changes nothing.
    expect(await jobs.recordProcessing(j.id, { state: 'failed', modelFile: null, modelBytes: null, modelInfo: { failure: 'timeout' } }, 21_000)).toBeUndefined();
  });

  it('after a crash: processing resumes at once (another attempt), and the message still waits for it', async () => {
    const j = await downloaded();
    await jobs.claimDueProcessing(10_000, 10_000 + 180_000, 1);
    // The process died holding the lease; the restart resumes everything.
    expect(await jobs.resumeAll(11_000)).toMatchObject({ processing: 1 });
    expect(await jobs.claimDueDeliveries(1e12, 1e12 + 1, 10)).toEqual([]);
    const again = await jobs.claimDueProcessing(11_000, 200_000, 1);
    expect(again.map((x) => [x.id, x.processingAttempts])).toEqual([[j.id, 2]]);
  });

  it('claims no more jobs than there are free workers', async () => {
    await downloaded();
    await downloaded();
    expect(await jobs.claimDueProcessing(10_000, 200_000, 0)).toEqual([]);
    expect(await jobs.claimDueProcessing(10_000, 200_000, 1)).toHaveLength(1);
  });

  it('a GLB that was not downloaded: nothing to process, the result is due at once', async () => {
    const j = await jobs.insert(newJob({ createdAt: 1000 }));
    await jobs.markSubmitted(j.id, 'task-x', 35000, 1000, 2000);
    await jobs.setDownloads(
      j.id,
      { previewFile: null, originalFile: null, originalBytes: 300_000_000, processingState: 'failed', modelInfo: { failure: 'too_large_download' } },
      5000,
    );
    await jobs.finish(j.id, { state: 'succeeded', at: 5000 });
    expect(await jobs.claimDueProcessing(5000, 9000, 5)).toEqual([]);
    expect((await jobs.claimDueDeliveries(5000, 9000, 10)).map((x) => x.id)).toEqual([j.id]);
  });
});
