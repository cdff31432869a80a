/**
 * P1 and P4: the real bot process (`npm start`, built) against the fake Discord and the DMXAPI
 * simulator, as the e2e tests run it.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snowflake } from '../../fakes/discord/index.js';
import type { FakeDiscord, InteractionRecord } from '../../fakes/discord/index.js';
import { World, samplePng } from '../../e2e/harness.js';
import { busyLoads } from '../hooks.js';
import { BOT_NODE_FLAGS, repoRoot } from '../lib/child.js';
import type { BenchContext, Row } from '../lib/report.js';
import { fmtMB, fmtMs, fmtRatio, percentile, rssOf } from '../lib/stats.js';
import { BotLog } from '../lib/bot-log.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bot as an operator runs it, with limits high enough that quotas do not refuse the load. */
const BOT_ENV = {
  LOG_LEVEL: 'info',
  UPSTREAM_MAX_RPS: '20',
  QUOTA_USER_DAILY: '1000',
  QUOTA_GUILD_DAILY: '10000',
  // To try V8 flags on the bot: BENCH_BOT_NODE_OPTIONS='--max-semi-space-size=1' npm run bench -- --only P4
  ...(process.env.BENCH_BOT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_BOT_NODE_OPTIONS } : {}),
  // And glibc's allocator: BENCH_BOT_MALLOC_ARENA_MAX=2 npm run bench -- --only P4
  ...(process.env.BENCH_BOT_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.BENCH_BOT_MALLOC_ARENA_MAX } : {}),
};

/** Sends `n` /model3d at once (each from its own member, with its own upload); resolves with the ack latencies (ms; Infinity if never acked). */
export async function burst(discord: FakeDiscord, n: number, guildId?: string): Promise<number[]> {
  const png = samplePng();
  const recs: InteractionRecord[] = [];
  for (let i = 0; i < n; i++) {
    const image = discord.hostFile(png, { filename: `burst-${i}.png`, contentType: 'image/png', width: 256, height: 256 });
    const user = { id: snowflake(), username: `member${i}`, global_name: `Member ${i}` };
    recs.push(discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, ...(guildId ? { guildId } : {}) })));
  }
  const deadline = Date.now() + 15_000;
  while (recs.some((r) => r.ackedAt === null) && Date.now() < deadline) await sleep(50);
  return recs.map((r) => r.ackLatencyMs ?? Number.POSITIVE_INFINITY);
}

const delivered = (log: BotLog) => log.count('result delivered');

/** The bare baseline bot (children/bare-bot.mjs) on the same fake. */
async function startBareBot(world: World, nodeArgs: string[] = []): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL('../children/bare-bot.mjs', import.meta.url))], {
    env: { ...process.env, DISCORD_TOKEN: world.discord.botToken, DISCORD_API_URL: world.discord.apiUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('connected to Discord') && resolve());
    child.once('exit', (code) => reject(new Error(`bare bot exited ${code}`)));
  });
  await world.discord.waitForReady();
  return {
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const summary = (lat: number[]) => ({ p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), acked: lat.filter(Number.isFinite).length });

