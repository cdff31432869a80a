/**
 * The real Poller, the real JobStore (SQLite in memory), the real schedule and the real RateBudget,
 * run on a virtual clock: the poller's timer and the budget's run on virtual time, which jumps from
 * one timer to the next. Only the provider is modelled (each task's
 * duration is drawn up front) and Discord is left out (deliveries are acknowledged at once): the
 * figures are about when the poller checks, not about I/O.
 */
import { openSqlite } from '../../../src/store/sqlite.js';
import { JobStore } from '../../../src/store/jobs.js';
import type { Job } from '../../../src/domain/job.js';
import { JobEvents } from '../../../src/jobs/events.js';
import { Poller } from '../../../src/jobs/poller.js';
import { createLogger } from '../../../src/log/index.js';
import { RateBudget, type Clock } from '../../../src/upstream/index.js';
import type { TaskInfo } from '../../../src/upstream/index.js';
import { PROGRESS_EDIT_GAP_MS, type Deliverer } from '../../../src/discord/deliver.js';
import { newJob } from '../../helpers/jobs.js';
import { formatProviderTime } from '../../fakes/dmxapi/simulator.js';
import { normal } from './stats.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Virtual time: timers fire in order of due time; the clock jumps to each. */
export class VirtualTime implements Clock {
  t = 0;
  private seq = 0;
  private readonly timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer: Timer = { at: this.t + Math.max(0, ms || 0), seq: this.seq++, fn, cancelled: false };
    // Sorted insert (by time, then creation order), binary search.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.timers[mid]!;
      if (m.at < timer.at || (m.at === timer.at && m.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    if (handle && typeof handle === 'object' && 'cancelled' in handle) (handle as Timer).cancelled = true;
  }

  /** Fires timers in order (letting promises settle after each) until `done()` or `limitMs` of virtual time. */
  async run(done: () => boolean, limitMs: number): Promise<void> {
    const flush = () => new Promise<void>((r) => setImmediate(r));
    await flush();
    while (!done()) {
      const next = this.timers.shift();
      if (!next) throw new Error('virtual clock: nothing left to run');
      if (next.cancelled) continue;
      if (next.at > limitMs) throw new Error(`virtual clock: not done after ${limitMs} ms`);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flush();
    }
  }
}

export type Quality = 'standard' | 'detailed';

export interface PlannedTask {
  quality: Quality;
  /** Submit to SUCCEEDED, ms. */
  durationMs: number;
  /** When the member asks (virtual ms). */
  arriveAt: number;
}

/**
 * Durations shaped like real ones: the API document's example took 78 s (2 s queued), detailed
 * about 1.5× longer; log-normal spread (σ 0.15) and a long tail (5 % take 1.5–3× as long).
 */
export function drawDuration(random: () => number, quality: Quality): number {
  const median = quality === 'standard' ? 78_000 : 117_000;
  let d = median * Math.exp(0.15 * normal(random));
  if (random() < 0.05) d *= 1.5 + 1.5 * random();
  return Math.round(d);
}

export interface VirtualRunOptions {
  tasks: PlannedTask[];
  /** Finished jobs already in the history (per quality), as a bot that has run a while has. */
  warmHistory: PlannedTask[];
  pollIntervalMs: number;
  ratePerSecond: number;
  /** 'fixed': the same poller with no history, i.e. a check every pollIntervalMs. */
  mode: 'learned' | 'fixed';
}

export interface TaskOutcome {
  quality: Quality;
  durationMs: number;
  checks: number;
  /** From the task's end at the provider to the poller seeing it. */
  lagMs: number;
  /** From the member's command to the poller seeing the result (queueing for the budget included). */
  waitMs: number;
}

export interface VirtualRunResult {
  outcomes: TaskOutcome[];
  /** Every upstream call (submits and status checks), virtual ms. */
  callTimes: number[];
  virtualMs: number;
}

/** The history the real store returns, or none at all for the fixed-polling baseline. */
class NoHistoryJobStore extends JobStore {
  override async recentDurations(): Promise<number[]> {
    return [];
  }
}

export async function runVirtualPoller(o: VirtualRunOptions): Promise<VirtualRunResult> {
  const vt = new VirtualTime();
  const store = openSqlite(':memory:');
  const db = store.raw;
  try {
    const jobs = o.mode === 'fixed' ? new NoHistoryJobStore(store, undefined, PROGRESS_EDIT_GAP_MS) : new JobStore(store, undefined, PROGRESS_EDIT_GAP_MS);
    // History: finished jobs from before the run.
    let t0 = -3_600_000;
    for (const w of o.warmHistory) {
      const j = await jobs.insert(newJob({ quality: w.quality, createdAt: t0 }));
      await jobs.markSubmitted(j.id, `warm-${j.id}`, null, t0, t0);
      await jobs.finish(j.id, { state: 'succeeded', at: t0 + w.durationMs });
      t0 += 1000;
    }
    db.prepare('UPDATE jobs SET render_version = delivered_version').run();

    const budget = new RateBudget(o.ratePerSecond, vt);
    const callTimes: number[] = [];
    const tasks = new Map<string, { endAt: number; checks: number; plan: PlannedTask }>();
    const upstream = {
      async getTask(taskId: string): Promise<TaskInfo> {
        await budget.take();
        const at = vt.now();
        callTimes.push(at);
        const task = tasks.get(taskId)!;
        task.checks++;
        // The provider's own times, as the API document shows them (the provider received the submit when the bot sent it).
        if (at >= task.endAt) return { taskId, status: 'SUCCEEDED', submitTime: formatProviderTime(task.endAt - task.plan.durationMs), endTime: formatProviderTime(task.endAt) };
        return { taskId, status: at - (task.endAt - task.plan.durationMs) < 2000 ? 'PENDING' : 'RUNNING' };
      },
    };
    const deliverer = {
      deliver: async () => ({ route: 'webhook' as const, messageId: '1', channelId: '1', attachments: [] }),
      editComponents: async () => undefined,
    } as unknown as Deliverer;

    const poller = new Poller({
      jobs,
      upstream,
      deliverer,
      events: new JobEvents(),
      log: createLogger({ level: 'silent' }),
      clock: () => vt.now(),
      pollIntervalMs: o.pollIntervalMs,
      filesDir: '/nonexistent',
      allowPrivateAddresses: true,
      // No result links in this task shape: nothing is downloaded, so nothing reaches processing.
      maxModelBytes: 1024 * 1024,
      models: { free: 0, process: () => Promise.resolve(undefined) },
      processingLeaseMs: 60_000,
      leaseMs: 120_000,
      upstreamRps: 10,
      timers: vt,
    });
    const byJob = new Map<number, string>();
    // Each member's submit, as commands/model3d.ts does it: row first, then the submit (through the budget).
    for (const plan of o.tasks) {
      vt.setTimeout(() => {
        void (async () => {
          const job = await jobs.insert(newJob({ quality: plan.quality, createdAt: vt.now(), deadlineAt: vt.now() + 30 * 60_000 }));
          await budget.take();
          const at = vt.now();
          callTimes.push(at);
          const taskId = `task-${job.id}`;
          tasks.set(taskId, { endAt: at + plan.durationMs, checks: 0, plan });
          byJob.set(job.id, taskId);
          await jobs.markSubmitted(job.id, taskId, null, at, at + o.pollIntervalMs);
          poller.wake();
        })();
      }, plan.arriveAt);
    }
    await poller.start();
    const finished = db.prepare(`SELECT COUNT(*) FROM jobs WHERE task_id LIKE 'task-%' AND finished_at IS NOT NULL`).pluck();
    await vt.run(() => (finished.get() as number) === o.tasks.length, 48 * 3600_000);

    const outcomes: TaskOutcome[] = [];
    for (const row of db.prepare(`SELECT * FROM jobs WHERE task_id LIKE 'task-%'`).all() as { id: number; finished_at: number; state: Job['state'] }[]) {
      const task = tasks.get(byJob.get(row.id)!)!;
      if (row.state !== 'succeeded') throw new Error(`virtual run: job ${row.id} ended ${row.state}`);
      outcomes.push({ quality: task.plan.quality, durationMs: task.plan.durationMs, checks: task.checks, lagMs: row.finished_at - task.endAt, waitMs: row.finished_at - task.plan.arriveAt });
    }
    return { outcomes, callTimes, virtualMs: vt.now() };
  } finally {
    await store.close();
  }
}
