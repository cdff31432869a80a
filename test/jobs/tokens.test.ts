import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { JobEvents } from '../../src/jobs/events.js';
import { Poller } from '../../src/jobs/poller.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { createLogger } from '../../src/log/index.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

const MIN = 60_000;

/** Interaction tokens live 15 minutes; after that no row keeps one. */
describe('interaction tokens are not kept past their life', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: JobStore;
  let now: number;
  let poller: Poller;

  beforeEach(() => {
    tmp = tempDir();
    db = openDatabase(join(tmp.dir, 'bot.sqlite'));
    jobs = new JobStore(db);
    now = 50 * 3600_000;
    const log = createLogger({ level: 'silent' });
    poller = new Poller({
      jobs,
      upstream: { getTask: () => Promise.reject(new Error('no upstream in this test')) },
      deliverer: new Deliverer(null as never, log),
      events: new JobEvents(),
      log,
      clock: () => now,
      pollIntervalMs: 1000,
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
    await poller.stop(100);
    db.close();
    tmp.cleanup();
  });

  const tokenOf = (id: number) => jobs.get(id)!.interactionToken;
  /** Rows older than the token's life that still hold one: must always be none. */
  const staleTokens = () =>
    db.prepare("SELECT count(*) FROM jobs WHERE created_at <= ? AND interaction_token <> ''").pluck().get(now - 15 * MIN);

  it('at start-up, then on each poller pass, as each token turns 15 minutes old', async () => {
    const finished = jobs.insert(newJob({ createdAt: now - 60 * MIN }));
    jobs.markSubmitted(finished.id, 'task-old', 1, now - 59 * MIN, now);
    jobs.finish(finished.id, { state: 'succeeded', at: now - 58 * MIN });
    const active = jobs.insert(newJob({ createdAt: now - 16 * MIN })); // still polling, token dead
    jobs.markSubmitted(active.id, 'task-active', 1, now - 16 * MIN, now + 10 * MIN);
    const young = jobs.insert(newJob({ createdAt: now - 14 * MIN }));
    jobs.markSubmitted(young.id, 'task-young', 1, now - 14 * MIN, now + 10 * MIN);
    expect(staleTokens()).toBe(2);

    poller.start();
    expect(staleTokens()).toBe(0);
    expect(tokenOf(finished.id)).toBe('');
    expect(tokenOf(active.id)).toBe('');
    // Still alive: the webhook route may need it.
    expect(tokenOf(young.id)).toMatch(/^token-/);

    now += 61_000;
    await poller.tick();
    expect(tokenOf(young.id)).toBe('');
    expect(staleTokens()).toBe(0);
    // Nothing else about the jobs changed.
    expect(jobs.get(active.id)).toMatchObject({ state: 'queued', taskId: 'task-active' });
  });

  it('finds the rows through an index', () => {
    const sql = (jobs as unknown as { s: { clearTokens: { source: string } } }).s.clearTokens.source;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(now) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/jobs_live_tokens/);
  });
});
