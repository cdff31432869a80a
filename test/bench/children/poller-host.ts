/**
 * The bot's job engine in its own process: the real Poller, JobStore (SQLite file), DmxapiClient
 * with its RateBudget, result downloads and the real Deliverer (discord.js REST) against the fakes
 * that the parent runs. Jobs are created as commands/model3d.ts creates them (row first, then the
 * submit, then markSubmitted), `concurrency` at a time, until `jobs` have finished and been delivered.
 *
 * Each job's reply is a channel message posted first (standing in for the deferred reply); its
 * interaction token is past its life, so every edit goes the channel route (one REST call). Jobs are
 * spread over several channels, as members' are: discord.js sends the requests of one route and
 * channel one after another, and one busy channel would measure that queue, not the engine.
 * discord.js's global limit (50 requests/s) is scaled with the clock like the upstream budget.
 *
 * Output: one JSON line per `sampleEvery` finished jobs ({ sample }), then the result.
 * `finished` lists each job once, when the poller first saw its task end (not again after processing).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { REST } from 'discord.js';
import { openSqlite } from '../../../src/store/sqlite.js';
import { JobStore } from '../../../src/store/jobs.js';
import { isTerminal } from '../../../src/domain/job.js';
import type { Quality } from '../../../src/domain/quality.js';
import { JobEvents } from '../../../src/jobs/events.js';
import { Poller } from '../../../src/jobs/poller.js';
import { Deliverer, PROGRESS_EDIT_GAP_MS } from '../../../src/discord/deliver.js';
import { createLogger } from '../../../src/log/index.js';
import { DmxapiClient, RateBudget } from '../../../src/upstream/index.js';

interface Input {
  apiUrl: string;
  botToken: string;
  applicationId: string;
  guildId: string;
  channelIds: string[];
  simBaseUrl: string;
  simKey: string;
  dbPath: string;
  filesDir: string;
  pollIntervalMs: number;
  ratePerSecond: number;
  discordRequestsPerSecond: number;
  jobs: number;
  concurrency: number;
  /** 'fixed': no history, i.e. a check every pollIntervalMs. */
  mode: 'learned' | 'fixed';
  sampleEvery?: number;
  /**
   * After this many jobs (the soak's warm-up), start no more until every one is done and the engine
   * is idle, take a `{ drained }` sample, then go on. One more `{ drained }` comes after the last job:
   * file descriptors and handles compared at rest, not with a varying number of requests open.
   */
  drainAt?: number;
  /** Jobs that finished before this run (submit-to-seen durations, ms), as a bot that has run a while has them. */
  history?: { quality: Quality; durationMs: number }[];
}

const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as Input;
const log = createLogger({ level: 'warn' });
const store = openSqlite(input.dbPath);
const db = store.raw;

class NoHistoryJobStore extends JobStore {
  override async recentDurations(): Promise<number[]> {
    return [];
  }
}
const jobs = input.mode === 'fixed' ? new NoHistoryJobStore(store, undefined, PROGRESS_EDIT_GAP_MS) : new JobStore(store, undefined, PROGRESS_EDIT_GAP_MS);
const events = new JobEvents();
const upstream = new DmxapiClient({ baseUrl: input.simBaseUrl, key: input.simKey, timeoutMs: 30_000, budget: new RateBudget(input.ratePerSecond), logger: log });
const rest = new REST({ api: input.apiUrl, timeout: 30_000, globalRequestsPerSecond: input.discordRequestsPerSecond }).setToken(input.botToken);
const poller = new Poller({
  jobs,
  upstream,
  deliverer: new Deliverer(rest, log),
  events,
  log,
  clock: () => Date.now(),
  pollIntervalMs: input.pollIntervalMs,
  filesDir: input.filesDir,
  allowPrivateAddresses: true,
  maxModelBytes: 200 * 1024 * 1024,
  // Model processing is measured on its own (P7); here the downloaded GLB goes out as it came,
  // so the soak measures the poller, the store and the deliveries.
  models: {
    free: 8,
    process: (job) =>
      jobs.recordProcessing(job.id, { state: 'done', modelFile: job.originalFile, modelBytes: job.originalBytes, modelInfo: {} }, Date.now()),
  },
  processingLeaseMs: 60_000,
  leaseMs: 120_000,
  upstreamRps: 10,
});

const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
const fds = () => readdirSync('/proc/self/fd').length;
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const KEEP_ALIVE_MS = 4000;
let started = 0;
let done = 0;
const finished: { taskId: string; finishedAt: number; quality: Quality; seq: number }[] = [];
let resolveAll: () => void;
const all = new Promise<void>((r) => (resolveAll = r));

