/**
 * P9: the viewer page (issue 18) of the real bot, served to 50 concurrent clients on loopback, each
 * fetching the page and then the model's web copy in a loop: p99 latency and throughput, the bot's
 * own event-loop delay meanwhile (a probe preloaded into it), and the acknowledgement latency of a
 * burst of 30 /model3d while it serves (P1 must not suffer). The model is a Tripo-like one, so the
 * web copy's size is measured against the original too.
 */
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { World, samplePng } from '../../e2e/harness.js';
import { freePort } from '../../helpers/port.js';
import { BotLog } from '../lib/bot-log.js';
import type { BenchContext, Row } from '../lib/report.js';
import { fmtMs, percentile } from '../lib/stats.js';
import { burst } from './bot.js';

const CLIENTS = 50;

export async function viewerSection(ctx: BenchContext): Promise<Row[]> {
  const seconds = ctx.quick ? 5 : 15;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const probe = fileURLToPath(new URL('../children/loop-probe.mjs', import.meta.url));
  const world = await World.start({
    guilds: 1,
    timeline: { pendingMs: 100, runningMs: 300 },
    env: {
      LOG_LEVEL: 'info',
      QUOTA_USER_DAILY: '1000',
      QUOTA_GUILD_DAILY: '10000',
      UPSTREAM_MAX_RPS: '20',
      PUBLIC_URL: base,
      HTTP_PORT: String(port),
      // One address makes all the load here: the limit would measure the 429s.
      HTTP_RATE_LIMIT: '1000000',
      NODE_OPTIONS: `--import=${probe}`,
    },
  });
  try {
    const bot = await world.startBot();
    const log = new BotLog(bot);
    ctx.log('P9: one Tripo-like model, processed with its web copy');
    world.dmxapi.nextTasks.push({ model: 'tripo' });
    const image = world.discord.hostFile(samplePng(), { filename: 'p9.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = world.discord.sendInteraction(world.discord.build.chatInput({ name: 'model3d', options: { image } }));
    const url = await bot.waitFor('the View in 3D link', 300_000, () => {
      const m = world.discord.originalMessage(rec.token);
      const rows = (m?.components ?? []) as { components?: { label?: string; url?: string }[] }[];
      return rows.flatMap((r) => r.components ?? []).find((b) => b.label === 'View in 3D')?.url;
    });
    const folder = join(world.dir, 'files', '1');
    const originalBytes = statSync(join(folder, 'original.glb')).size;
    const webBytes = statSync(join(folder, 'web.glb')).size;

    // The same figures with nothing served first, in the same run: the machine is shared and loaded.
    const idleFrom = log.lines().length;
    const idleAcks = await burst(world.discord, 30);
    await new Promise((r) => setTimeout(r, 3000));
    const idleLoop = log.lines().slice(idleFrom).filter((l) => l.msg === 'bench event loop').map((l) => Number(l.p99Ms));

    ctx.log(`P9: ${CLIENTS} clients for ${seconds} s against ${url}`);
    const agent = new Agent({ connections: CLIENTS });
    const page: number[] = [];
    const glb: number[] = [];
    let bytes = 0;
    let errors = 0;
    const from = log.lines().length;
    const until = Date.now() + seconds * 1000;
    const timed = async (path: string, into: number[]) => {
      const t0 = performance.now();
      const r = await request(path, { dispatcher: agent });
      for await (const chunk of r.body) bytes += (chunk as Buffer).length;
      if (r.statusCode !== 200) errors++;
      into.push(performance.now() - t0);
    };
    const client = async () => {
      while (Date.now() < until) {
        await timed(url, page);
        await timed(`${url}/web.glb`, glb);
      }
    };
    const serving = Promise.all(Array.from({ length: CLIENTS }, client));
    // Half-way through, 30 members run /model3d: acknowledged while the bot serves.
    await new Promise((r) => setTimeout(r, (seconds * 1000) / 2));
    const acks = await burst(world.discord, 30);
    await serving;
    await agent.close();
    const loop = log.lines().slice(from).filter((l) => l.msg === 'bench event loop');
    const loopP99 = loop.map((l) => Number(l.p99Ms));
    const loopMax = Math.max(...loop.map((l) => Number(l.maxMs)));
    const ackP99 = percentile(acks, 99);
    const total = page.length + glb.length;
    return [
      {
        id: 'P9',
        metric: `viewer page, ${CLIENTS} clients on loopback: page p99 / web GLB p99 (${fmtBytes(webBytes)} web copy of a ${fmtBytes(originalBytes)} original)`,
        value: `${fmtMs(percentile(page, 99))} / ${fmtMs(percentile(glb, 99))}; ${errors} errors`,
        target: 'p99 < 1 s, no errors',
        pass: errors === 0 && percentile(page, 99) < 1000 && percentile(glb, 99) < 1000,
        data: { page: { p50: percentile(page, 50), p99: percentile(page, 99) }, glb: { p50: percentile(glb, 50), p99: percentile(glb, 99) }, errors, webBytes, originalBytes },
      },
      {
        id: 'P9',
        metric: 'viewer page throughput (requests/s; MB/s)',
        value: `${(total / seconds).toFixed(0)} req/s; ${(bytes / seconds / 1e6).toFixed(0)} MB/s`,
        target: '',
        pass: null,
        data: { requests: total, bytes, seconds },
      },
      {
        id: 'P9',
        metric: "the bot's event-loop delay while serving (p99 of 500 ms windows, worst window; max)",
        value: `${fmtMs(percentile(loopP99, 50))} median window, ${fmtMs(Math.max(...loopP99))} worst; max ${fmtMs(loopMax)} (not serving: ${fmtMs(percentile(idleLoop, 50))} median, ${fmtMs(Math.max(...idleLoop))} worst)`,
        target: 'worst window p99 < 50 ms',
        pass: Math.max(...loopP99) < 50,
        data: { windows: loopP99, max: loopMax, idleWindows: idleLoop },
      },
      {
        id: 'P9',
        metric: 'ack latency, burst of 30 while the viewer page serves 50 clients (p50 / p99)',
        value: `${fmtMs(percentile(acks, 50))} / ${fmtMs(ackP99)} (not serving: ${fmtMs(percentile(idleAcks, 50))} / ${fmtMs(percentile(idleAcks, 99))})`,
        target: 'p99 < 50 ms (as P1)',
        pass: ackP99 < 50,
        data: { acks, idleAcks },
      },
    ];
  } finally {
    await world.close();
  }
}

const fmtBytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
