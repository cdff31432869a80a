/**
 * P6 worker (its own process, so that its memory is the bot code's alone): downloads a result GLB
 * with the bot's storeResults and attaches it with the bot's Deliverer, measuring time and the peak
 * RSS of each step. Input: BENCH_INPUT (JSON); output: one JSON line on stdout.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { REST } from 'discord.js';
import { request } from 'undici';
import { storeResults } from '../../../src/jobs/results.js';
import { Deliverer } from '../../../src/discord/deliver.js';
import { renderJob } from '../../../src/discord/render.js';
import { createLogger } from '../../../src/log/index.js';
import { jobRow } from '../../helpers/jobs.js';

interface Input {
  apiUrl: string;
  botToken: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  filesDir: string;
  files: { label: string; url: string; bytes: number }[];
}

const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as Input;
const log = createLogger({ level: 'silent' });
const rest = new REST({ api: input.apiUrl, timeout: 120_000 }).setToken(input.botToken);
const deliverer = new Deliverer(rest, log);

const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())![1]) * 1024;
/** Resets the peak-RSS mark (Linux: writing 5 to clear_refs), so each step's peak is its own. */
function resetPeak(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

let seq = 0;
async function downloadAndAttach(url: string) {
  seq++;
  // A finished job whose interaction token is past its life: the result goes to the channel as a new message.
  const job = jobRow({
    id: 1000 + seq,
    state: 'succeeded',
    applicationId: input.applicationId,
    guildId: input.guildId,
    channelId: input.channelId,
    messageId: null,
    createdAt: Date.now() - 3600_000,
    submittedAt: Date.now() - 3500_000,
    finishedAt: Date.now(),
    attachmentSizeLimit: 100 * 1024 * 1024,
    modelUrl: url,
  });
  global.gc?.();
  resetPeak();
  const rss0 = kb('VmRSS');
  let t = performance.now();
  const files = await storeResults(job, { modelUrl: url }, input.filesDir, 200 * 1024 * 1024, log, { allowPrivate: true });
  const downloadMs = performance.now() - t;
  const downloadPeak = kb('VmHWM') - rss0;
  if (!files.originalFile) throw new Error('GLB not stored');
  // Processing is measured in P7: the GLB is attached as downloaded.
  const stored = { ...job, previewFile: files.previewFile, modelFile: files.originalFile, modelBytes: files.originalBytes };
  global.gc?.();
  resetPeak();
  const rss1 = kb('VmRSS');
  t = performance.now();
  const d = await deliverer.deliver(stored, renderJob(stored, { now: Date.now() }), { final: true, now: Date.now() });
  const attachMs = performance.now() - t;
  const attachPeak = kb('VmHWM') - rss1;
  if (!d?.attachments.some((a) => a.filename.endsWith('.glb'))) throw new Error(`GLB not attached: ${JSON.stringify(d)}`);
  return { downloadMs, downloadPeak, attachMs, attachPeak, bytes: files.originalBytes };
}

/** Baseline in the same process: the same bytes piped straight to a file with undici, nothing else (time; peak RSS growth). */
async function rawDownload(url: string): Promise<{ rawMs: number; rawPeak: number }> {
  global.gc?.();
  resetPeak();
  const rss0 = kb('VmRSS');
  const t = performance.now();
  const res = await request(url);
  await pipeline(res.body, createWriteStream(`${input.filesDir}/raw-${seq}.bin`));
  return { rawMs: performance.now() - t, rawPeak: kb('VmHWM') - rss0 };
}

const out: Record<string, unknown> = {};
await downloadAndAttach(input.files[0]!.url); // warm-up: modules loaded, connections open
for (const f of input.files.slice(1)) {
  const raw = await rawDownload(f.url);
  out[f.label] = { ...(await downloadAndAttach(f.url)), ...raw };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
