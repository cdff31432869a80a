import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { JobStore } from '../../src/store/jobs.js';
import { GalleryStore } from '../../src/store/gallery.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

const G = '200000000000000001';

describe.each(BACKENDS)('gallery posts and result-button jobs on a real %s store', (backend) => {
  let store: TestStore;
  let jobs: JobStore;
  let gallery: GalleryStore;

  beforeEach(async () => {
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
    gallery = new GalleryStore(store.db);
  });
  afterEach(() => store.cleanup());

  const succeeded = async (at: number) => {
    const j = await jobs.insert(newJob({ guildId: G, createdAt: at - 60_000 }));
    await jobs.markSubmitted(j.id, `task-${j.id}`, 1, at - 50_000, at);
    return (await jobs.finish(j.id, { state: 'succeeded', at }))!;
  };

  it('claims a job once, even from a second connection; only a failed claim may be made again', async () => {
    const job = await succeeded(1000);
    const otherDb = await openStore(store.location);
    const other = new GalleryStore(otherDb);
    expect((await gallery.claim(job.id, G, 'c1', 2000))?.state).toBe('posting');
    expect(await other.claim(job.id, G, 'c1', 2001)).toBeUndefined();
    await gallery.markFailed(job.id, 2002);
    expect((await other.claim(job.id, G, 'c1', 2003))?.state).toBe('posting');
    await gallery.markPosted(job.id, { threadId: 't', messageId: 't' }, 2004);
    expect(await gallery.claim(job.id, G, 'c1', 2005)).toBeUndefined();
    expect(await gallery.markRemoved(job.id, 2006)).toBe(true);
    expect(await gallery.claim(job.id, G, 'c1', 2007)).toBeUndefined();
    expect((await gallery.post(job.id))?.state).toBe('removed');
    await otherDb.close();
  });

  it('lists claims still posting since before a time, oldest first: those a stopped process left', async () => {
    const [a, b, c] = [await succeeded(1000), await succeeded(1000), await succeeded(1000)];
    await gallery.claim(a.id, G, 'c1', 5000);
    await gallery.claim(b.id, G, 'c1', 3000);
    await gallery.claim(c.id, G, 'c1', 4000);
    await gallery.markPosted(c.id, { threadId: null, messageId: 'm' }, 4500);
    expect((await gallery.stalePosts(6000, 10)).map((p) => [p.jobId, p.updatedAt])).toEqual([[b.id, 3000], [a.id, 5000]]);
    expect((await gallery.stalePosts(5000, 10)).map((p) => p.jobId)).toEqual([b.id]);
    expect(await gallery.stalePosts(6000, 1)).toHaveLength(1);
  });

  it('mode all catches up only on unposted, undeleted jobs finished since the gallery was set', async () => {
    const before = await succeeded(1000);
    await gallery.set(G, 'c1', 'all', 'mod', 5000);
    const missed = await succeeded(6000);
    const posted = await succeeded(7000);
    await gallery.claim(posted.id, G, 'c1', 7001);
    const deleted = await succeeded(8000);
    expect((await jobs.markDeleted(deleted.id, 'u', 8001))?.deletedBy).toBe('u');
    // Still being processed: it is posted when processing ends, not by the catch-up.
    const processing = await succeeded(8500);
    const downloads = { previewFile: null, originalFile: '/x/original.glb', originalBytes: 1, modelInfo: null };
    await jobs.setDownloads(processing.id, { ...downloads, processingState: 'pending' }, 8500);
    expect((await gallery.unpostedJobs(0, 10)).map((j) => j.id)).toEqual([missed.id]);
    await jobs.recordProcessing(processing.id, { state: 'done', modelFile: '/x/model.glb', modelBytes: 1, modelInfo: {} }, 8600);
    expect((await gallery.unpostedJobs(0, 10)).map((j) => j.id)).toEqual([missed.id, processing.id]);
    expect(before.id).toBeLessThan(missed.id);
    await gallery.set(G, 'c1', 'opt-in', 'mod', 9000);
    expect(await gallery.unpostedJobs(0, 10)).toEqual([]);
  });

  it('allows one job in flight per result and button, and deletes only finished jobs, once', async () => {
    const parent = await succeeded(1000);
    const child = await jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' }));
    expect((await jobs.childInFlight(parent.id, 'detailed'))?.id).toBe(child.id);
    await expect(jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' }))).rejects.toThrow(/UNIQUE|unique/);
    expect((await jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'retry' }))).origin).toBe('retry');
    expect(await jobs.markDeleted(child.id, 'u', 2000)).toBeUndefined();
    await jobs.finish(child.id, { state: 'failed', at: 3000 });
    expect(await jobs.childInFlight(parent.id, 'detailed')).toBeUndefined();
    expect((await jobs.latestChild(parent.id, 'detailed'))?.state).toBe('failed');
    expect((await jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' }))).state).toBe('submitting');
    expect((await jobs.markDeleted(parent.id, 'u', 4000))?.deletedAt).toBe(4000);
    expect(await jobs.markDeleted(parent.id, 'u', 4001)).toBeUndefined();
  });
});
