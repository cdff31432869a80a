import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

describe('JobStore on a real SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  let db: Db;
  let jobs: JobStore;

  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'nested', 'bot.sqlite');
    db = openDatabase(path);
    jobs = new JobStore(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });

  it('opens in WAL mode with a busy timeout and records the migrations it applied', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions[0]).toBe(1);
    // Re-opening does not re-apply anything.
    db.close();
    db = openDatabase(path);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(versions);
  });

  it('writes the row before submit and records the task id once', () => {
    const job = jobs.insert(newJob({ createdAt: 1000 }));
    expect(job.state).toBe('submitting');
    expect(job.taskId).toBeNull();
    const submitted = jobs.markSubmitted(job.id, 'task-1', 35000, 2000, 7000);
    expect(submitted).toMatchObject({ state: 'queued', taskId: 'task-1', totalTokens: 35000, submittedAt: 2000, nextCheckAt: 7000 });
    // A second record is refused: the job is no longer submitting.
    expect(jobs.markSubmitted(job.id, 'task-2', 1, 3000, 8000)).toBeUndefined();
    expect(jobs.get(job.id)?.taskId).toBe('task-1');
  });

  it('claims only due active jobs, leases them, and skips busy ones', () => {
    const a = jobs.insert(newJob());
    const b = jobs.insert(newJob());
    const c = jobs.insert(newJob());
    jobs.markSubmitted(a.id, 'ta', 1, 0, 100);
    jobs.markSubmitted(b.id, 'tb', 1, 0, 500);
    jobs.markSubmitted(c.id, 'tc', 1, 0, 100);
    jobs.finish(c.id, { state: 'failed', at: 50, errorCode: 'X' });
    const claimed = jobs.claimDueChecks(200, 10_000, 10);
    expect(claimed.map((j) => j.id)).toEqual([a.id]);
    // Leased: not claimed again before the lease runs out.
    expect(jobs.claimDueChecks(300, 10_000, 10)).toEqual([]);
    expect(jobs.claimDueChecks(600, 10_000, 10, [b.id])).toEqual([]);
    expect(jobs.claimDueChecks(600, 10_000, 10).map((j) => j.id)).toEqual([b.id]);
  });

  /** The query plan of one of the store's real prepared statements (not a copy of its SQL). */
  function planOf(name: string, params: unknown): string {
    const stmt = (jobs as unknown as { s: Record<string, { source: string }> }).s[name]!;
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(params as never) as { detail: string }[];
    return rows.map((p) => p.detail).join('\n');
  }

  it('uses an index for the claim queries', () => {
    const claim = { now: 5, leaseUntil: 10, limit: 5, busy: '[]', owner: '0/1:test' };
    expect(planOf('claimChecks', claim)).toMatch(/USING INDEX jobs_due_checks/);
    expect(planOf('claimDeliveries', claim)).toMatch(/USING INDEX jobs_due_deliveries/);
    expect(planOf('recentDurations', ['standard', 50])).toMatch(/USING INDEX jobs_finished/);
  });

  it('finishes a job once and queues its final message without delay', () => {
    const job = jobs.insert(newJob());
    jobs.markSubmitted(job.id, 't', 1, 0, 100);
    jobs.markDelivered(job.id, 1, 'webhook', 1000);
    const running = jobs.recordCheck(job.id, 'running', 2000, 3000)!;
    // The progress edit waits for the 5 s gap after the last edit.
    expect(running.nextDeliveryAt).toBe(6000);
    const done = jobs.finish(job.id, { state: 'succeeded', at: 2500, modelUrl: 'm', previewUrl: 'p' })!;
    expect(done.nextDeliveryAt).toBe(2500);
    expect(done.renderVersion).toBeGreaterThan(done.deliveredVersion);
    expect(jobs.finish(job.id, { state: 'failed', at: 2600 })).toBeUndefined();
    expect(jobs.get(job.id)?.state).toBe('succeeded');
  });

  it('keeps everything across a restart: active jobs resume, interrupted submits become outcome-unknown', () => {
    const active = jobs.insert(newJob());
    jobs.markSubmitted(active.id, 'task-active', 1, 0, 100);
    jobs.claimDueChecks(100, 999_999, 10); // leased by a process that then dies
    const interrupted = jobs.insert(newJob());
    db.close();

    db = openDatabase(path);
    jobs = new JobStore(db);
    const recovered = jobs.recoverInterrupted(5000);
    expect(recovered.map((j) => j.id)).toEqual([interrupted.id]);
    expect(recovered[0]).toMatchObject({ state: 'outcome_unknown', taskId: null });
    expect(jobs.resumeAll(5000).checks).toBe(1);
    expect(jobs.claimDueChecks(5000, 9000, 10).map((j) => j.taskId)).toEqual(['task-active']);
    // The interrupted job's message is due so the member is told.
    expect(jobs.claimDueDeliveries(5000, 9000, 10).map((j) => j.id)).toContain(interrupted.id);
  });

  it('learns durations only from successful jobs of the same quality', () => {
    const mk = (quality: 'standard' | 'detailed', state: 'succeeded' | 'failed', took: number) => {
      const j = jobs.insert(newJob({ quality }));
      jobs.markSubmitted(j.id, `t${j.id}`, 1, 1000, 2000);
      jobs.finish(j.id, { state, at: 1000 + took });
    };
    mk('standard', 'succeeded', 70_000);
    mk('standard', 'failed', 5_000);
    mk('detailed', 'succeeded', 120_000);
    mk('standard', 'succeeded', 80_000);
    expect(jobs.recentDurations('standard').sort()).toEqual([70_000, 80_000]);
    expect(jobs.recentDurations('detailed')).toEqual([120_000]);
  });
});
