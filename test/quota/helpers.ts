import type { Config } from '../../src/config/index.js';
import type { NewJob } from '../../src/store/jobs.js';
import { createStores } from '../../src/store/stores.js';
import type { Job } from '../../src/domain/job.js';
import type { Quality } from '../../src/domain/quality.js';
import { QuotaService, type QuotaRequest } from '../../src/quota/service.js';
import { newJob } from '../helpers/jobs.js';
import { openTestStore, type Backend } from '../helpers/store.js';

export { ALICE, BOB, CAROL, GUILD, MOD, OTHER_GUILD, quotaConfig } from './constants.js';
import { ALICE, GUILD, quotaConfig } from './constants.js';

export type QuotaEnv = Awaited<ReturnType<typeof setupQuota>>;

/** A real store of either kind, a JobStore, a QuotaService and a settable clock. */
export async function setupQuota(backend: Backend, config: Partial<Config['quota']> = {}, start = Date.parse('2024-06-15T12:00:00Z')) {
  const store = await openTestStore(backend);
  const db = store.db;
  const stores = createStores(db);
  const jobs = stores.jobs;
  const clock = { now: start };
  const quota = new QuotaService(db, stores.quota, quotaConfig(config), () => clock.now);

  const req = (o: Partial<QuotaRequest> = {}): QuotaRequest => ({
    userId: ALICE,
    guildId: GUILD,
    roleIds: [],
    quality: 'standard' as Quality,
    ...o,
  });
  /** reserve() writing the row with JobStore.insert, as /model3d does. */
  const reserve = (o: Partial<QuotaRequest> = {}, row: Partial<NewJob> = {}) => {
    const r = req(o);
    return quota.reserve(r, (cost) =>
      jobs.insert(newJob({ userId: r.userId, guildId: r.guildId, quality: r.quality, cost, createdAt: clock.now, ...row })),
    );
  };
  const mustReserve = async (o: Partial<QuotaRequest> = {}, row: Partial<NewJob> = {}): Promise<Job> => {
    const r = await reserve(o, row);
    if (!r.ok) throw new Error(`expected a reservation, got ${JSON.stringify(r.denial)}`);
    return r.job;
  };
  /** Moves a reserved job through submit to a terminal state. */
  const finish = async (job: Job, state: 'succeeded' | 'failed' | 'canceled' | 'expired' | 'timed_out') => {
    await jobs.markSubmitted(job.id, `task-${job.id}`, 35000, clock.now, clock.now + 5000);
    return (await jobs.finish(job.id, { state, at: clock.now, errorCode: state === 'succeeded' ? null : 'X' }))!;
  };
  /** Rows in a table. */
  const count = async (table: string) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;
  return { db, store, location: store.location, stores, jobs, clock, quota, req, reserve, mustReserve, finish, count, cleanup: () => store.cleanup() };
}
