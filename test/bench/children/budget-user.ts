// P10: one process drawing on the upstream budget, as a shard process does: the real SharedRateBudget over
// a SQLite file that another such process shares (or, as the baseline, a lone process's own RateBudget).
// `busy` keeps 40 calls waiting; `idle` asks once every 2 s. Prints {"grants", "waits", "reservations"}.
import { openStore } from '../../../src/store/open.js';
import { BudgetStore } from '../../../src/store/budget.js';
import { RateBudget, SharedRateBudget, type BudgetSlices, type UpstreamBudget } from '../../../src/upstream/index.js';

const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as {
  databasePath: string;
  perSecond: number;
  mode: 'busy' | 'idle';
  budget: 'shared' | 'local';
  startAt: number;
  durationMs: number;
};
const db = await openStore({ databasePath: input.databasePath });
const store = new BudgetStore(db);
let reservations = 0;
const slices: BudgetSlices = {
  reserve: (...args) => {
    reservations++;
    return store.reserve(...args);
  },
};
const budget: UpstreamBudget = input.budget === 'shared' ? new SharedRateBudget({ perSecond: input.perSecond, slices }) : new RateBudget(input.perSecond);
const grants: number[] = [];
const waits: number[] = [];
const end = input.startAt + input.durationMs;
await new Promise((r) => setTimeout(r, Math.max(0, input.startAt - Date.now())));
const late = Date.now() - input.startAt;

const call = async (): Promise<void> => {
  const asked = Date.now();
  await budget.take();
  const at = Date.now();
  if (at < end) {
    grants.push(at);
    waits.push(at - asked);
  }
};
if (input.mode === 'busy') {
  const drawer = async () => {
    while (Date.now() < end) await call();
  };
  await Promise.all(Array.from({ length: 40 }, drawer));
} else {
  while (Date.now() < end) {
    await call();
    await new Promise((r) => setTimeout(r, 2000));
  }
}
budget.close();
await db.close();
console.log(JSON.stringify({ grants, waits, reservations, late }));
process.exit(0);
