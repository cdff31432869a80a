/** P6: a result GLB of 10 MB and of 50 MB downloaded and attached on loopback, by the bot's own code. */
import { FakeDiscord } from '../../fakes/discord/index.js';
import { DmxapiSimulator } from '../../fakes/dmxapi/index.js';
import { DmxapiClient, RateBudget } from '../../../src/upstream/index.js';
import { tempDir } from '../../helpers/tmp.js';
import type { BenchContext, Row } from '../lib/report.js';
import { BOT_NODE_FLAGS, runWorker } from '../lib/child.js';
import { fmtMB, fmtMs, fmtRatio } from '../lib/stats.js';

interface Step {
  downloadMs: number;
  downloadPeak: number;
  attachMs: number;
  attachPeak: number;
  rawMs: number;
  /** Peak RSS growth of the raw undici pipe of the same file, just before (the process's own churn). */
  rawPeak: number;
  bytes: number;
}

export async function downloadSection(ctx: BenchContext): Promise<Row[]> {
  const sizes = [
    { label: 'warm-up', bytes: 4096 },
    { label: '10 MB', bytes: 10_000_000 },
    { label: '50 MB', bytes: 50_000_000 },
  ];
  // A boosted (tier 3) server: its uploads may be up to 100 MB.
  const discord = await FakeDiscord.start({ guilds: [{ premiumTier: 3 }], maxUploadBytes: 100 * 1024 * 1024 });
  const sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 } });
  const tmp = tempDir('model3d-bench-files-');
  const client = new DmxapiClient({ baseUrl: sim.baseUrl, key: sim.key, timeoutMs: 10_000, budget: new RateBudget(20) });
  try {
    const files = [];
    for (const s of sizes) {
      sim.nextTasks.push({ modelBytes: s.bytes });
      const { taskId } = await client.submit(`https://cdn.example.com/${s.label}.png`, 'standard');
      await sim.waitFor(() => sim.statusOf(taskId) === 'SUCCEEDED');
      files.push({ label: s.label, url: sim.fileUrls(taskId)!.model, bytes: s.bytes });
    }
    const guild = discord.guilds[0]!;
    const channel = guild.channels.find((c) => c.type === 0)!;
    ctx.log('P6: downloading and attaching 10 MB and 50 MB GLBs in a worker process');
    const r = await runWorker<Record<string, Step>>('attach.ts', {
      apiUrl: discord.apiUrl,
      botToken: discord.botToken,
      applicationId: discord.applicationId,
      guildId: guild.id,
      channelId: channel.id,
      filesDir: tmp.dir,
      files,
    }, { nodeArgs: ['--expose-gc', ...BOT_NODE_FLAGS] });
    const rows: Row[] = [];
    for (const s of sizes.slice(1)) {
      const m = r[s.label]!;
      const total = m.downloadMs + m.attachMs;
      rows.push({
        id: 'P6',
        metric: `${s.label} GLB: download + attach time (download ÷ raw undici pipe in the same run)`,
        value: `${fmtMs(total)} = ${fmtMs(m.downloadMs)} + ${fmtMs(m.attachMs)} (${fmtRatio(m.downloadMs / m.rawMs)})`,
        target: s.bytes <= 10_000_000 ? '≤ 1 s' : '—',
        pass: s.bytes <= 10_000_000 ? total <= 1000 : null,
        data: { ...m, totalMs: total },
      });
      const worst = Math.max(m.downloadPeak, m.attachPeak);
      rows.push({
        id: 'P6',
        metric: `${s.label} GLB: peak RSS growth, download; attach (raw undici pipe of the same file)`,
        value: `${fmtMB(m.downloadPeak)}; ${fmtMB(m.attachPeak)} (raw ${fmtMB(m.rawPeak)})`,
        target: `< ${s.label} each`,
        pass: worst < s.bytes,
      });
    }
    return rows;
  } finally {
    await client.close?.();
    await sim.close();
    await discord.close();
    tmp.cleanup();
  }
}
