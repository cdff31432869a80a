import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { REST } from 'discord.js';
import { JobStore } from '../../src/store/jobs.js';
import { QuotaStore } from '../../src/store/quota.js';
import { QuotaService } from '../../src/quota/service.js';
import { JobEvents } from '../../src/jobs/events.js';
import { Poller } from '../../src/jobs/poller.js';
import { removeJobFiles } from '../../src/jobs/forget.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { ModelPool } from '../../src/model/pool.js';
import { ModelProcessor } from '../../src/model/processor.js';
import { modelIO } from '../../src/model/io.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { BACKENDS, openTestStore } from '../helpers/store.js';
import { newJob } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';
import { model } from '../model/fixtures.js';

const GUILD = '720000000000000001';

/**
 * A moderator's "Remove result and refund" that lands while the model is being processed: the real
 * poller, model processor and model process, on a real store of each kind. The original GLB is a
 * named pipe, so the model process is reading it (processing is under way) until the test writes
 * the model into it, after the removal.
 */
describe.each(BACKENDS)('a result removed while its model is processed (%s)', (backend) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  // The audit button refunds, stops deliveries, then removes the files: processing may end after the
  // last step, or between the refund and the files.
  it.each([
    ['after the removal', true],
    ['between the refund and the removal of the files', false],
  ])('processing ending %s: nothing is delivered, and what processing wrote is removed', async (_when, filesFirst) => {
    const store = await openTestStore(backend);
    cleanups.push(() => store.cleanup());
    const tmp = tempDir('model3d-removed-');
    cleanups.push(() => tmp.cleanup());
    const filesDir = join(tmp.dir, 'files');
    const jobs = new JobStore(store.db);
    const lines: { msg?: string; jobId?: number }[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as { msg?: string }) } });
    const config = loadConfig({ DISCORD_TOKEN: 'x', DMXAPI_KEY: 'sk-test' });
    const quota = new QuotaService(store.db, new QuotaStore(store.db), config.quota, Date.now);

    // A job that succeeded: its GLB downloaded (here: a pipe in its place), processing due.
    const now = Date.now();
    const job = await jobs.insert(newJob({ guildId: GUILD, createdAt: now, attachmentSizeLimit: 10 * 1024 * 1024 }));
    await jobs.markSubmitted(job.id, `task-${job.id}`, 1, now, now);
    const folder = join(filesDir, String(job.id));
    mkdirSync(folder, { recursive: true });
    const original = join(folder, 'original.glb');
    execFileSync('mkfifo', [original]);
    const writer = open(original, 'w'); // resolves once the model process opens the pipe
    cleanups.push(async () => (await writer).close().catch(() => undefined));
    await jobs.setDownloads(job.id, { previewFile: null, originalFile: original, originalBytes: 1, processingState: 'pending', modelInfo: null }, now);
    await jobs.finish(job.id, { state: 'succeeded', at: now });

    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    cleanups.push(() => pool.close());
    const poller = new Poller({
      jobs,
      upstream: { getTask: () => Promise.reject(new Error('no status check in this test')) },
      // Nothing may be delivered: a REST that reaches nothing.
      deliverer: new Deliverer(new REST({ api: 'http://127.0.0.1:9/api', retries: 0 }).setToken('x'), log),
      events: new JobEvents(),
      log,
      clock: Date.now,
      pollIntervalMs: 100,
      filesDir,
      allowPrivateAddresses: true,
      maxModelBytes: 1024 * 1024,
      models: new ModelProcessor({ jobs, pool, log, clock: Date.now, exportHeightMm: 100 }),
      processingLeaseMs: 120_000,
      leaseMs: 120_000,
      upstreamRps: 10,
    });
    await poller.start();
    cleanups.push(() => poller.stop(1000));
    const pipe = await writer; // the model process is reading the job's GLB

    // The moderator's removal, as the audit button does it: refund, no more deliveries, the files.
    const refund = await quota.refundJob(jobs, job.id, GUILD, 'moderator');
    expect(refund.ok).toBe(true);
    await jobs.giveUpDelivery(job.id, 'result removed by a moderator', Date.now());
    const removeFiles = async () => removeJobFiles(jobs, (await jobs.get(job.id))!, filesDir, Date.now());
    if (filesFirst) {
      await removeFiles();
      expect(existsSync(folder)).toBe(false);
    }

    // Processing goes on with the model, and ends.
    await pipe.writeFile(await (await modelIO()).writeBinary(await model({ textures: [{ px: 64 }] })));
    await pipe.close();
    const deadline = Date.now() + 60_000;
    while (!lines.some((l) => l.jobId === job.id && l.msg?.includes('after its result was removed'))) {
      if (Date.now() > deadline) throw new Error(`no word on the removed job; log: ${lines.map((l) => l.msg).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(lines.some((l) => l.jobId === job.id && l.msg === 'model processed')).toBe(true);
    if (!filesFirst) await removeFiles();
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    expect(existsSync(folder)).toBe(false);
    const row = (await jobs.get(job.id))!;
    expect(row).toMatchObject({ modelFile: null, originalFile: null, viewToken: null });
    expect(row.processingState).not.toBe('pending');
    expect(row.deliveredVersion).toBe(row.renderVersion);
    expect(await jobs.claimDueDeliveries(Date.now() + 1e9, Date.now() + 1e9 + 1, 10)).toEqual([]);
  }, 90_000);
});