function jobFields(interactionId: string, quality: Quality, channelId: string, messageId: string) {
  return {
    interactionId,
    interactionToken: `token-${interactionId}`,
    applicationId: input.applicationId,
    guildId: input.guildId,
    channelId,
    userId: '400000000000000001',
    locale: 'en-US',
    messageId,
    imageUrl: `https://cdn.example.com/bench/${interactionId}.png`,
    imageSource: 'url' as const,
    imageName: null,
    quality,
    cost: 1,
    attachmentSizeLimit: 10 * 1024 * 1024,
  };
}

async function startOne(): Promise<void> {
  const seq = ++started;
  const now = Date.now();
  const quality: Quality = seq % 4 === 0 ? 'detailed' : 'standard';
  const channelId = input.channelIds[seq % input.channelIds.length]!;
  const reply = (await rest.post(`/channels/${channelId}/messages`, { body: { content: 'Queued' } })) as { id: string };
  const job = await jobs.insert({ ...jobFields(`bench-${process.pid}-${seq}`, quality, channelId, reply.id), createdAt: now - 16 * 60_000, deadlineAt: now + 30 * 60_000 });
  const submitted = await upstream.submit(job.imageUrl, quality);
  const at = Date.now();
  await jobs.markSubmitted(job.id, submitted.taskId, submitted.totalTokens, at, at + input.pollIntervalMs);
  poller.wake();
}

const delivered = db.prepare('SELECT render_version <= delivered_version FROM jobs WHERE id = ?').pluck();
const pendingDelivery = new Set<number>();

function next(): void {
  const draining = input.drainAt !== undefined && started >= input.drainAt && done < input.drainAt;
  if (started < input.jobs && !draining) void startOne().catch((err: unknown) => {
    console.error('submit failed', err);
    process.exit(2);
  });
}

function sample() {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { jobs: done, rss: mem.rss, heapUsed: mem.heapUsed, fds: fds(), handles: handles(), inFlight: started - done, at: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Once the engine has nothing in flight (the last edits, e.g. download buttons, come after a job
 * counts as done) and idle keep-alive connections have closed (undici keeps them 4 s by default):
 * what is still open then is held, not pooled.
 */
async function drainedSample(): Promise<void> {
  await poller.idle();
  await new Promise((r) => setTimeout(r, KEEP_ALIVE_MS + 1000));
  const links = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '';
    }
  });
  const resources = process.getActiveResourcesInfo();
  say({
    drained: {
      ...sample(),
      sockets: links.filter((l) => l.startsWith('socket:')).length,
      fileReads: resources.filter((r) => r === 'FileHandleReadWrap').length,
    },
  });
}

function finishOne(): void {
  done++;
  if (input.sampleEvery && done % input.sampleEvery === 0) say({ sample: sample() });
  if (done === input.jobs) resolveAll();
  else if (done === input.drainAt) {
    void drainedSample().then(() => {
      for (let i = 0; i < input.concurrency; i++) next();
    });
  } else next();
}

const seen = new Set<number>();
events.on('changed', (job) => {
  if (!isTerminal(job.state) || seen.has(job.id)) return;
  if (job.state !== 'succeeded') {
    console.error(`job ${job.id} ended ${job.state} ${job.errorCode ?? ''}`);
    process.exit(3);
  }
  // The soak keeps nothing per job (its memory is what it measures).
  if (input.sampleEvery) return void pendingDelivery.add(job.id);
  seen.add(job.id);
  finished.push({ taskId: job.taskId!, finishedAt: job.finishedAt!, quality: job.quality, seq: finished.length + 1 });
  pendingDelivery.add(job.id);
});

// A job counts as done once its final message is delivered; checked on a light interval (one timer).
const doneTimer = setInterval(() => {
  for (const id of pendingDelivery) {
    if (delivered.get(id)) {
      pendingDelivery.delete(id);
      finishOne();
    }
  }
}, 20);

if (input.history?.length) {
  let at = Date.now() - 3_600_000;
  for (const h of input.history) {
    const j = await jobs.insert({ ...jobFields(`history-${at}`, h.quality, input.channelIds[0]!, '0'), createdAt: at, deadlineAt: at + 30 * 60_000 });
    await jobs.markSubmitted(j.id, `history-${j.id}`, null, at, at);
    await jobs.finish(j.id, { state: 'succeeded', at: at + h.durationMs });
    at += 1000;
  }
  db.prepare('UPDATE jobs SET render_version = delivered_version').run();
}
await poller.start();
for (let i = 0; i < input.concurrency; i++) next();
const t0 = Date.now();
await all;
if (input.drainAt !== undefined) await drainedSample();
clearInterval(doneTimer);
await poller.stop();
await upstream.close();
say({ result: { finished, elapsedMs: Date.now() - t0 } });
await store.close();
process.exit(0);
