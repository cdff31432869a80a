/**
 * The fewest status checks any schedule can make on a distribution of durations while seeing all but
 * `lateShare` of the jobs within one interval of their end: what P2's two targets allow together.
 *
 * A schedule is one list of check times per quality (t1 < t2 < …, on a `stepMs` grid), chosen
 * knowing the distribution exactly (a large sample of it), so no schedule that learns from a
 * history of 50 can do better on average. A job that ends at d costs one check per t_i before d plus
 * the one that sees it, and is late if that one is more than an interval after d. Minimised with a
 * Lagrange multiplier on the late share (dynamic programming over the previous check time for each
 * multiplier, bisected until the share fits), over all qualities at once: the lag target is on every
 * job, not on each quality.
 */
export interface BoundOptions {
  intervalMs: number;
  lateShare: number;
  /** Keep the check one interval after the submit (as the bot does), or let the schedule drop it. */
  earlyCheck: boolean;
  stepMs?: number;
}

export interface Bound {
  /** Mean checks per job. */
  checks: number;
  /** The share of jobs seen more than an interval late. */
  late: number;
  /** Mean checks per job of fixed polling (one every interval) on the same durations. */
  fixedChecks: number;
}

/** `groups`: a sample of each quality's durations and that quality's share of the jobs. */
export function fewestChecks(groups: readonly { durations: readonly number[]; share: number }[], o: BoundOptions): Bound {
  const step = o.stepMs ?? 500;
  const fixedChecks = groups.reduce((a, g) => a + g.share * mean(g.durations.map((d) => Math.max(1, Math.ceil(d / o.intervalMs)))), 0);
  const solve = (lambda: number) =>
    groups
      .map((g) => ({ ...solveOne(g.durations, lambda, step, o), share: g.share }))
      .reduce((a, b) => ({ checks: a.checks + b.checks * b.share, late: a.late + b.late * b.share, fixedChecks }), { checks: 0, late: 0, fixedChecks });
  // A larger multiplier makes lateness dearer: fewer late jobs, more checks.
  let lo = 0;
  let hi = 1;
  while (solve(hi).late > o.lateShare) hi *= 2;
  for (let n = 0; n < 30; n++) {
    const mid = (lo + hi) / 2;
    if (solve(mid).late > o.lateShare) lo = mid;
    else hi = mid;
  }
  // The share jumps between the two multipliers' schedules; a schedule that picks one of the two at
  // random per job, in the right proportion, has exactly `lateShare` late (mixing is allowed too).
  const [over, under] = [solve(lo), solve(hi)];
  if (over.late <= o.lateShare || over.late === under.late) return under;
  const w = (over.late - o.lateShare) / (over.late - under.late);
  return { checks: w * under.checks + (1 - w) * over.checks, late: o.lateShare, fixedChecks };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function solveOne(durations: readonly number[], lambda: number, step: number, o: BoundOptions): Omit<Bound, 'fixedChecks'> {
  const interval = Math.round(o.intervalMs / step);
  const end = Math.ceil(Math.max(...durations) / step) + interval + 1;
  // done[k]: the share of jobs ended by k steps.
  const done = new Float64Array(end + 1);
  for (const d of durations) done[Math.min(end, Math.ceil(d / step))]! += 1 / durations.length;
  for (let k = 1; k <= end; k++) done[k]! += done[k - 1]!;
  const lateBetween = (s: number, t: number) => (t - interval > s ? done[t - interval]! - done[s]! : 0);
  // best[s]: the least cost (checks + λ·late) of the checks after one at s; next[s]: the next check.
  const best = new Float64Array(end + 1);
  const next = new Int32Array(end + 1).fill(end);
  for (let s = end - 1; s >= 0; s--) {
    const running = 1 - done[s]!;
    if (running < 1e-12) continue;
    let cost = Number.POSITIVE_INFINITY;
    for (let t = s + 1; t <= end; t++) {
      const c = running + lambda * lateBetween(s, t) + best[t]!;
      if (c < cost) {
        cost = c;
        next[s] = t;
      }
    }
    best[s] = cost;
  }
  // Walk the chosen checks: from the early one (always made), or from the submit.
  let s = o.earlyCheck ? interval : 0;
  let checks = o.earlyCheck ? 1 : 0;
  let late = 0;
  while (s < end && 1 - done[s]! > 1e-12) {
    const t = next[s]!;
    checks += 1 - done[s]!;
    late += lateBetween(s, t);
    s = t;
  }
  return { checks, late };
}
