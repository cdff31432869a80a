// Child process of model-fit.ts: runs one processing task through the real pool (in a model process of
// its own) and prints figures as JSON: the model process's peak RSS, and this process's, which only waits.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ModelPool } from '../../src/model/pool.js';

const [input, warmup, outDir, budget] = process.argv.slice(2) as [string, string, string, string];
const pool = new ModelPool({ size: 1, timeoutMs: 600_000, memoryMb: 2048 });
// Load the libraries first: the figure is the work, not the worker's start.
await pool.run({ kind: 'process', input: warmup, outDir, budgetBytes: 1 << 30 });
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const t0 = performance.now();
const r = await pool.run({ kind: 'process', input, outDir, budgetBytes: Number(budget) });
const ms = Math.round(performance.now() - t0);
loop.disable();
await pool.close();
console.log(
  JSON.stringify({
    sourceBytes: r.fit.bytesBefore,
    triangles: r.stats.triangles,
    texturePx: r.stats.largestTexturePx,
    budgetBytes: r.fit.budgetBytes,
    fittedBytes: r.output ? r.fit.bytesAfter : null,
    steps: r.fit.steps.map((s) => (s.value === undefined ? s.step : `${s.step} ${s.value}`)),
    ms,
    peakRssMb: Math.round((r.processPeakRssBytes ?? 0) / (1024 * 1024)),
    hostPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    mainLoopP99Ms: Math.round((loop.percentile(99) / 1e6) * 10) / 10,
  }),
);
