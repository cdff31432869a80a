import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { migrations } from '../../src/store/migrations.js';
import type { SqliteDb } from '../../src/store/sqlite.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';
import { PROGRESS_EDIT_GAP_MS } from '../../src/discord/deliver.js';

describe.each(BACKENDS)('JobStore on a real %s store', (backend) => {
  let store: TestStore;
  let jobs: JobStore;

  beforeEach(async () => {
    store = await openTestStore(backend);
    jobs = new JobStore(store.db, undefined, PROGRESS_EDIT_GAP_MS);
  });
  afterEach(() => store.cleanup());

  const versions = async () =>
    (await store.db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);

  it('records the migrations it applied and applies none twice', async () => {
    const applied = await versions();
    expect(applied).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
    // Re-opening does not re-apply anything.
    await store.reopen();
    expect(await versions()).toEqual(applied);
  });

  it('writes the row before submit and records the task id once', async () => {
    const job = await jobs.insert(newJob({ createdAt: 1000 }));
    expect(job.state).toBe('submitting');
    expect(job.taskId).toBeNull();
    const submitted = await jobs.markSubmitted(job.id, 'task-1', 35000, 2000, 7000);
    expect(submitted).toMatchObject({ state: 'queued', taskId: 'task-1', totalTokens: 35000, submittedAt: 2000, nextCheckAt: 7000 });
    // A second record is refused: the job is no longer submitting.
    expect(await jobs.markSubmitted(job.id, 'task-2', 1, 3000, 8000)).toBeUndefined();
    expect((await jobs.get(job.id))?.taskId).toBe('task-1');
  });

  it('keeps epoch-millisecond times and ids as numbers', async () => {
    const createdAt = Date.parse('2030-01-01T00:00:00Z');
    const job = await jobs.insert(newJob({ createdAt }));
    expect(typeof job.id).toBe('number');
    expect(job.createdAt).toBe(createdAt);
    expect(job.deadlineAt).toBe(createdAt + 30 * 60_000);
    expect(job.replyGone).toBe(false);
  });

  it('claims only due active jobs, leases them, and skips busy ones', async () => {
    const a = await jobs.insert(newJob());
    const b = await jobs.insert(newJob());
    const c = await jobs.insert(newJob());
    await jobs.markSubmitted(a.id, 'ta', 1, 0, 100);
    await jobs.markSubmitted(b.id, 'tb', 1, 0, 500);
    await jobs.markSubmitted(c.id, 'tc', 1, 0, 100);
    await jobs.finish(c.id, { state: 'failed', at: 50, errorCode: 'X' });
    const claimed = await jobs.claimDueChecks(200, 10_000, 10);
    expect(claimed.map((j) => j.id)).toEqual([a.id]);
    expect(claimed[0]).toMatchObject({ nextCheckAt: 10_000 });
    // Leased: not claimed again before the lease runs out.
    expect(await jobs.claimDueChecks(300, 10_000, 10)).toEqual([]);
    expect(await jobs.claimDueChecks(600, 10_000, 10, [b.id])).toEqual([]);
    expect((await jobs.claimDueChecks(600, 10_000, 10)).map((j) => j.id)).toEqual([b.id]);
    // The lease of a holder that went away runs out.
    expect((await jobs.claimDueChecks(10_000, 20_000, 10)).map((j) => j.id).sort((x, y) => x - y)).toEqual([a.id, b.id]);
  });

  it('claims at most `limit` jobs, the most overdue first', async () => {
    const ids: number[] = [];
    for (const due of [400, 100, 300, 200]) {
      const j = await jobs.insert(newJob());
      await jobs.markSubmitted(j.id, `t${j.id}`, 1, 0, due);
      ids.push(j.id);
    }
    const first = await jobs.claimDueChecks(1000, 5000, 2);
    expect(first.map((j) => j.id).sort()).toEqual([ids[1], ids[3]].sort());
    const rest = await jobs.claimDueChecks(1000, 5000, 10);
    expect(rest.map((j) => j.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('two claimers at once never get the same job', async () => {
    const all: number[] = [];
    for (let i = 0; i < 40; i++) {
      const j = await jobs.insert(newJob());
      await jobs.markSubmitted(j.id, `t${j.id}`, 1, 0, 100);
      all.push(j.id);
    }
    const other = store.backend === 'postgres' ? await (await openTestStoreTwin(store)).db : store.db;
    const second = new JobStore(other);
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? jobs : second).claimDueChecks(200, 9000, 7)),
    );
    const got = claims.flat().map((j) => j.id);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual([...all].sort());
    if (other !== store.db) await other.close();
  });

  it('counts jobs in flight by state, in SQL, with every in-flight state present', async () => {
    expect(await jobs.inFlightByState()).toEqual({ submitting: 0, queued: 0, running: 0, processing: 0 });
    const [a, b, c, d] = [await jobs.insert(newJob()), await jobs.insert(newJob()), await jobs.insert(newJob()), await jobs.insert(newJob())];
    await jobs.insert(newJob());
    await jobs.markSubmitted(a.id, 'ta', 1, 0, 100);
    await jobs.markSubmitted(b.id, 'tb', 1, 0, 100);
    await jobs.recordCheck(b.id, 'running', 10, 200);
    await jobs.markSubmitted(c.id, 'tc', 1, 0, 100);
    await jobs.finish(c.id, { state: 'failed', at: 50, errorCode: 'X' });
    await jobs.markSubmitted(d.id, 'td', 1, 0, 100);
    await jobs.setDownloads(d.id, { previewFile: null, originalFile: '/x/original.glb', originalBytes: 1, processingState: 'pending', modelInfo: null, filesRefused: null }, 60);
    await jobs.finish(d.id, { state: 'succeeded', at: 60 });
    expect(await jobs.inFlightByState()).toEqual({ submitting: 1, queued: 1, running: 1, processing: 1 });
  });

  it('finishes a job once and queues its final message without delay', async () => {
    const job = await jobs.insert(newJob());
    await jobs.markSubmitted(job.id, 't', 1, 0, 100);
    await jobs.markDelivered(job.id, 1, 'webhook', 1000);
    const running = (await jobs.recordCheck(job.id, 'running', 2000, 3000))!;
    // The progress edit waits for the 5 s gap after the last edit.
    expect(running.nextDeliveryAt).toBe(6000);
    expect(running.startedAt).toBe(2000);
    const done = (await jobs.finish(job.id, { state: 'succeeded', at: 2500, modelUrl: 'm', previewUrl: 'p' }))!;
    expect(done.nextDeliveryAt).toBe(2500);
    expect(done.renderVersion).toBeGreaterThan(done.deliveredVersion);
    expect(await jobs.finish(job.id, { state: 'failed', at: 2600 })).toBeUndefined();
    expect((await jobs.get(job.id))?.state).toBe('succeeded');
  });

  it('delivery bookkeeping: moved messages, failures with backoff, giving up', async () => {
    const job = await jobs.insert(newJob({ messageId: null }));
    await jobs.markSubmitted(job.id, 't', 1, 0, 100);
    const [claimed] = await jobs.claimDueDeliveries(10, 5000, 5);
    expect(claimed).toMatchObject({ id: job.id });
    // Leased: nobody claims it again before the lease ends.
    expect(await jobs.claimDueDeliveries(4999, 9000, 5)).toEqual([]);
    await jobs.markReplyGone(job.id);
    const moved = (await jobs.markDelivered(job.id, 1, 'channel_message', 100, { messageId: '77', channelId: '88' }))!;
    expect(moved).toMatchObject({ messageId: '77', channelId: '88', replyGone: false, deliveredVersion: 1, nextDeliveryAt: null, deliveryRoute: 'channel_message' });
    const finished = (await jobs.finish(job.id, { state: 'failed', at: 200, errorCode: 'X' }))!;
    const failed = (await jobs.recordDeliveryFailure(job.id, 'boom', 300, 9000))!;
    expect(failed).toMatchObject({ deliveryAttempts: 1, deliveryError: 'boom', nextDeliveryAt: 9000 });
    const gaveUp = (await jobs.giveUpDelivery(job.id, 'gone', 400))!;
    expect(gaveUp.deliveredVersion).toBe(finished.renderVersion);
    expect(await jobs.claimDueDeliveries(99_999, 100_000, 5)).toEqual([]);
  });

  it('keeps everything across a restart: active jobs resume, interrupted submits become outcome-unknown', async () => {
    const active = await jobs.insert(newJob());
    await jobs.markSubmitted(active.id, 'task-active', 1, 0, 100);
    await jobs.claimDueChecks(100, 999_999, 10); // leased by a process that then dies
    const interrupted = await jobs.insert(newJob());

    jobs = new JobStore(await store.reopen());
    const recovered = await jobs.recoverInterrupted(5000);
    expect(recovered.map((j) => j.id)).toEqual([interrupted.id]);
    expect(recovered[0]).toMatchObject({ state: 'outcome_unknown', taskId: null });
    expect((await jobs.resumeAll(5000)).checks).toBe(1);
    expect((await jobs.claimDueChecks(5000, 9000, 10)).map((j) => j.taskId)).toEqual(['task-active']);
    // The interrupted job's message is due so the member is told.
    expect((await jobs.claimDueDeliveries(5000, 9000, 10)).map((j) => j.id)).toContain(interrupted.id);
  });

  it('learns durations only from successful jobs of the same quality', async () => {
    const mk = async (quality: 'standard' | 'detailed', state: 'succeeded' | 'failed', took: number) => {
      const j = await jobs.insert(newJob({ quality }));
      await jobs.markSubmitted(j.id, `t${j.id}`, 1, 1000, 2000);
      await jobs.finish(j.id, { state, at: 1000 + took });
    };
    await mk('standard', 'succeeded', 70_000);
    await mk('standard', 'failed', 5_000);
    await mk('detailed', 'succeeded', 120_000);
    await mk('standard', 'succeeded', 80_000);
    expect((await jobs.recentDurations('standard')).sort()).toEqual([70_000, 80_000]);
    expect(await jobs.recentDurations('detailed')).toEqual([120_000]);
  });

  it('a failed transaction leaves nothing behind, and calls from outside it wait for it', async () => {
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const tx = store.db
      .transaction(async () => {
        await jobs.insert(newJob({ interactionId: 'in-tx' }));
        opened();
        await released;
        throw new Error('rolled back');
      })
      .catch((e: Error) => e.message);
    await isOpen;
    // Another flow writes while the transaction is open: it must not land inside it.
    const outside = jobs.insert(newJob({ interactionId: 'outside' }));
    release();
    expect(await tx).toBe('rolled back');
    expect((await outside).interactionId).toBe('outside');
    const ids = (await store.db.all<{ interaction_id: string }>('SELECT interaction_id FROM jobs')).map((r) => r.interaction_id);
    expect(ids).toEqual(['outside']);
  });
});

/** A second connection pool on the same PostgreSQL schema, as another process would have. */
async function openTestStoreTwin(store: TestStore) {
  const { openStore } = await import('../../src/store/open.js');
  return { db: await openStore(store.location) };
}

describe('SQLite specifics', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore('sqlite');
  });
  afterEach(() => store.cleanup());

  it('opens in WAL mode with a busy timeout', async () => {
    const raw = (store.db as SqliteDb).raw;
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  /** The query plan of one of the store's real statements (not a copy of its SQL). */
  async function planOf(name: string, params: Record<string, unknown>): Promise<string> {
    const sql = (new JobStore(store.db) as unknown as { q: Record<string, string> }).q[name]!;
    const rows = await store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
    return rows.map((p) => p.detail).join('\n');
  }

  it('uses an index for the claim queries', async () => {
    const claim = { now: 5, leaseUntil: 10, limit: 5, busy: [], owner: 'x' };
    expect(await planOf('claimChecks', claim)).toMatch(/USING INDEX jobs_due_checks/);
    expect(await planOf('claimDeliveries', claim)).toMatch(/USING INDEX jobs_due_deliveries/);
    expect(await planOf('recentDurations', { quality: 'standard', limit: 50 })).toMatch(/USING INDEX jobs_finished/);
  });
});

describe('PostgreSQL specifics', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore('postgres');
  });
  afterEach(() => store.cleanup());

  it('the claim can use the partial index and skips rows other transactions have locked', async () => {
    const jobs = new JobStore(store.db);
    const j = await jobs.insert(newJob());
    await jobs.markSubmitted(j.id, 't', 1, 0, 100);
    await store.db.transaction(async () => {
      await store.db.exec('SET LOCAL enable_seqscan = off');
      const plan = await store.db.all<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM jobs WHERE state IN ('queued', 'running') AND next_check_at <= 5 ORDER BY next_check_at LIMIT 5`,
      );
      expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/jobs_due_checks/);
      // This transaction holds the row; a claim from another connection skips it instead of waiting.
      await store.db.all('SELECT id FROM jobs WHERE id = @id FOR UPDATE', { id: j.id });
      const twin = await openTestStoreTwin(store);
      try {
        expect(await new JobStore(twin.db).claimDueChecks(200, 9000, 10)).toEqual([]);
      } finally {
        await twin.db.close();
      }
    });
    expect((await jobs.claimDueChecks(200, 9000, 10)).map((x) => x.id)).toEqual([j.id]);
  });
});
