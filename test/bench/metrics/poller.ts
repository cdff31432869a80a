/**
 * The real job engine (children/poller-host.ts: Poller, JobStore, DmxapiClient, Deliverer) in its own
 * process against the DMXAPI simulator and the fake Discord, on a compressed clock: the simulator's
 * durations, POLL_INTERVAL_MS, the upstream budget and discord.js's global REST limit are all scaled
 * by the same factor, so the schedule sees the same shape it sees in production.
 *
 * - I7.8 (issue 7, item 8): a few jobs in flight (so the budget never thins the checks), durations
 *   ±20 % around their median, a full history to learn from: checks per job against fixed polling,
 *   and the p95 notify lag. The two runs go side by side, each with its own fakes.
 * - R8: the soak: 10,000 jobs, RSS, open file descriptors and active handles every 500 jobs. Many
 *   jobs in flight, so that it takes minutes, not a quarter of an hour: the host's CPU is the limit.
 */
import { join } from 'node:path';
import { FakeDiscord } from '../../fakes/discord/index.js';
import { DmxapiSimulator } from '../../fakes/dmxapi/index.js';
import { tempDir } from '../../helpers/tmp.js';
import type { BenchContext, Row } from '../lib/report.js';
import { BOT_NODE_FLAGS, runWorker } from '../lib/child.js';
import { fmtMB, mean, percentile, rng } from '../lib/stats.js';
import { HISTORY_WINDOW } from '../../../src/jobs/schedule.js';

const POLL_INTERVAL_MS = 5000;
const RATE = 10;
/** discord.js's global REST limit (Discord's 50 requests per second per bot). */
const DISCORD_GLOBAL_RPS = 50;
const MEDIAN = { standard: 78_000, detailed: 117_000 };

interface HostResult {
  result: { finished: { taskId: string; finishedAt: number; quality: 'standard' | 'detailed'; seq: number }[]; elapsedMs: number };
}
interface Sample {
  jobs: number;
  rss: number;
  heapUsed: number;
  fds: number;
  handles: number;
  /** Jobs started and not yet done when the sample was taken. */
  inFlight: number;
  at: number;
  /** The host's CPU time so far (user + system). */
  cpuMs: number;
  /** At rest only: open sockets, and file reads still pending (FileHandleReadWrap). */
  sockets?: number;
  fileReads?: number;
}

/** Text channels the host spreads its jobs over (see children/poller-host.ts). */
const CHANNELS = 50;

export async function withFakes<T>(scale: number, spread: number, seed: number, fn: (f: { discord: FakeDiscord; sim: DmxapiSimulator; dir: string; input: Record<string, unknown> }) => Promise<T>): Promise<T> {
  const discord = await FakeDiscord.start({ guilds: [{ channels: Array.from({ length: CHANNELS }, () => ({})) }], ackDeadlineMs: null });
  // The small model: these runs measure the poller, not model downloads (P6) or processing (P7).
  const sim = await DmxapiSimulator.start({ model: 'cube' });
  const random = rng(seed);
  // Durations uniform within ±spread of the quality's median (2 s of it queued), scaled.
  sim.setOutcome((body) => {
    const median = MEDIAN[body.parameters?.texture_quality === 'detailed' ? 'detailed' : 'standard'];
    const total = median * (1 - spread + 2 * spread * random()) * scale;
    const pendingMs = Math.round(2000 * scale);
    return { pendingMs, runningMs: Math.max(0, Math.round(total) - pendingMs) };
  });
  const tmp = tempDir('model3d-bench-poller-');
  const guild = discord.guilds[0]!;
  try {
    return await fn({
      discord,
      sim,
      dir: tmp.dir,
      input: {
        apiUrl: discord.apiUrl,
        botToken: discord.botToken,
        applicationId: discord.applicationId,
        guildId: guild.id,
        channelIds: guild.channels.filter((c) => c.type === 0).map((c) => c.id),
        simBaseUrl: sim.baseUrl,
        simKey: sim.key,
        dbPath: join(tmp.dir, 'bot.sqlite'),
        filesDir: join(tmp.dir, 'files'),
        pollIntervalMs: Math.round(POLL_INTERVAL_MS * scale),
        ratePerSecond: RATE / scale,
        discordRequestsPerSecond: Math.round(DISCORD_GLOBAL_RPS / scale),
      },
    });
  } finally {
    await sim.close();
    await discord.close();
    tmp.cleanup();
  }
}

