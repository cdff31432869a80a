// Acknowledgement latency while the model worker renders a turntable: the built bot against the fake
// Discord and the Tripo-like simulator; /quota is sent every 50 ms from the moment the model is being
// processed (fit + turntable) until it is done. Standalone: `npx tsx test/bench/turntable-acks.ts`;
// `measureAcksWhileRendering()` is for reports. Never part of `npm test`.
import { pathToFileURL } from 'node:url';
import { World, samplePng } from '../e2e/harness.js';

export interface AckFigures {
  acks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How long processing (fit + turntable) took, from the bot's log. */
  processingMs: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function measureAcksWhileRendering(quality: 'standard' | 'detailed' = 'detailed', env: Record<string, string> = {}): Promise<AckFigures> {
  const world = await World.start({ model: 'tripo' });
  try {
    const bot = await world.startBot(env);
    const { discord } = world;
    const image = discord.hostFile(samplePng(), { filename: 'bench.png', contentType: 'image/png', width: 256, height: 256 });
    discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image, quality } }));
    await bot.waitForLog('processing model', 300_000);
    const ids: string[] = [];
    let done = false;
    const finished = bot.waitForLog('model processed', 300_000).then((l) => {
      done = true;
      return l;
    });
    while (!done) {
      ids.push(discord.sendInteraction(discord.build.chatInput({ name: 'quota' })).id);
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = await finished;
    const latencies = (await Promise.all(ids.map((id) => discord.waitForAck(id, { timeoutMs: 10_000 })))).map((r) => r.ackLatencyMs ?? NaN);
    latencies.sort((a, b) => a - b);
    return { acks: latencies.length, p50Ms: pct(latencies, 50), p99Ms: pct(latencies, 99), maxMs: latencies.at(-1) ?? NaN, processingMs: Number(line.ms) };
  } finally {
    await world.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = (n: number) => Math.round(n);
  for (const turntable of ['on', 'off']) {
    const f = await measureAcksWhileRendering('detailed', { TURNTABLE: turntable });
    console.log(
      `TURNTABLE=${turntable}: ${f.acks} acknowledgements while a detailed model was processed (${f.processingMs} ms): p50 ${r(f.p50Ms)} ms, p99 ${r(f.p99Ms)} ms, max ${r(f.maxMs)} ms`,
    );
  }
}
