import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { AuditOutbox } from '../../src/store/outbox.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

/**
 * Several bot processes on one database (a SQLite file or a PostgreSQL schema), each with its own
 * connection, as with SHARDS: claims are leases with an owner, and a process never takes a live lease of another.
 */
describe.each(BACKENDS)('job leases shared by several processes (%s)', (backend) => {
  let shared: TestStore;
  const dbs: Db[] = [];

  /** One process: its own connection and lease owner ('<shards>/<count>:<boot>'). */
  async function proc(owner: string): Promise<JobStore> {
    const db = await openStore(shared.location);
    dbs.push(db);
    return new JobStore(db, owner);
  }

  beforeEach(async () => {
    shared = await openTestStore(backend);
  });
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close();
    await shared.cleanup();
  });

  async function active(store: JobStore, nextCheckAt = 100) {
    const job = await store.insert(newJob({ createdAt: 0 }));
    const queued = (await store.markSubmitted(job.id, `task-${job.id}`, 1, 0, nextCheckAt))!;
    return (await store.markDelivered(job.id, queued.renderVersion, 'webhook', 0))!; // "Queued" is shown
  }

  it('a claimed check is not claimed by another process until its lease expires, then it is', async () => {
    const a = await proc('0/2:aaaa');
    const b = await proc('1/2:bbbb');
    const job = await active(a);
    expect((await a.claimDueChecks(100, 5000, 10)).map((j) => j.id)).toEqual([job.id]);
    expect(await b.claimDueChecks(4999, 9999, 10)).toEqual([]);
    // a died holding it: at the lease's end, b takes it.
    expect((await b.claimDueChecks(5000, 10_000, 10)).map((j) => j.id)).toEqual([job.id]);
    expect(await a.claimDueChecks(6000, 11_000, 10)).toEqual([]);
  });

  it('a restarted process takes back its predecessor’s leases at once, never another live process’s', async () => {
    const shard0 = await proc('0/2:aaaa');
    const shard1 = await proc('1/2:bbbb');
    const held0 = await active(shard0);
    const held1 = await active(shard1);
    const scheduled = await active(shard0, 50_000); // nobody holds it; checked later
    expect((await shard0.claimDueChecks(100, 120_000, 1)).map((j) => j.id)).toEqual([held0.id]);
    expect((await shard1.claimDueChecks(100, 120_000, 1)).map((j) => j.id)).toEqual([held1.id]);
    await shard1.finish(held1.id, { state: 'succeeded', at: 200 });
    const delivery1 = await shard1.claimDueDeliveries(200, 120_000, 10);
    expect(delivery1.map((j) => j.id)).toEqual([held1.id]);

    // Shard 1's process is killed and respawned (same place in the bot, new boot).
    const shard1again = await proc('1/2:cccc');
    expect(await shard1again.resumeAll(1000, { unowned: false })).toEqual({ checks: 0, deliveries: 1, processing: 0 });
    expect((await shard1again.claimDueDeliveries(1000, 121_000, 10)).map((j) => j.id)).toEqual([held1.id]);
    // Shard 0's live lease and the unleased scheduled check are untouched.
    expect(await shard1again.claimDueChecks(1000, 121_000, 10)).toEqual([]);
    expect((await shard0.get(scheduled.id))?.nextCheckAt).toBe(50_000);

    // Shard 0's process restarts too: it resumes its own lease and, as the primary, the unleased check.
    const shard0again = await proc('0/2:dddd');
    expect(await shard0again.resumeAll(2000, { unowned: true })).toEqual({ checks: 2, deliveries: 0, processing: 0 });
    expect((await shard0again.claimDueChecks(2000, 122_000, 10)).map((j) => j.id).sort()).toEqual([held0.id, scheduled.id].sort());
  });

  it('the primary’s resume does not take leases of another live process', async () => {
    const shard0 = await proc('0/2:aaaa');
    const shard1 = await proc('1/2:bbbb');
    const held1 = await active(shard1);
    await shard1.claimDueChecks(100, 120_000, 10);
    const shard0again = await proc('0/2:cccc');
    expect((await shard0again.resumeAll(1000, { unowned: true })).checks).toBe(0);
    expect(await shard0.claimDueChecks(1000, 121_000, 10)).toEqual([]);
    expect((await shard0.get(held1.id))?.nextCheckAt).toBe(120_000);
  });

  it('interrupted submits: a process recovers its predecessor’s, never a live process’s; abandoned ones after their deadline', async () => {
    const shard0 = await proc('0/2:aaaa');
    const shard1 = await proc('1/2:bbbb');
    const mine = await shard1.insert(newJob({ createdAt: 0, deadlineAt: 60_000 }));
    const theirs = await shard0.insert(newJob({ createdAt: 0, deadlineAt: 60_000 }));

    const shard1again = await proc('1/2:cccc');
    expect((await shard1again.recoverInterrupted(1000, { unowned: true })).map((j) => j.id)).toEqual([mine.id]);
    expect((await shard1again.get(theirs.id))?.state).toBe('submitting');

    // shard 0 never comes back: after the job's deadline its submit is given up as outcome unknown.
    expect(await shard1again.recoverAbandoned(59_999)).toEqual([]);
    expect(await shard0.recoverAbandoned(60_000)).toEqual([]); // its own submit, still in its hands
    const abandoned = await shard1again.recoverAbandoned(60_000);
    expect(abandoned.map((j) => [j.id, j.state])).toEqual([[theirs.id, 'outcome_unknown']]);
  });

  it('a delivery lease that passed to another process cannot be renewed, so the slow process sends nothing', async () => {
    const a = await proc('0/2:aaaa');
    const b = await proc('1/2:bbbb');
    const job = await active(a);
    await a.finish(job.id, { state: 'failed', at: 100 });
    expect(await a.claimDueDeliveries(100, 5000, 10)).toHaveLength(1);
    expect(await a.renewDelivery(job.id, 6000)).toBe(true);
    expect(await b.claimDueDeliveries(6000, 11_000, 10)).toHaveLength(1);
    expect(await a.renewDelivery(job.id, 12_000)).toBe(false);
    expect(await b.renewDelivery(job.id, 12_000)).toBe(true);
    await b.markDelivered(job.id, job.renderVersion + 1, 'webhook', 7000);
    expect(await b.renewDelivery(job.id, 13_000)).toBe(false);
  });

  it('a job that moves on while its message is being edited is not edited by another process at the same time', async () => {
    const a = await proc('0/2:aaaa');
    const b = await proc('1/2:bbbb');
    const job = await active(a);
    await a.recordCheck(job.id, 'running', 200, 1200); // "Generating" is due
    expect((await a.claimDueDeliveries(5200, 125_000, 10)).map((j) => j.id)).toEqual([job.id]);
    // While a's edit is in flight the job finishes: its result is due at once...
    await b.finish(job.id, { state: 'succeeded', at: 5300 });
    // ...but only once a's lease is over may b take it.
    expect(await b.claimDueDeliveries(5400, 130_000, 10)).toEqual([]);
    expect((await b.claimDueDeliveries(125_000, 245_000, 10)).map((j) => j.id)).toEqual([job.id]);
  });

  it('the audit outbox keeps one entry per job and hands each out once', async () => {
    const a = await proc('0/2:aaaa');
    const outbox = new AuditOutbox(dbs[0]!);
    const otherDb = await openStore(shared.location);
    dbs.push(otherDb);
    const other = new AuditOutbox(otherDb);
    const j1 = await a.insert(newJob());
    const j2 = await a.insert(newJob());
    await outbox.queue(j2.id, 10);
    await outbox.queue(j1.id, 20);
    await other.queue(j2.id, 30);
    expect((await other.take(10)).sort()).toEqual([j1.id, j2.id].sort());
    expect(await outbox.take(10)).toEqual([]);
  });
});