/**
 * What a bot that has run a while has recorded: `HISTORY_WINDOW` durations per quality from the
 * simulator's distribution, each as the bot records it (the task's end plus when the poller saw it,
 * up to one interval later).
 */
function history(scale: number, spread: number, seed: number): { quality: 'standard' | 'detailed'; durationMs: number }[] {
  const random = rng(seed);
  const interval = POLL_INTERVAL_MS * scale;
  return (['standard', 'detailed'] as const).flatMap((quality) =>
    Array.from({ length: HISTORY_WINDOW }, () => ({ quality, durationMs: Math.round(MEDIAN[quality] * (1 - spread + 2 * spread * random()) * scale + random() * interval) })),
  );
}

export async function realScheduleSection(ctx: BenchContext): Promise<Row[]> {
  const scale = 1 / 50;
  const spread = 0.2;
  // Quick mode: fewer jobs (the rows say how many).
  const measured = ctx.quick ? 24 : 60;
  const interval = POLL_INTERVAL_MS * scale;
  const inFlight = 5;
  // The learned run starts with a full history (as a bot that has run a while); fixed polling ignores it.
  const seeded = history(scale, spread, 7);
  ctx.log(`I7.8: the real poller, ${measured} jobs, ${inFlight} in flight, clock ×${1 / scale}: learned schedule and fixed polling side by side (two hosts)`);
  const run = (mode: 'learned' | 'fixed') =>
    withFakes(scale, spread, 8, async ({ sim, input }) => {
      const r = await runWorker<HostResult>('poller-host.ts', { ...input, jobs: measured, concurrency: inFlight, mode, history: seeded }, { nodeArgs: BOT_NODE_FLAGS });
      return r.result.finished.map((f) => {
        const task = sim.tasks.get(f.taskId)!;
        const endAt = task.submittedAt + task.pendingMs + task.runningMs;
        return { quality: f.quality, checks: sim.getCount(f.taskId), lagMs: f.finishedAt - endAt };
      });
    });
  // Side by side: each host mostly waits on its compressed clock, so the two barely compete for CPU.
  const [learned, fixed] = await Promise.all([run('learned'), run('fixed')]);
  const ratio = mean(learned.map((o) => o.checks)) / mean(fixed.map((o) => o.checks));
  const lag = percentile(learned.map((o) => o.lagMs), 95) / interval;
  return [
    {
      id: 'I7.8',
      metric: `real poller vs simulator (clock ×${1 / scale}), ${measured} jobs, durations ±20 %, ${inFlight} in flight: checks per job, learned ÷ fixed polling`,
      value: `${ratio.toFixed(2)}× (${mean(learned.map((o) => o.checks)).toFixed(1)} vs ${mean(fixed.map((o) => o.checks)).toFixed(1)})`,
      target: '≤ 0.33×',
      pass: ratio <= 1 / 3,
      data: { ratio, learned, fixed, scale },
    },
    {
      id: 'I7.8',
      metric: `the same: p95 notify lag in poll intervals of ${interval} ms (fixed polling beside it)`,
      value: `${lag.toFixed(2)} (fixed ${(percentile(fixed.map((o) => o.lagMs), 95) / interval).toFixed(2)})`,
      target: '≤ 3',
      pass: lag <= 3,
      data: { p95LagMs: lag * interval, fixedP95LagMs: percentile(fixed.map((o) => o.lagMs), 95), intervalMs: interval },
    },
  ];
}

