/**
 * One contender in the reservation race (see race.test.ts): opens the shared store (SQLite file or
 * PostgreSQL schema), waits for "go", then reserves while holding the transaction open a little,
 * to widen the window.
 */
import { openStore, type StoreLocation } from '../../src/store/open.js';
import { createStores } from '../../src/store/stores.js';
import { QuotaService } from '../../src/quota/service.js';
import { newJob } from '../helpers/jobs.js';
import { quotaConfig, ALICE, GUILD } from './constants.js';

const [where, name, limit] = process.argv.slice(2) as [string, string, 'daily' | 'concurrent'];
const db = await openStore(JSON.parse(where) as StoreLocation);
const stores = createStores(db);
const jobs = stores.jobs;
const config = limit === 'daily' ? quotaConfig({ userDaily: 1 }) : quotaConfig({ maxConcurrent: 1 });
const quota = new QuotaService(db, stores.quota, config, () => Date.now());
let attempts = 0;

process.on('message', (m) => {
  if (m !== 'go') return;
  void (async () => {
    const r = await quota.reserve({ userId: ALICE, guildId: GUILD, roleIds: [], quality: 'standard' }, async (cost) => {
      attempts++;
      const job = await jobs.insert(newJob({ interactionId: `race-${name}`, userId: ALICE, guildId: GUILD, cost, createdAt: Date.now() }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      return job;
    });
    await db.close();
    process.send!(r.ok ? { ok: true, jobId: r.job.id, attempts } : { ok: false, limit: r.denial.limit, attempts }, () => process.exit(0));
  })();
});
process.send!('ready');