export async function ackSection(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  // Quick mode: a burst of 100 instead of 300 (the bot then has 100 results to deliver before the busy load, not 300).
  const sizes = ctx.quick ? [30, 100] : [30, 300];
  const results: Record<string, { bot: ReturnType<typeof summary>; bare: ReturnType<typeof summary> }> = {};

  // The baseline first, on its own fake.
  const bare: Record<number, number[]> = {};
  {
    const world = await World.start({ guilds: 1 });
    try {
      const b = await startBareBot(world);
      await burst(world.discord, 10, undefined); // warm-up
      for (const n of sizes) {
        await sleep(1000);
        bare[n] = await burst(world.discord, n);
      }
      await b.stop();
    } finally {
      await world.close();
    }
  }

  const world = await World.start({ guilds: 1, timeline: { pendingMs: 200, runningMs: 800 }, env: BOT_ENV });
  try {
    ctx.log(`P1: bursts of ${sizes.join(' and ')} /model3d against the real bot`);
    const bot = await world.startBot();
    const log = new BotLog(bot);
    await burst(world.discord, 5); // warm-up: first requests, JIT
    let expected = 5;
    await log.until('warm-up results', 60_000, () => delivered(log) >= expected);
    // The bot is idle before each burst (every earlier result delivered). The biggest burst comes
    // last, so that nothing waits for its results.
    const idleBurst = async (n: number) => {
      await sleep(1000);
      const lat = await burst(world.discord, n);
      results[n] = { bot: summary(lat), bare: summary(bare[n]!) };
      expected += n;
    };
    await idleBurst(sizes[0]!);
    for (const load of busyLoads) {
      await log.until('all results', 300_000, () => delivered(log) >= expected);
      const wait = await load.start(world, bot, log);
      const lat = summary(await burst(world.discord, 30));
      await wait();
      expected += 31;
      rows.push({
        id: 'P1',
        metric: `ack latency, burst of 30 while ${load.name} (p50 / p99)`,
        value: `${fmtMs(lat.p50)} / ${fmtMs(lat.p99)}`,
        target: 'p99 < 50 ms',
        pass: lat.p99 < 50,
        data: lat,
      });
    }
    await log.until('all results', 300_000, () => delivered(log) >= expected);
    for (const n of sizes.slice(1)) await idleBurst(n);
  } finally {
    await world.close();
  }
  for (const n of sizes) {
    const { bot, bare: base } = results[n]!;
    rows.unshift({
      id: 'P1',
      metric: `ack latency, burst of ${n}, idle bot: p50 / p99 (p99 ÷ bare discord.js bot's)`,
      value: `${fmtMs(bot.p50)} / ${fmtMs(bot.p99)} (${fmtRatio(bot.p99 / base.p99)}; bare ${fmtMs(base.p50)} / ${fmtMs(base.p99)})`,
      target: 'p99 < 50 ms',
      pass: bot.p99 < 50,
      data: { bot, bare: base, ratioP99: bot.p99 / base.p99 },
    });
  }
  rows.sort((a, b) => (a.metric < b.metric ? -1 : 1));
  if (busyLoads.length === 0) {
    rows.push({
      id: 'P1',
      metric: 'ack latency, burst of 30 while a model is being post-processed',
      value: 'pending: issue 8 registers its load in test/bench/hooks.ts',
      target: 'p99 < 50 ms',
      pass: null,
    });
  }
  return rows;
}

/** Median of three RSS samples half a second apart. */
async function rss(pid: number): Promise<number> {
  const s: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(500);
    s.push(rssOf(pid));
  }
  return percentile(s, 50);
}

/** Sends `n` GUILD_CREATEs (100 at a time), each batch taken in before the next; then lets the process settle. */
async function addGuilds(discord: FakeDiscord, n: number, settleMs = 2000): Promise<void> {
  for (let i = 0; i < n; i += 100) {
    const added = discord.addGuilds(Array.from({ length: Math.min(100, n - i) }, () => ({ channels: [{}, {}, {}, {}, {}], roles: 5, members: 3 })));
    await caughtUp(discord, added[added.length - 1]!.id);
  }
  await sleep(settleMs);
}

/** Proves a bot has taken in every gateway event sent before it (events arrive in order): it acknowledges a command sent after them. */
async function caughtUp(discord: FakeDiscord, guildId: string): Promise<void> {
  const rec = discord.sendInteraction(discord.build.chatInput({ name: 'quota', guildId }));
  await discord.waitForAck(rec.id, { timeoutMs: 60_000 });
}

/** The bare discord.js bot (default caches, the bot's node flags): RSS idle with 1 guild and after 2,500 GUILD_CREATEs. */
async function bareMemory(): Promise<{ idle: number; at2500: number }> {
  const world = await World.start({ guilds: 1 });
  try {
    const bare = await startBareBot(world, BOT_NODE_FLAGS);
    await caughtUp(world.discord, world.discord.guilds[0]!.id);
    await sleep(2000);
    const idle = await rss(bare.pid);
    await addGuilds(world.discord, 2500);
    const at2500 = await rss(bare.pid);
    await bare.stop();
    return { idle, at2500 };
  } finally {
    await world.close();
  }
}

