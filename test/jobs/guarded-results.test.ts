import { join } from 'node:path';
import { Events, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord/index.js';
import { DmxapiSimulator } from '../fakes/dmxapi/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { JobStore } from '../../src/store/jobs.js';
import { JobEvents } from '../../src/jobs/events.js';
import { Poller } from '../../src/jobs/poller.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { DmxapiClient, RateBudget } from '../../src/upstream/index.js';
import { closeGuardedAgents } from '../../src/images/index.js';
import { createLogger } from '../../src/log/index.js';
import { downloadButton } from '../e2e/harness.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';

/**
 * The provider chooses the result links. With private addresses not allowed (production), a
 * result on a private address (here the simulator's 127.0.0.1 CDN) is never fetched; the job
 * still succeeds and the member gets the provider's link and the reason nothing was attached.
 */
describe('result links on a private address', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function run(allowPrivateAddresses: boolean) {
    const fake = await FakeDiscord.start({ guilds: 1 });
    cleanups.push(() => fake.close());
    // The small model: the 1 MB download limit below is not what this test is about.
    const sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 }, model: 'cube' });
    cleanups.push(() => sim.close());
    const tmp = tempDir();
    const db = openSqlite(join(tmp.dir, 'bot.sqlite'));
    cleanups.push(() => tmp.cleanup(), () => db.close());
    const jobs = new JobStore(db);
    const log = createLogger({ level: 'silent' });
    const budget = new RateBudget(100);
    const upstream = new DmxapiClient({ baseUrl: sim.baseUrl, key: sim.key, timeoutMs: 2000, budget });
    cleanups.push(() => upstream.close(), () => closeGuardedAgents());
    // The bot's own client (no handlers): a gateway session for the interaction, and its REST.
    const client = createDiscordClient({ apiUrl: fake.apiUrl });
    const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
    await client.login(fake.botToken);
    await ready;
    cleanups.push(() => client.destroy());
    const rest = client.rest;

    // A deferred /model3d, as the command leaves it.
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model3d', options: {} }));
    await rest.post(Routes.interactionCallback(rec.id, rec.token), { body: { type: 5 }, auth: false });
    const submitted = await upstream.submit('https://img.example/cat.png', 'standard');
    const now = Date.now();
    const job = await jobs.insert(
      newJob({
        interactionId: rec.id,
        interactionToken: rec.token,
        applicationId: fake.applicationId,
        guildId: rec.guildId,
        channelId: rec.channelId,
        messageId: fake.interaction(rec.id)!.originalMessageId,
        createdAt: now,
      }),
    );
    await jobs.markSubmitted(job.id, submitted.taskId, submitted.totalTokens, now, now);

    const poller = new Poller({
      jobs,
      upstream,
      deliverer: new Deliverer(rest, log),
      events: new JobEvents(),
      log,
      clock: Date.now,
      pollIntervalMs: 100,
      filesDir: join(tmp.dir, 'files'),
      allowPrivateAddresses,
      maxModelBytes: 1024 * 1024,
      // With the switch on the GLB is downloaded: it goes out as it came (processing has its own tests).
      models: {
        free: 1,
        process: (j) =>
          Promise.resolve(jobs.recordProcessing(j.id, { state: 'done', modelFile: j.originalFile, modelBytes: j.originalBytes, modelInfo: {} }, Date.now())),
      },
      processingLeaseMs: 60_000,
      leaseMs: 120_000,
      upstreamRps: 10,
    });
    await poller.start();
    cleanups.push(() => poller.stop(1000));
    let row = job;
    const final = await fake.waitFor(
      () => {
        void jobs.get(job.id).then((r) => (row = r ?? row));
        const m = fake.originalMessage(rec.token);
        return m && downloadButton(m) && row.deliveredVersion === row.renderVersion ? m : undefined;
      },
      { timeoutMs: 10_000, description: 'the result with its download button' },
    );
    return { fake, sim, jobs, job: (await jobs.get(job.id))!, final, urls: sim.fileUrls(submitted.taskId)! };
  }

  it('is never fetched; the job succeeds with the provider\'s link and a line saying why nothing was attached', async () => {
    const { sim, job, final, urls } = await run(false);
    expect(sim.calls.filter((c) => c.kind === 'file')).toEqual([]);
    expect(job).toMatchObject({ state: 'succeeded', filesRefused: 'private_address', modelFile: null, previewFile: null });
    expect(final.content).toMatch(/your 3D model is ready/);
    const fields = (final.embeds[0] as { fields: { value: string }[] }).fields.map((f) => f.value).join('\n');
    expect(fields).toContain("Nothing was attached: the provider's link points to a private or local address");
    expect(final.attachments).toEqual([]);
    expect(downloadButton(final)?.url).toBe(urls.model);
  });

  it('with the switch for local development on, the same result is downloaded and attached', async () => {
    const { sim, job, final } = await run(true);
    expect(sim.calls.filter((c) => c.kind === 'file' && c.status === 200)).toHaveLength(2);
    expect(job).toMatchObject({ state: 'succeeded', filesRefused: null });
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
  });
});
