import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { GalleryStore } from '../../src/store/gallery.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

const G = '200000000000000001';

describe('gallery posts and result-button jobs on a real SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: JobStore;
  let gallery: GalleryStore;

  beforeEach(() => {
    tmp = tempDir();
    db = openDatabase(join(tmp.dir, 'bot.sqlite'));
    jobs = new JobStore(db);
    gallery = new GalleryStore(db);
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  const succeeded = (at: number) => {
    const j = jobs.insert(newJob({ guildId: G, createdAt: at - 60_000 }));
    jobs.markSubmitted(j.id, `task-${j.id}`, 1, at - 50_000, at);
    return jobs.finish(j.id, { state: 'succeeded', at })!;
  };

  it('claims a job once, even from a second connection; only a failed claim may be made again', () => {
    const job = succeeded(1000);
    const other = new GalleryStore(openDatabase(join(tmp.dir, 'bot.sqlite')));
    expect(gallery.claim(job.id, G, 'c1', 2000)?.state).toBe('posting');
    expect(other.claim(job.id, G, 'c1', 2001)).toBeUndefined();
    gallery.markFailed(job.id, 2002);
    expect(other.claim(job.id, G, 'c1', 2003)?.state).toBe('posting');
    gallery.markPosted(job.id, { threadId: 't', messageId: 't' }, 2004);
    expect(gallery.claim(job.id, G, 'c1', 2005)).toBeUndefined();
    expect(gallery.markRemoved(job.id, 2006)).toBe(true);
    expect(gallery.claim(job.id, G, 'c1', 2007)).toBeUndefined();
    expect(gallery.post(job.id)?.state).toBe('removed');
  });

  it('mode all catches up only on unposted, undeleted jobs finished since the gallery was set', () => {
    const before = succeeded(1000);
    gallery.set(G, 'c1', 'all', 'mod', 5000);
    const missed = succeeded(6000);
    const posted = succeeded(7000);
    gallery.claim(posted.id, G, 'c1', 7001);
    const deleted = succeeded(8000);
    expect(jobs.markDeleted(deleted.id, 'u', 8001)?.deletedBy).toBe('u');
    expect(gallery.unpostedJobs(0, 10).map((j) => j.id)).toEqual([missed.id]);
    expect(before.id).toBeLessThan(missed.id);
    gallery.set(G, 'c1', 'opt-in', 'mod', 9000);
    expect(gallery.unpostedJobs(0, 10)).toEqual([]);
  });

  it('allows one job in flight per result and button, and deletes only finished jobs, once', () => {
    const parent = succeeded(1000);
    const child = jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' }));
    expect(jobs.childInFlight(parent.id, 'detailed')?.id).toBe(child.id);
    expect(() => jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' }))).toThrow(/UNIQUE/);
    expect(jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'retry' })).origin).toBe('retry');
    expect(jobs.markDeleted(child.id, 'u', 2000)).toBeUndefined();
    jobs.finish(child.id, { state: 'failed', at: 3000 });
    expect(jobs.childInFlight(parent.id, 'detailed')).toBeUndefined();
    expect(jobs.latestChild(parent.id, 'detailed')?.state).toBe('failed');
    expect(jobs.insert(newJob({ guildId: G, parentJobId: parent.id, origin: 'detailed' })).state).toBe('submitting');
    expect(jobs.markDeleted(parent.id, 'u', 4000)?.deletedAt).toBe(4000);
    expect(jobs.markDeleted(parent.id, 'u', 4001)).toBeUndefined();
  });
});