export async function memorySection(ctx: BenchContext): Promise<Row[]> {
  const rows = await botMemory(ctx);
  ctx.log('P4: the bare discord.js bot, 1 then 2,500 guilds');
  const bare = await bareMemory();
  rows.splice(3, 0, {
    id: 'P4',
    metric: 'the same, bare discord.js bot (default caches): idle 1 guild → 2,500 guilds',
    value: `${fmtMB(bare.idle)} → ${fmtMB(bare.at2500)}`,
    target: '—',
    pass: null,
    data: { idleBytes: bare.idle, at2500Bytes: bare.at2500 },
  });
  return rows;
}

/** One job in this many serves the simulator's Tripo-like standard model (about 15 MB, fitted under 10 MiB); the rest a tiny cube. */
const TRIPO_EVERY = 50;

/** Samples a process's RSS every `everyMs` until stopped; resolves with the highest reading. */
function peakSampler(pid: number, everyMs = 200): { stop: () => number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone; the caller notices
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * With BENCH_HEAP_SNAPSHOTS=1 and BENCH_BOT_NODE_OPTIONS='--heapsnapshot-signal=SIGUSR2', asks the bot
 * for a heap snapshot (written to the repository root by node) and waits for it. Writing one costs the
 * bot memory of its own, so the RSS rows of such a run are not the figures; compare the snapshots
 * (e.g. `npx tsx test/bench/heap-summary.ts before.heapsnapshot after.heapsnapshot`).
 */
async function heapSnapshot(pid: number, when: string, ctx: BenchContext): Promise<void> {
  if (process.env.BENCH_HEAP_SNAPSHOTS !== '1') return;
  const before = new Set(readdirSync(repoRoot).filter((f) => f.endsWith('.heapsnapshot')));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const made = readdirSync(repoRoot).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // Node writes the file in one go and closes it; a size that no longer changes means it is done.
    if (made.length) {
      const file = join(repoRoot, made[0]!);
      const size = statSync(file).size;
      await sleep(1000);
      if (size > 0 && statSync(file).size === size) {
        ctx.log(`P4: heap snapshot ${when}: ${made[0]}`);
        return;
      }
    } else await sleep(250);
    if (Date.now() > deadline) throw new Error('no heap snapshot: start with BENCH_BOT_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2');
  }
}

