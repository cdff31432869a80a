/**
 * One contender in the reservation race (see race.test.ts): opens the shared SQLite file,
 * waits for "go", then reserves while holding the transaction open a little, to widen the window.
 */
import { openDatabase } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { QuotaService } from '../../src/quota/service.js';
import { newJob } from '../helpers/jobs.js';
import { quotaConfig, ALICE, GUILD } from './helpers.js';

const [path, name, limit] = process.argv.slice(2) as [string, string, 'daily' | 'concurrent'];
const db = openDatabase(path);
const jobs = new JobStore(db);
const config = limit === 'daily' ? quotaConfig({ userDaily: 1 }) : quotaConfig({ maxConcurrent: 1 });
const quota = new QuotaService(db, config, () => Date.now());
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

process.on('message', (m) => {
  if (m !== 'go') return;
  const r = quota.reserve({ userId: ALICE, guildId: GUILD, roleIds: [], quality: 'standard' }, (cost) => {
    sleep(150);
    return jobs.insert(newJob({ interactionId: `race-${name}`, userId: ALICE, guildId: GUILD, cost, createdAt: Date.now() }));
  });
  db.close();
  process.send!(r.ok ? { ok: true, jobId: r.job.id } : { ok: false, limit: r.denial.limit }, () => process.exit(0));
});
process.send!('ready');
