/**
 * P10: one upstream budget for every process. Two real processes (children/budget-user.ts), each
 * with the SharedRateBudget over one SQLite file: one busy, one idle. The busy one's share of the
 * budget, the most calls of both in any 1 s window, and the idle one's wait; then a lone busy
 * process with the shared budget beside one with its own RateBudget (what SHARDS=1 uses).
 */
import { join } from 'node:path';
import { openStore } from '../../../src/store/open.js';
import { tempDir } from '../../helpers/tmp.js';
import type { BenchContext, Row } from '../lib/report.js';
import { runWorker } from '../lib/child.js';
import { maxInWindow } from '../lib/stats.js';

const LIMIT = 20;

interface Drawn {
  grants: number[];
  waits: number[];
  reservations: number;
  late: number;
}

export async function budgetSection(ctx: BenchContext): Promise<Row[]> {
  const durationMs = ctx.quick ? 6000 : 15_000;
  const tmp = tempDir('model3d-bench-budget-');
  const databasePath = join(tmp.dir, 'bot.sqlite');
  await (await openStore({ databasePath })).close(); // migrated once, before both start
  const run = (mode: 'busy' | 'idle', budget: 'shared' | 'local', startAt: number) =>
    runWorker<Drawn>('budget-user.ts', { databasePath, perSecond: LIMIT, mode, budget, startAt, durationMs }, { timeoutMs: durationMs + 60_000 });
  try {
    const secs = durationMs / 1000;
    ctx.log(`P10: a busy and an idle process on one budget of ${LIMIT}/s, ${secs} s`);
    // Both start drawing at the same moment, once both have loaded.
    let startAt = Date.now() + 5000;
    const [busy, idle] = await Promise.all([run('busy', 'shared', startAt), run('idle', 'shared', startAt)]);
    const share = busy.grants.length / (LIMIT * secs);
    const worst = maxInWindow([...busy.grants, ...idle.grants], 1000);
    const rows: Row[] = [
      {
        id: 'P10',
        metric: `busy process's share of the budget beside an idle one (${LIMIT}/s, ${secs} s, one SQLite file)`,
        value: `${(share * 100).toFixed(1)} % (${busy.grants.length} calls; the idle one ${idle.grants.length}; ${busy.reservations} reservations)`,
        target: '≥ 90 %',
        pass: share >= 0.9,
        data: { share, busyCalls: busy.grants.length, idleCalls: idle.grants.length, reservations: busy.reservations, lateStartMs: [busy.late, idle.late] },
      },
      {
        id: 'P10',
        metric: 'most calls of both processes in any 1 s window',
        value: `${worst}`,
        target: `≤ ${LIMIT}`,
        pass: worst <= LIMIT,
        data: { maxPerSecond: worst },
      },
      {
        id: 'P10',
        metric: "the idle process's wait for the budget, longest",
        value: `${Math.max(...idle.waits)} ms (${idle.waits.length} calls)`,
        target: '—',
        pass: null,
        data: { idleWaitsMs: idle.waits },
      },
    ];

    ctx.log(`P10: a lone busy process, shared budget and then its own RateBudget, ${secs} s each`);
    startAt = Date.now() + 4000;
    const shared = await run('busy', 'shared', startAt);
    startAt = Date.now() + 4000;
    const local = await run('busy', 'local', startAt);
    const lone = shared.grants.length / local.grants.length;
    rows.push({
      id: 'P10',
      metric: "a lone busy process: calls with the shared budget ÷ with its own RateBudget (SHARDS=1's)",
      value: `${lone.toFixed(3)}× (${shared.grants.length} vs ${local.grants.length}; ${(shared.reservations / shared.grants.length).toFixed(2)} store statements per call; most in 1 s ${maxInWindow(shared.grants, 1000)})`,
      // Both count calls on a loaded machine: a call or two in 300 is noise.
      target: '≥ 0.98×',
      pass: lone >= 0.98,
      data: { sharedCalls: shared.grants.length, localCalls: local.grants.length, statementsPerCall: shared.reservations / shared.grants.length },
    });
    return rows;
  } finally {
    tmp.cleanup();
  }
}