async function botMemory(ctx: BenchContext): Promise<Row[]> {
  // Issue 20 measures 300 jobs in flight, finishing and being processed; 100 in quick mode.
  const jobs = ctx.quick ? 100 : 300;
  // The bot settles (GC) before each reading: 2 s, 1 s in quick mode.
  const settleMs = ctx.quick ? 1000 : 2000;
  // Tasks stay queued upstream until the simulator's clock is moved on: the jobs stay in flight.
  const pendingMs = 3600_000;
  const world = await World.start({ guilds: 1, timeline: { pendingMs, runningMs: 1000 }, env: { ...BOT_ENV, POLL_INTERVAL_MS: '5000' } });
  try {
    const bot = await world.startBot();
    const log = new BotLog(bot);
    const pid = await bot.botPid();
    const { discord, dmxapi } = world;
    await caughtUp(discord, discord.guilds[0]!.id);
    await sleep(settleMs);
    const idle1 = await rss(pid);
    ctx.log('P4: 1,000 then 2,500 guilds arrive as GUILD_CREATE');
    await addGuilds(discord, 1000, settleMs);
    const at1000 = await rss(pid);
    await addGuilds(discord, 1500, settleMs);
    const at2500 = await rss(pid);
    await heapSnapshot(pid, 'idle at 2,500 guilds', ctx);

    ctx.log(`P4: ${jobs} jobs in flight (1 in ${TRIPO_EVERY} a Tripo-like model to fit)`);
    const guildId = discord.guilds[0]!.id;
    let acked = 0;
    for (let i = 0; i < jobs; i += 50) {
      const n = Math.min(50, jobs - i);
      // Plans are taken in submit order; only the kind of model matters here.
      for (let k = 0; k < n; k++) dmxapi.nextTasks.push((i + k) % TRIPO_EVERY === 0 ? { model: 'tripo' } : {});
      const lat = await burst(discord, n, guildId);
      acked += lat.filter(Number.isFinite).length;
    }
    // An interaction acknowledged too late (the machine is shared) is refused by Discord and starts no job.
    await log.until(`${acked} submits`, 300_000, () => dmxapi.chargedCount() >= acked, 100);
    dmxapi.nextTasks.length = 0;
    const inFlightJobs = dmxapi.chargedCount();
    await sleep(settleMs + 1000);
    const inFlight = await rss(pid);
    ctx.log(`P4: the ${jobs} jobs finish, are processed and delivered`);
    const sampler = peakSampler(pid);
    dmxapi.advanceTime(pendingMs);
    await log.until(`${inFlightJobs} results`, 600_000, () => delivered(log) >= inFlightJobs, 100);
    const peak = sampler.stop();
    // V8 gives memory back once the process has been idle a while (its memory reducer): wait for that.
    await sleep(ctx.quick ? 5000 : 30_000);
    const after = await rss(pid);
    await heapSnapshot(pid, 'after the load', ctx);
    const label = inFlightJobs.toLocaleString('en-US');
    // The model process reports its own peak (getrusage) with each model it processed.
    const processed = log.lines().filter((l) => l.msg === 'model processed');
    const childPeaks = processed.map((l) => Number(l.processPeakRssMb)).filter(Number.isFinite);
    const childPeakMb = childPeaks.length ? Math.max(...childPeaks) : null;
    return [
      { id: 'P4', metric: 'RSS of the bot, idle, 1 guild', value: fmtMB(idle1), target: '—', pass: null, data: { bytes: idle1 } },
      { id: 'P4', metric: 'RSS idle after 1,000 GUILD_CREATEs (5 channels, 7 roles, 4 members each)', value: fmtMB(at1000), target: '—', pass: null, data: { bytes: at1000 } },
      { id: 'P4', metric: 'RSS idle after 2,500 GUILD_CREATEs', value: fmtMB(at2500), target: '≤ 100 MB', pass: at2500 <= 100 * 1024 * 1024, data: { bytes: at2500 } },
      { id: 'P4', metric: `RSS with ${label} jobs in flight (2,500 guilds)`, value: fmtMB(inFlight), target: '≤ 150 MB', pass: inFlight <= 150 * 1024 * 1024, data: { bytes: inFlight, jobs: inFlightJobs, asked: jobs } },
      {
        id: 'P4',
        metric: `peak RSS of the bot while the ${label} jobs finish, are processed (1 in ${TRIPO_EVERY} a 15 MB Tripo-like model) and delivered`,
        value: fmtMB(peak),
        target: '≤ 150 MB',
        pass: peak <= 150 * 1024 * 1024,
        data: { bytes: peak, processed: processed.length },
      },
      {
        id: 'P4',
        metric: `RSS ${ctx.quick ? 5 : 30} s after the ${label} jobs finished, vs idle at 2,500 guilds`,
        value: `${fmtMB(after)} (${((after / at2500 - 1) * 100).toFixed(0)} %)`,
        target: '≤ +10 %',
        pass: after <= at2500 * 1.1,
        data: { bytes: after },
      },
      {
        id: 'P7',
        metric: `peak RSS of the model process during P4's load (${processed.length} models processed)`,
        value: childPeakMb === null ? 'not reported (processing runs inside the bot process)' : `${childPeakMb} MB`,
        target: '—',
        pass: null,
        data: { peakRssMb: childPeakMb },
      },
    ];
  } finally {
    await world.close();
  }
}
