// How the poller's hot queries behave on a big database: 100,000 finished jobs and 1,000 active ones.
// Run with `npm run bench`; it prints figures and never fails a build.
import { afterAll, bench, describe } from 'vitest';
import { join } from 'node:path';
import { openSqlite } from '../../src/store/sqlite.js';
import { JobStore } from '../../src/store/jobs.js';
import { newJob } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';
import { nextCheckDelay } from '../../src/jobs/schedule.js';

const tmp = tempDir('model3d-bench-');
const db = openSqlite(join(tmp.dir, 'bench.sqlite'));
const jobs = new JobStore(db);
await db.transaction(async () => {
  for (let i = 0; i < 101_000; i++) {
    const j = await jobs.insert(newJob({ createdAt: i }));
    await jobs.markSubmitted(j.id, `task-${i}`, 35000, i, i + 5000);
    if (i < 100_000) await jobs.finish(j.id, { state: i % 10 ? 'succeeded' : 'failed', at: i + 78_000 });
  }
});
afterAll(async () => {
  await db.close();
  tmp.cleanup();
});

describe('poller queries (101k jobs, 1k active)', () => {
  bench('claim 50 due checks (and release them)', async () => {
    await jobs.claimDueChecks(Number.MAX_SAFE_INTEGER - 1, 0, 50);
  });
  bench('claim due deliveries', async () => {
    await jobs.claimDueDeliveries(Number.MAX_SAFE_INTEGER - 1, 0, 50);
  });
  bench('recent durations of one quality', async () => {
    await jobs.recentDurations('standard', 20);
  });
});

describe('status calls per job (78 s jobs, 5 s interval)', () => {
  const calls = (historyMs: number[]) => {
    let t = 5000;
    let n = 1;
    while (t < 78_000) {
      t += nextCheckDelay({ elapsedMs: t, historyMs, pollIntervalMs: 5000 });
      n++;
    }
    return n;
  };
  console.log(`status calls for a 78 s job: fixed interval ${calls([])}, learned schedule ${calls([75_000, 78_000, 90_000])}`);
  bench('nextCheckDelay', () => {
    nextCheckDelay({ elapsedMs: 30_000, historyMs: [75_000, 78_000, 90_000], pollIntervalMs: 5000 });
  });
});
