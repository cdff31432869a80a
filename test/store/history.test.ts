import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { HistoryStore } from '../../src/store/history.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

const ME = '400000000000000001';
const OTHER = '400000000000000002';
const GUILD = '200000000000000001';
const GUILD_B = '200000000000000002';

describe.each(BACKENDS)('HistoryStore on a real %s store', (backend) => {
  let store: TestStore;
  let jobs: JobStore;
  let history: HistoryStore;

  beforeEach(async () => {
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
    history = new HistoryStore(store.db);
  });
  afterEach(() => store.cleanup());

  const add = (o: Parameters<typeof newJob>[0]) => jobs.insert(newJob(o));

  it('lists only the member’s own jobs of this server, newest first', async () => {
    const a = await add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    const b = await add({ userId: ME, guildId: GUILD, createdAt: 3000 });
    const c = await add({ userId: ME, guildId: GUILD, createdAt: 2000 });
    await add({ userId: OTHER, guildId: GUILD, createdAt: 4000 });
    await add({ userId: ME, guildId: GUILD_B, createdAt: 5000 });
    await add({ userId: ME, guildId: null, channelId: '300000000000000009', createdAt: 6000 });

    const got = await history.recent({ userId: ME, guildId: GUILD }, 10);
    expect(got.map((e) => e.job.id)).toEqual([b.id, c.id, a.id]);
    expect(got.every((e) => e.job.userId === ME && e.job.guildId === GUILD && !e.removed)).toBe(true);
  });

  it('scopes direct messages to jobs made in DMs', async () => {
    await add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    const dm1 = await add({ userId: ME, guildId: null, createdAt: 2000 });
    const dm2 = await add({ userId: ME, guildId: null, createdAt: 3000 });
    await add({ userId: OTHER, guildId: null, createdAt: 4000 });
    expect((await history.recent({ userId: ME, guildId: null }, 10)).map((e) => e.job.id)).toEqual([dm2.id, dm1.id]);
    expect(await history.recent({ userId: OTHER, guildId: GUILD }, 10)).toEqual([]);
  });

  it('applies the limit in SQL and breaks ties on created_at by id', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => i);
    for (const i of ids) ids[i] = (await add({ userId: ME, guildId: GUILD, createdAt: 1000 + Math.floor(i / 2) })).id;
    const got = await history.recent({ userId: ME, guildId: GUILD }, 25);
    expect(got).toHaveLength(25);
    expect(got.map((e) => e.job.id)).toEqual([...ids].reverse().slice(0, 25));
    expect((await history.recent({ userId: ME, guildId: GUILD }, 1)).map((e) => e.job.id)).toEqual([ids[29]]);
  });

  it('maps rows to full jobs (files, state) and flags results a moderator removed', async () => {
    const j = await add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    await jobs.markSubmitted(j.id, 'task-h', 1, 1500, 1500);
    await jobs.finish(j.id, { state: 'succeeded', at: 9000, modelUrl: 'https://x/m.glb', resultExpiresAt: 99_000 });
    await jobs.setFiles(j.id, { modelFile: '/files/1/model.glb', modelBytes: 123, previewFile: '/files/1/preview.webp' }, 9000);
    let [e] = await history.recent({ userId: ME, guildId: GUILD }, 5);
    expect(e).toMatchObject({
      removed: false,
      job: { id: j.id, state: 'succeeded', submittedAt: 1500, finishedAt: 9000, modelFile: '/files/1/model.glb', modelBytes: 123, resultExpiresAt: 99_000 },
    });
    await store.db.run(
      `INSERT INTO quota_ledger (guild_id, user_id, kind, credits, job_id, moderator_id, applies_at, created_at)
       VALUES (@guildId, @userId, 'refund', 1, @jobId, 'mod', 1000, 10000)`,
      { guildId: GUILD, userId: ME, jobId: j.id },
    );
    [e] = await history.recent({ userId: ME, guildId: GUILD }, 5);
    expect(e?.removed).toBe(true);
    expect((await history.ownJob(ME, j.id))?.removed).toBe(true);
  });

  it('ownJob returns a job only to its owner', async () => {
    const mine = await add({ userId: ME, guildId: GUILD });
    const theirs = await add({ userId: OTHER, guildId: GUILD });
    expect((await history.ownJob(ME, mine.id))?.job.id).toBe(mine.id);
    expect(await history.ownJob(ME, theirs.id)).toBeUndefined();
    expect(await history.ownJob(ME, 999_999)).toBeUndefined();
  });

  it.runIf(backend === 'sqlite')('walks the jobs_user index, not the whole server', async () => {
    const plan = await store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${history.recentSql}`, { userId: ME, guildId: GUILD, limit: 10 });
    expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX jobs_user');
    expect(plan.map((p) => p.detail).join('\n')).not.toContain('TEMP B-TREE');
  });
});
