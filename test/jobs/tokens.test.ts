import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { Poller } from '../../src/jobs/poller.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';
import { testPollerOptions } from '../helpers/poller.js';

const MIN = 60_000;

/** Interaction tokens live 15 minutes; after that no row keeps one. */
describe.each(BACKENDS)('interaction tokens are not kept past their life (%s)', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let store: TestStore;
  let jobs: JobStore;
  let now: number;
  let poller: Poller;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openTestStore(backend);
    jobs = new JobStore(store.db);
    now = 50 * 3600_000;
    poller = new Poller(
      testPollerOptions({
        jobs,
        upstream: { getTask: () => Promise.reject(new Error('no upstream in this test')) },
        filesDir: join(tmp.dir, 'files'),
        clock: () => now,
        pollIntervalMs: 1000,
      }),
    );
  });
  afterEach(async () => {
    await poller.stop(100);
    await store.cleanup();
    tmp.cleanup();
  });

  const tokenOf = async (id: number) => (await jobs.get(id))!.interactionToken;
  /** Rows older than the token's life that still hold one: must always be none. */
  const staleTokens = async () =>
    (await store.db.get<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE created_at <= @before AND interaction_token <> ''", {
      before: now - 15 * MIN,
    }))!.n;

  it('at start-up, then on each poller pass, as each token turns 15 minutes old', async () => {
    const finished = await jobs.insert(newJob({ createdAt: now - 60 * MIN }));
    await jobs.markSubmitted(finished.id, 'task-old', 1, now - 59 * MIN, now);
    await jobs.finish(finished.id, { state: 'succeeded', at: now - 58 * MIN });
    const active = await jobs.insert(newJob({ createdAt: now - 16 * MIN })); // still polling, token dead
    await jobs.markSubmitted(active.id, 'task-active', 1, now - 16 * MIN, now + 10 * MIN);
    const young = await jobs.insert(newJob({ createdAt: now - 14 * MIN }));
    await jobs.markSubmitted(young.id, 'task-young', 1, now - 14 * MIN, now + 10 * MIN);
    expect(await staleTokens()).toBe(2);

    await poller.start();
    expect(await staleTokens()).toBe(0);
    expect(await tokenOf(finished.id)).toBe('');
    expect(await tokenOf(active.id)).toBe('');
    // Still alive: the webhook route may need it.
    expect(await tokenOf(young.id)).toMatch(/^token-/);

    now += 61_000;
    await poller.tick();
    expect(await tokenOf(young.id)).toBe('');
    expect(await staleTokens()).toBe(0);
    // Nothing else about the jobs changed.
    expect(await jobs.get(active.id)).toMatchObject({ state: 'queued', taskId: 'task-active' });
  });

  it.runIf(backend === 'sqlite')('finds the rows through an index', async () => {
    const sql = (jobs as unknown as { q: { clearTokens: string } }).q.clearTokens;
    const plan = await store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { createdBefore: now });
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/jobs_live_tokens/);
  });
});
