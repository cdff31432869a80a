import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { JobEvents } from '../../src/jobs/events.js';
import { Poller } from '../../src/jobs/poller.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { createLogger } from '../../src/log/index.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

/**
 * The poller sleeps until the earliest due time in SQLite (one timer), so a check runs when it falls
 * due, not up to a pass later. Timers are faked (the poller's clock is Date.now) so the test is about
 * when the check happens, not about how busy the machine is.
 */
describe('the poller wakes when the earliest check falls due', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: JobStore;
  let poller: Poller;
  let checkedAt: number[];

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    tmp = tempDir();
    db = openDatabase(join(tmp.dir, 'bot.sqlite'));
    jobs = new JobStore(db);
    checkedAt = [];
    const log = createLogger({ level: 'silent' });
    poller = new Poller({
      jobs,
      upstream: {
        getTask: (taskId) => {
          checkedAt.push(Date.now());
          return Promise.resolve({ taskId, status: 'RUNNING' });
        },
      },
      deliverer: new Deliverer(null as never, log),
      events: new JobEvents(),
      log,
      clock: () => Date.now(),
      pollIntervalMs: 5000,
      filesDir: join(tmp.dir, 'files'),
      allowPrivateAddresses: false,
      maxModelBytes: 1024 * 1024,
      models: { free: 0, process: () => Promise.resolve(undefined) },
      processingLeaseMs: 60_000,
      leaseMs: 120_000,
      upstreamRps: 10,
    });
  });
  afterEach(async () => {
    const stopped = poller.stop(100);
    await vi.runOnlyPendingTimersAsync();
    await stopped;
    vi.useRealTimers();
    db.close();
    tmp.cleanup();
  });

  it('runs a check due in 2.7 s at 2.7 s, and the next one an interval later', async () => {
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    // A submit, as src/jobs/start.ts does it: the row, then a wake-up.
    const t0 = Date.now();
    const job = jobs.insert(newJob({ createdAt: t0 }));
    jobs.markSubmitted(job.id, 'task-1', 1, t0, t0 + 2700);
    // Messages are not what this test is about: nothing is waiting to be edited.
    db.prepare('UPDATE jobs SET delivered_version = render_version').run();
    poller.wake();
    await vi.advanceTimersByTimeAsync(2699);
    expect(checkedAt).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(checkedAt).toEqual([t0 + 2700]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkedAt).toEqual([t0 + 2700, t0 + 7700]);
  });

  it('finds the earliest due time through the indexes the claims use', () => {
    const sql = (jobs as unknown as { s: { nextDue: { source: string } } }).s.nextDue.source;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ checking: '[]', delivering: '[]', processing: '[]' }) as { detail: string }[]).map((r) => r.detail);
    expect(plan.filter((d) => d.startsWith('SEARCH jobs USING')).map((d) => d.match(/INDEX (\w+)/)?.[1])).toEqual([
      'jobs_due_checks',
      'jobs_due_deliveries',
      'jobs_due_processing',
    ]);
    expect(plan.some((d) => d.startsWith('SCAN jobs'))).toBe(false);
    expect(jobs.nextDueAt(true)).toBeNull();
    // A job the poller is already checking does not count: the poller must not wake up for it.
    const job = jobs.insert(newJob({ createdAt: 1000 }));
    jobs.markSubmitted(job.id, 'task-1', 1, 1000, 2000);
    db.prepare('UPDATE jobs SET delivered_version = render_version').run();
    expect(jobs.nextDueAt(true)).toBe(2000);
    expect(jobs.nextDueAt(true, { checking: [job.id], delivering: [], processing: [] })).toBeNull();
  });
});
