import { join } from 'node:path';
import type { Config } from '../../src/config/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { JobStore, type Job, type NewJob, type Quality } from '../../src/store/jobs.js';
import { QuotaService, type QuotaRequest } from '../../src/quota/service.js';
import { newJob } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';

export const GUILD = '200000000000000001';
export const OTHER_GUILD = '200000000000000002';
export const ALICE = '400000000000000001';
export const BOB = '400000000000000002';
export const CAROL = '400000000000000003';
export const MOD = '400000000000000099';

export function quotaConfig(o: Partial<Config['quota']> = {}): Config['quota'] {
  return { userDaily: 5, guildDaily: 100, globalDaily: 0, maxConcurrent: 100, cooldownS: 0, detailedCost: 2, timeZone: 'UTC', ...o };
}

/** A real SQLite file in a temp dir, a JobStore, a QuotaService and a settable clock. */
export function setup(config: Partial<Config['quota']> = {}, start = Date.parse('2024-06-15T12:00:00Z')) {
  const tmp = tempDir('model3d-quota-');
  const path = join(tmp.dir, 'bot.sqlite');
  const db: Db = openDatabase(path);
  const jobs = new JobStore(db);
  const clock = { now: start };
  const quota = new QuotaService(db, quotaConfig(config), () => clock.now);

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
  const mustReserve = (o: Partial<QuotaRequest> = {}, row: Partial<NewJob> = {}): Job => {
    const r = reserve(o, row);
    if (!r.ok) throw new Error(`expected a reservation, got ${JSON.stringify(r.denial)}`);
    return r.job;
  };
  /** Moves a reserved job through submit to a terminal state. */
  const finish = (job: Job, state: 'succeeded' | 'failed' | 'canceled' | 'expired' | 'timed_out') => {
    jobs.markSubmitted(job.id, `task-${job.id}`, 35000, clock.now, clock.now + 5000);
    return jobs.finish(job.id, { state, at: clock.now, errorCode: state === 'succeeded' ? null : 'X' })!;
  };
  const cleanup = () => {
    if (db.open) db.close();
    tmp.cleanup();
  };
  return { db, path, jobs, clock, quota, req, reserve, mustReserve, finish, cleanup, dir: tmp.dir };
}
