/**
 * Where measurements from features being built elsewhere plug into the report. Each list starts
 * empty; the report shows a pending row (…) for what is not registered, never a made-up figure.
 *
 * - P1 "while a model is being post-processed" (issue 8): register a BusyLoad that makes the real
 *   bot busy post-processing (e.g. `world.dmxapi.nextTasks.push({ modelBytes: 35e6 })`, send one
 *   /model3d, wait for the bot's "post-processing started" log) and returns a function that waits for
 *   it to finish. The report sends a burst of 30 interactions while it runs.
 * - P7 (issues 8 and 9): register a WorkerBench that runs the worker on its fixture and returns rows
 *   (time and peak RSS against their targets: post-processing ≤ 10 s, turntable render ≤ 3 s).
 */
import type { World } from '../e2e/harness.js';
import type { BenchContext, Row } from './lib/report.js';

export interface BusyLoad {
  /** e.g. 'a 35 MB model is being post-processed' */
  name: string;
  /** Starts the load in the bot of `world`; resolves once it is under way, with a function that waits for its end. */
  start(world: World, bot: { pid: number }): Promise<() => Promise<void>>;
}

export interface WorkerBench {
  id: 'P7';
  name: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

export const busyLoads: BusyLoad[] = [];

export const workerBenches: WorkerBench[] = [];

/** What P7 will measure, shown as pending until its bench is registered above. */
export const pendingWorkerBenches = [
  { name: 'post-processing: fit a 35 MB model under 10 MiB (worker time; peak RSS)', target: '≤ 10 s', issue: 8 },
  { name: 'turntable render (worker time; peak RSS)', target: '≤ 3 s', issue: 9 },
];