export async function soakSection(ctx: BenchContext): Promise<Row[]> {
  const scale = 1 / 100;
  const total = ctx.quick ? 1000 : 10_000;
  // Quick mode: 1,000 jobs, a sample every 100.
  const every = ctx.quick ? 100 : 500;
  const inFlight = 200;
  return withFakes(scale, 0.2, 9, async ({ input }) => {
    ctx.log(`R8: soak, ${total.toLocaleString('en-US')} jobs through the simulator, clock ×${1 / scale}, ${inFlight} in flight`);
    const samples: Sample[] = [];
    const drained: Sample[] = [];
    // Warm-up: the first 1,500 jobs (600 in quick mode): caches, JIT, connection pools, SQLite pages.
    const warmup = ctx.quick ? 600 : 1500;
    // The first rest comes early in the warm-up: V8 gives memory back while the engine rests, and
    // under load the heap took 500–1,000 jobs to grow back to its size (measured: 185 MB 500 jobs
    // after a rest, 230 MB 1,000 after, then +1–2 MB per 1,000 jobs).
    const restAt = ctx.quick ? 200 : 300;
    const r = await runWorker<HostResult>('poller-host.ts', { ...input, jobs: total, concurrency: inFlight, mode: 'learned', sampleEvery: every, drainAt: restAt }, {
      nodeArgs: BOT_NODE_FLAGS,
      timeoutMs: 40 * 60_000, // a safety net: about 3 min on an idle 2-core machine, much longer on a loaded one
      onLine: (line) => {
        if (line.startsWith('{"drained"')) drained.push((JSON.parse(line) as { drained: Sample }).drained);
        if (!line.startsWith('{"sample"')) return;
        const s = (JSON.parse(line) as { sample: Sample }).sample;
        samples.push(s);
        if (s.jobs % (5 * every) === 0) ctx.log(`R8: ${s.jobs} jobs, RSS ${fmtMB(s.rss)}, ${s.fds} fds, ${s.handles} handles`);
      },
    });
    // At rest (nothing in flight, idle connections closed) after `restAt` jobs and after the last job:
    // file descriptors and handles are compared there.
    const [rest0, rest1] = drained as [Sample, Sample];
    if (!rest0 || !rest1) throw new Error(`soak: ${drained.length} samples at rest, expected 2`);
    // RSS is compared under load, like with like: the samples after the warm-up with every job in
    // flight (a sample is taken as a job is done, before the next starts: one fewer). RSS at rest
    // depends on whether V8 happened to give memory back in those seconds; it is shown beside.
    const loaded = samples.filter((s) => s.jobs >= warmup && s.inFlight >= inFlight - 1);
    if (loaded.length < 2) throw new Error(`soak: ${loaded.length} samples under load after the warm-up`);
    const first = loaded[0]!;
    const last = loaded[loaded.length - 1]!;
    const growth = last.rss / first.rss - 1;
    // RSS follows the garbage collector's sawtooth; the median of up to five samples at each end shows the trend.
    const med = (xs: Sample[]) => percentile(xs.map((s) => s.rss), 50);
    const k = Math.max(1, Math.min(5, Math.floor(loaded.length / 2)));
    const trend = med(loaded.slice(-k)) / med(loaded.slice(0, k)) - 1;
    const cpuPerJob = (rest1.cpuMs - rest0.cpuMs) / (rest1.jobs - rest0.jobs);
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    return [
      {
        id: 'R8',
        metric: `soak ${total.toLocaleString('en-US')} jobs (real engine, clock ×${1 / scale}, ${inFlight} in flight): RSS after ${first.jobs} → after ${last.jobs} jobs (warm-up ${warmup})`,
        value: `${fmtMB(first.rss)} → ${fmtMB(last.rss)} (${pct(growth)}; median of last ${k} vs first ${k} samples: ${pct(trend)}; range ${fmtMB(Math.min(...loaded.map((s) => s.rss)))}–${fmtMB(Math.max(...loaded.map((s) => s.rss)))}; at rest ${fmtMB(rest0.rss)} → ${fmtMB(rest1.rss)}), ${(r.result.elapsedMs / 1000).toFixed(0)} s, host CPU ${cpuPerJob.toFixed(1)} ms/job`,
        target: 'within 10 %',
        pass: Math.abs(growth) <= 0.1,
        data: { samples, inFlight, cpuPerJobMs: cpuPerJob, growth, trend, restGrowth: rest1.rss / rest0.rss - 1 },
      },
      {
        id: 'R8',
        metric: `the same: open file descriptors (sockets); active handles (pending file reads), at rest after ${restAt} → after ${total.toLocaleString('en-US')} jobs`,
        value: `${rest0.fds} (${rest0.sockets}) → ${rest1.fds} (${rest1.sockets}); ${rest0.handles} (${rest0.fileReads}) → ${rest1.handles} (${rest1.fileReads}); under load at most ${Math.max(...samples.map((s) => s.fds))}; ${Math.max(...samples.map((s) => s.handles))}`,
        target: 'no growth',
        pass: rest1.fds <= rest0.fds && rest1.handles <= rest0.handles,
        data: { drained },
      },
    ];
  });
}
