import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { HistoryStore, historyStore } from '../../src/store/history.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

const ME = '400000000000000001';
const OTHER = '400000000000000002';
const GUILD = '200000000000000001';
const GUILD_B = '200000000000000002';

describe('HistoryStore on a real SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: JobStore;
  let history: HistoryStore;

  beforeEach(() => {
    tmp = tempDir('model3d-history-');
    db = openDatabase(join(tmp.dir, 'bot.sqlite'));
    jobs = new JobStore(db);
    history = new HistoryStore(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });

  const add = (o: Parameters<typeof newJob>[0]) => jobs.insert(newJob(o));

  it('lists only the member’s own jobs of this server, newest first', () => {
    const a = add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    const b = add({ userId: ME, guildId: GUILD, createdAt: 3000 });
    const c = add({ userId: ME, guildId: GUILD, createdAt: 2000 });
    add({ userId: OTHER, guildId: GUILD, createdAt: 4000 });
    add({ userId: ME, guildId: GUILD_B, createdAt: 5000 });
    add({ userId: ME, guildId: null, channelId: '300000000000000009', createdAt: 6000 });

    const got = history.recent({ userId: ME, guildId: GUILD }, 10);
    expect(got.map((e) => e.job.id)).toEqual([b.id, c.id, a.id]);
    expect(got.every((e) => e.job.userId === ME && e.job.guildId === GUILD && !e.removed)).toBe(true);
  });

  it('scopes direct messages to jobs made in DMs', () => {
    add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    const dm1 = add({ userId: ME, guildId: null, createdAt: 2000 });
    const dm2 = add({ userId: ME, guildId: null, createdAt: 3000 });
    add({ userId: OTHER, guildId: null, createdAt: 4000 });
    expect(history.recent({ userId: ME, guildId: null }, 10).map((e) => e.job.id)).toEqual([dm2.id, dm1.id]);
    expect(history.recent({ userId: OTHER, guildId: GUILD }, 10)).toEqual([]);
  });

  it('applies the limit in SQL and breaks ties on created_at by id', () => {
    const ids = Array.from({ length: 30 }, (_, i) => add({ userId: ME, guildId: GUILD, createdAt: 1000 + Math.floor(i / 2) }).id);
    const got = history.recent({ userId: ME, guildId: GUILD }, 25);
    expect(got).toHaveLength(25);
    expect(got.map((e) => e.job.id)).toEqual([...ids].reverse().slice(0, 25));
    expect(history.recent({ userId: ME, guildId: GUILD }, 1).map((e) => e.job.id)).toEqual([ids[29]]);
  });

  it('maps rows to full jobs (files, state) and flags results a moderator removed', () => {
    const j = add({ userId: ME, guildId: GUILD, createdAt: 1000 });
    jobs.markSubmitted(j.id, 'task-h', 1, 1500, 1500);
    jobs.finish(j.id, { state: 'succeeded', at: 9000, modelUrl: 'https://x/m.glb', resultExpiresAt: 99_000 });
    jobs.setFiles(j.id, { modelFile: '/files/1/model.glb', modelBytes: 123, previewFile: '/files/1/preview.webp' }, 9000);
    let [e] = history.recent({ userId: ME, guildId: GUILD }, 5);
    expect(e).toMatchObject({
      removed: false,
      job: { id: j.id, state: 'succeeded', submittedAt: 1500, finishedAt: 9000, modelFile: '/files/1/model.glb', modelBytes: 123, resultExpiresAt: 99_000 },
    });
    db.prepare(
      `INSERT INTO quota_ledger (guild_id, user_id, kind, credits, job_id, moderator_id, applies_at, created_at)
       VALUES (?, ?, 'refund', 1, ?, 'mod', 1000, 10000)`,
    ).run(GUILD, ME, j.id);
    [e] = history.recent({ userId: ME, guildId: GUILD }, 5);
    expect(e?.removed).toBe(true);
    expect(history.ownJob(ME, j.id)?.removed).toBe(true);
  });

  it('ownJob returns a job only to its owner', () => {
    const mine = add({ userId: ME, guildId: GUILD });
    const theirs = add({ userId: OTHER, guildId: GUILD });
    expect(history.ownJob(ME, mine.id)?.job.id).toBe(mine.id);
    expect(history.ownJob(ME, theirs.id)).toBeUndefined();
    expect(history.ownJob(ME, 999_999)).toBeUndefined();
  });

  it('walks the jobs_user index, not the whole server', () => {
    const sql = (history as unknown as { s: { recent: { source: string } } }).s.recent.source;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ userId: ME, guildId: GUILD, limit: 10 }) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX jobs_user');
    expect(plan.map((p) => p.detail).join('\n')).not.toContain('TEMP B-TREE');
    expect(historyStore(db)).toBe(historyStore(db));
  });
});
