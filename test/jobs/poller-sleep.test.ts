import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { Poller } from '../../src/jobs/poller.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { testPollerOptions } from '../helpers/poller.js';

/**
 * The poller sleeps until the earliest due time in SQLite (one timer), so a check runs when it falls
 * due, not up to a pass later. Timers are faked (the poller's clock is Date.now) so the test is about
 * when the check happens, not about how busy the machine is.
 */
describe('the poller wakes when the earliest check falls due', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: TestStore;
  let jobs: JobStore;
  let poller: Poller;
  let checkedAt: number[];
  /** While set, status checks wait for it (a slow answer from the provider). */
  let answerGate: Promise<void> | null;

  beforeEach(async () => {
    tmp = tempDir();
    // SQLite: the store answers without timers of its own, so the poller's timers can be faked.
    store = await openTestStore('sqlite');
    vi.useFakeTimers({ now: 1_000_000 });
    jobs = new JobStore(store.db);
    checkedAt = [];
    answerGate = null;
    poller = new Poller(
      testPollerOptions({
        jobs,
        upstream: {
          getTask: async (taskId) => {
            checkedAt.push(Date.now());
            await answerGate;
            return { taskId, status: 'RUNNING' };
          },
        },
        filesDir: join(tmp.dir, 'files'),
      }),
    );
  });
  afterEach(async () => {
    const stopped = poller.stop(100);
    await vi.runOnlyPendingTimersAsync();
    await stopped;
    vi.useRealTimers();
    await store.cleanup();
    tmp.cleanup();
  });

  it('runs a check due in 2.7 s at 2.7 s, and the next one an interval later', async () => {
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    // A submit, as src/jobs/start.ts does it: the row, then a wake-up.
    const t0 = Date.now();
    const job = await jobs.insert(newJob({ createdAt: t0 }));
    await jobs.markSubmitted(job.id, 'task-1', 1, t0, t0 + 2700);
    // Messages are not what this test is about: nothing is waiting to be edited.
    await store.db.run('UPDATE jobs SET delivered_version = render_version');
    poller.wake();
    await vi.advanceTimersByTimeAsync(2699);
    expect(checkedAt).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(checkedAt).toEqual([t0 + 2700]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkedAt).toEqual([t0 + 2700, t0 + 7700]);
  });

  it('does not lose the wake-up of a check that ends while a pass reads the next due time', async () => {
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    const t0 = Date.now();
    const job = await jobs.insert(newJob({ createdAt: t0 }));
    await jobs.markSubmitted(job.id, 'task-1', 1, t0, t0 + 100);
    await store.db.run('UPDATE jobs SET delivered_version = render_version');
    // The check's answer is held; the pass that started it goes on to read the next due time (without
    // the job, which is in flight). Only then does the answer come, and the check records its next time.
    let answer!: () => void;
    answerGate = new Promise((r) => (answer = r));
    let woke!: () => void;
    const checkEnded = new Promise<void>((r) => (woke = r));
    const wake = poller.wake.bind(poller);
    poller.wake = () => {
      if (held) woke();
      wake();
    };
    const nextDueAt = jobs.nextDueAt.bind(jobs);
    let held = false;
    jobs.nextDueAt = async (...args) => {
      const due = await nextDueAt(...args);
      if (!held && checkedAt.length === 1) {
        held = true;
        answer();
        await checkEnded;
      }
      return due;
    };
    poller.wake();
    await vi.advanceTimersByTimeAsync(100);
    expect(checkedAt).toEqual([t0 + 100]);
    expect(held).toBe(true);
    // The next check is an interval after the first, not a full idle sleep later.
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkedAt).toEqual([t0 + 100, t0 + 5100]);
  });

  it('finds the earliest due time through the indexes the claims use', async () => {
    // The store's own statement, not a copy of its SQL.
    const sql = (jobs as unknown as { q: { nextDue: string } }).q.nextDue;
    const plan = (await store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { checking: [], delivering: [], processing: [] })).map((r) => r.detail);
    expect(plan.filter((d) => d.startsWith('SEARCH jobs USING')).map((d) => d.match(/INDEX (\w+)/)?.[1])).toEqual([
      'jobs_due_checks',
      'jobs_due_deliveries',
      'jobs_due_processing',
    ]);
    expect(plan.some((d) => d.startsWith('SCAN jobs'))).toBe(false);
    expect(await jobs.nextDueAt(true)).toBeNull();
    // A job the poller is already checking does not count: the poller must not wake up for it.
    const job = await jobs.insert(newJob({ createdAt: 1000 }));
    await jobs.markSubmitted(job.id, 'task-1', 1, 1000, 2000);
    await store.db.run('UPDATE jobs SET delivered_version = render_version');
    expect(await jobs.nextDueAt(true)).toBe(2000);
    expect(await jobs.nextDueAt(true, { checking: [job.id], delivering: [], processing: [] })).toBeNull();
  });
});
