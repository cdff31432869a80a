/**
 * /model3d-history end to end: a real discord.js Client connected to the fake Discord, the real command
 * registry and interaction router, the real store (a SQLite file, or a schema on the test run's
 * PostgreSQL: every case runs on both), and stored result files in a temp FILES_DIR.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDiscord, type FakeMessage } from '../fakes/discord/index.js';
import type { Db } from '../../src/store/db.js';
import type { Job } from '../../src/domain/job.js';
import type { Services } from '../../src/handlers/services.js';
import { newJob } from '../helpers/jobs.js';
import { startInProcessBot, type InProcessBot } from '../helpers/in-process.js';
import { STORES } from './harness.js';

const EPHEMERAL = 64;
const LOADING = 128;

describe.each(STORES)('/model3d-history (%s)', (store) => {
  let fake: FakeDiscord;
  let filesDir: string;
  let db: Db;
  let services: Services;
  let guildId: string;
  let general: string;
  const now = { t: Date.parse('2024-06-15T12:00:00Z') };
  const sec = (ms: number) => Math.floor(ms / 1000);

  let bot: InProcessBot;

  beforeAll(async () => {
    bot = await startInProcessBot({
      store,
      clock: () => now.t,
      fake: { guilds: [{ channels: [{ name: 'general' }] }] },
      env: (dir) => ({ FILES_DIR: join(dir, 'files') }),
    });
    ({ fake, db, services } = bot);
    guildId = fake.guilds[0]!.id;
    general = fake.guilds[0]!.channels.find((c) => c.type === 0)!.id;
    filesDir = services.config.filesDir;
  });

  afterAll(async () => {
    await bot?.close();
  });

  beforeEach(async () => {
    await db.exec('DELETE FROM quota_ledger; DELETE FROM member_exports; DELETE FROM job_export_failures; DELETE FROM jobs;');
  });

  /** Sends /model3d-history and returns the finished answer the invoker sees. */
  async function history(o: Omit<Parameters<FakeDiscord['build']['chatInput']>[0], 'name'> = {}): Promise<FakeMessage> {
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model3d-history', ...o }));
    return fake.waitFor(() => {
      const m = fake.originalMessage(rec.token);
      return m && !(m.flags & LOADING) ? m : undefined;
    }, { timeoutMs: 5000, description: 'answer to /model3d-history' });
  }

  async function insertJob(o: Parameters<typeof newJob>[0] = {}): Promise<Job> {
    return await services.stores.jobs.insert(newJob({ guildId, channelId: general, userId: fake.build.defaultUser.id, createdAt: now.t, ...o }));
  }

  /** A finished job whose GLB (and preview) were stored in FILES_DIR. */
  async function succeededJob(o: Parameters<typeof newJob>[0] = {}, files: { model?: Buffer; preview?: Buffer } = {}): Promise<Job> {
    const j = await insertJob(o);
    await services.stores.jobs.markSubmitted(j.id, `task-${j.id}`, 35000, j.createdAt + 1000, j.createdAt + 1000);
    await services.stores.jobs.finish(j.id, {
      state: 'succeeded',
      at: j.createdAt + 81_000,
      modelUrl: `https://cdn.provider.example/${j.id}/model.glb?sig=abc`,
      resultExpiresAt: j.createdAt + 81_000 + 2 * 3600_000,
    });
    const dir = join(filesDir, String(j.id));
    mkdirSync(dir, { recursive: true });
    const model = files.model ?? Buffer.from(`glTF-model-of-job-${j.id}`);
    const preview = files.preview ?? Buffer.from(`RIFF-preview-of-job-${j.id}`);
    writeFileSync(join(dir, 'model.glb'), model);
    writeFileSync(join(dir, 'preview.webp'), preview);
    return (await services.stores.jobs.setFiles(
      j.id,
      { modelFile: join(dir, 'model.glb'), modelBytes: model.length, previewFile: join(dir, 'preview.webp') },
      j.createdAt + 82_000,
    ))!;
  }

  const text = (m: FakeMessage) => `${m.content}\n${JSON.stringify(m.embeds)}`;

  describe('/model3d-history list', () => {
    it('shows an empty history as a friendly hint to /model3d', async () => {
      const m = await history();
      expect(m.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(m.content).toContain('/model3d');
      expect(m.content).toContain('in this server');
    });

    it('lists the member’s own jobs here, newest first, with states, time taken and jump links', async () => {
      const ok = await succeededJob({ createdAt: now.t - 3 * 86_400_000 });
      const failed = await insertJob({ createdAt: now.t - 2 * 86_400_000, quality: 'detailed' });
      await services.stores.jobs.markSubmitted(failed.id, 'task-f', 1, failed.createdAt, failed.createdAt);
      await services.stores.jobs.finish(failed.id, { state: 'failed', at: failed.createdAt + 30_000, errorCode: 'MODEL_FAILED' });
      const timedOut = await insertJob({ createdAt: now.t - 86_400_000 });
      await services.stores.jobs.finish(timedOut.id, { state: 'timed_out', at: timedOut.createdAt + 1_800_000 });
      const running = await insertJob({ createdAt: now.t - 60_000, messageId: null });
      const stranger = fake.build.user({ username: 'stranger' });
      const theirs = await insertJob({ userId: stranger.id, createdAt: now.t });
      const dmJob = await insertJob({ guildId: null, channelId: '390000000000000001', createdAt: now.t });

      const m = await history();
      expect(m.flags & EPHEMERAL).toBe(EPHEMERAL);
      const embed = m.embeds[0] as { title: string; fields: { name: string; value: string }[] };
      expect(embed.title).toBe('Your last 4 models in this server');
      expect(embed.fields.map((f) => f.name)).toEqual([
        `#${running.id} · Standard · ⏳ in progress`,
        `#${timedOut.id} · Standard · ⌛ timed out`,
        `#${failed.id} · Detailed · ❌ failed (MODEL\\_FAILED)`,
        `#${ok.id} · Standard · ✅ ready`,
      ]);
      const okValue = embed.fields[3]!.value;
      expect(okValue).toContain(`<t:${sec(ok.createdAt)}:f>`);
      expect(okValue).toContain('took 1m 20s');
      expect(okValue).toContain(`https://discord.com/channels/${guildId}/${general}/${ok.messageId}`);
      expect(embed.fields[0]!.value).not.toContain('https://'); // no message yet
      const all = text(m);
      expect(all).not.toContain(`#${theirs.id} `);
      expect(all).not.toContain(theirs.messageId!);
      expect(all).not.toContain(`#${dmJob.id} `);
    });

    it('honours count, and in DMs lists DM jobs with @me links', async () => {
      for (let i = 0; i < 4; i++) await insertJob({ createdAt: now.t - i * 1000 });
      let m = await history({ options: { count: 2 } });
      expect((m.embeds[0] as { fields: unknown[] }).fields).toHaveLength(2);

      const dm = fake.build.chatInput({ name: 'model3d-history', guildId: null });
      const dmChannel = dm.channel_id as string;
      const dmJob = await insertJob({ guildId: null, channelId: dmChannel });
      m = await history({ guildId: null });
      expect(m.content).toBe('');
      const embed = m.embeds[0] as { title: string; fields: { name: string; value: string }[] };
      expect(embed.title).toBe('Your last model in direct messages');
      expect(embed.fields).toHaveLength(1);
      expect(embed.fields[0]!.value).toContain(`https://discord.com/channels/@me/${dmChannel}/${dmJob.messageId}`);
    });

    it('fits 25 long entries in one message', async () => {
      for (let i = 0; i < 30; i++) {
        const j = await insertJob({ createdAt: now.t - i * 1000 });
        await services.stores.jobs.finish(j.id, { state: 'not_submitted', at: j.createdAt + 1000, errorCode: 'UPSTREAM_RATE_LIMITED' });
      }
      const m = await history({ options: { count: 25 } });
      const fields = (m.embeds[0] as { fields: unknown[] }).fields;
      expect(fields).toHaveLength(25);
      expect(JSON.stringify(fields).length).toBeLessThan(6000); // Discord's cap for all embed text
      expect((m.embeds[0] as { footer?: unknown }).footer).toBeUndefined();
    });
  });

  describe('/model3d-history job:', () => {
    it('re-sends the stored GLB and preview as ephemeral attachments', async () => {
      const j = await succeededJob({}, { model: Buffer.from('glTF\x02\x00\x00\x00 a small model'), preview: Buffer.from('RIFF a preview') });
      const m = await history({ options: { job: j.id } });
      expect(m.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(m.content).toContain(`job #${j.id}`);
      const byName = new Map(m.attachments.map((a) => [a.filename, a]));
      expect([...byName.keys()].sort()).toEqual(['model.glb', 'preview.webp']);
      expect(fake.fileBytes(byName.get('model.glb')!.url)!.toString()).toBe('glTF\x02\x00\x00\x00 a small model');
      expect(fake.fileBytes(byName.get('preview.webp')!.url)!.toString()).toBe('RIFF a preview');
    });

    it('re-sends the turntable animation with the GLB when both fit, else the still preview', async () => {
      const j = await succeededJob({}, { model: Buffer.alloc(20 * 1024, 2), preview: Buffer.from('RIFF a preview') });
      const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(8 * 1024, 3)]);
      const file = join(filesDir, String(j.id), 'turntable.gif');
      writeFileSync(file, gif);
      await db.run('UPDATE jobs SET model_info = @info WHERE id = @id', {
        id: j.id,
        info: JSON.stringify({ artifacts: [{ kind: 'turntable', file, bytes: gif.length }] }),
      });
      const roomy = await history({ options: { job: j.id } });
      const byName = new Map(roomy.attachments.map((a) => [a.filename, a]));
      expect([...byName.keys()].sort()).toEqual(['model.glb', 'turntable.gif']);
      expect(fake.fileBytes(byName.get('turntable.gif')!.url)!.equals(gif)).toBe(true);
      expect(roomy.content).toContain('with its turntable animation');
      // 20 KB of model and 8 KB of animation do not fit under 24 KB together; the preview does.
      const tight = await history({ options: { job: j.id }, attachmentSizeLimit: 24 * 1024 });
      expect(tight.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
      expect(tight.content).toContain('with its preview');
    });

    it('refuses another member’s job exactly like a missing one, and sends nothing', async () => {
      const stranger = fake.build.user({ username: 'stranger' });
      const theirs = await succeededJob({ userId: stranger.id });
      const m = await history({ options: { job: theirs.id } });
      expect(m.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(m.content).toBe(`You have no job #${theirs.id}. Run \`/model3d-history\` without \`job\` to see the numbers of your jobs.`);
      expect(m.attachments).toEqual([]);
      const missing = await history({ options: { job: theirs.id + 1000 } });
      expect(missing.content).toBe(m.content.replace(String(theirs.id), String(theirs.id + 1000)));
    });

    it('explains a GLB too large for this upload limit, with when the link expired', async () => {
      const j = await succeededJob({ createdAt: now.t - 86_400_000 }, { model: Buffer.alloc(64 * 1024, 1) });
      const m = await history({ options: { job: j.id }, attachmentSizeLimit: 32 * 1024 });
      expect(m.attachments).toEqual([]);
      expect(m.content).toContain('GLB (64.0 KB) is larger than the upload limit here (32.0 KB)');
      expect(m.content).toContain(`expired <t:${sec(j.resultExpiresAt!)}:f>`);
      expect(m.content).toContain(`https://discord.com/channels/${guildId}/${general}/${j.messageId}`);
    });

    it('explains a deleted copy, offers a link that still works, and refuses removed or unfinished jobs', async () => {
      const j = await succeededJob({ createdAt: now.t - 60 * 60_000 });
      await db.run('UPDATE jobs SET model_file = @file WHERE id = @id', { file: join(filesDir, 'gone', 'model.glb'), id: j.id });
      let m = await history({ options: { job: j.id } });
      expect(m.attachments).toEqual([]);
      expect(m.content).toContain(`no longer has a copy of job #${j.id}'s GLB`);
      expect(m.content).toContain(`(${j.modelUrl}) still works until <t:${sec(j.resultExpiresAt!)}:f>`);

      const removed = await succeededJob();
      await db.run(
        `INSERT INTO quota_ledger (guild_id, user_id, kind, credits, job_id, moderator_id, applies_at, created_at)
         VALUES (@guildId, @userId, 'refund', 1, @jobId, 'mod', @appliesAt, @at)`,
        { guildId, userId: removed.userId, jobId: removed.id, appliesAt: removed.createdAt, at: now.t },
      );
      m = await history({ options: { job: removed.id } });
      expect(m.attachments).toEqual([]);
      expect(m.content).toContain('removed by a moderator');

      const running = await insertJob();
      m = await history({ options: { job: running.id } });
      expect(m.content).toContain(`Job #${running.id} is still being made`);

      const failed = await insertJob();
      await services.stores.jobs.finish(failed.id, { state: 'failed', at: now.t, errorCode: 'MODEL_FAILED' });
      m = await history({ options: { job: failed.id } });
      expect(m.content).toBe(`Job #${failed.id} did not produce a model: ❌ failed (MODEL\\_FAILED).`);
    });
  });

  describe('/model3d-history job: for a processed model', () => {
    /** A job whose provider GLB (`original`) was fitted into a smaller `model.glb`, with stats recorded. */
    async function processedJob(): Promise<{ job: Job; original: Buffer; fitted: Buffer }> {
      const { model } = await import('../model/fixtures.js');
      const { modelIO } = await import('../../src/model/io.js');
      const original = Buffer.from(await (await modelIO()).writeBinary(await model({ textures: [{ px: 256 }] })));
      const fitted = Buffer.from('glTF fitted copy');
      const j = await insertJob();
      await services.stores.jobs.markSubmitted(j.id, `task-${j.id}`, 35000, j.createdAt + 1000, j.createdAt + 1000);
      const dir = join(filesDir, String(j.id));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'original.glb'), original);
      writeFileSync(join(dir, 'model.glb'), fitted);
      writeFileSync(join(dir, 'preview.webp'), 'RIFF');
      const files = { previewFile: join(dir, 'preview.webp'), originalFile: join(dir, 'original.glb'), originalBytes: original.length };
      await services.stores.jobs.setDownloads(j.id, { ...files, processingState: 'pending', modelInfo: null }, j.createdAt + 80_000);
      await services.stores.jobs.finish(j.id, { state: 'succeeded', at: j.createdAt + 81_000 });
      const stats = { triangles: 2320, vertices: 1271, materials: 1, textures: 1, largestTexturePx: 256, dims: [1.2, 1.9, 1.1] as [number, number, number], bytes: original.length };
      const job = (await services.stores.jobs.recordProcessing(
        j.id,
        { state: 'done', modelFile: join(dir, 'model.glb'), modelBytes: fitted.length, modelInfo: { stats } },
        j.createdAt + 90_000,
      ))!;
      return { job, original, fitted };
    }

    it('sends the original where it fits, the fitted copy where it does not, and offers the STL and OBJ exports', async () => {
      const { job, original, fitted } = await processedJob();
      const roomy = await history({ options: { job: job.id } });
      const glb = roomy.attachments.find((a) => a.filename === 'model.glb')!;
      expect(fake.fileBytes(glb.url)!.equals(original)).toBe(true);
      const ids = (m: FakeMessage) => (m.components as { components: { custom_id?: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id));
      expect(ids(roomy)).toEqual([`export:stl:${job.id}`, `export:obj:${job.id}`]);

      const tight = await history({ options: { job: job.id }, attachmentSizeLimit: original.length - 1 });
      expect(fake.fileBytes(tight.attachments.find((a) => a.filename === 'model.glb')!.url)!.equals(fitted)).toBe(true);

      // The owner presses STL on that private answer: the STL comes privately, made from the original.
      const press = fake.sendInteraction(fake.build.button({ customId: `export:stl:${job.id}`, message: { id: roomy.id } }));
      const reply = await fake.waitFor(
        () => {
          const m = fake.originalMessage(press.token);
          return m?.attachments.some((a) => a.filename === 'model.stl') ? m : undefined;
        },
        { timeoutMs: 30_000, description: 'the STL export' },
      );
      expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
      const stl = fake.fileBytes(reply.attachments[0]!.url)!;
      expect(stl.length).toBe(84 + 50 * 2320);
    }, 60_000);

    it('remembers a failed export on the job with its reason: a second press answers it without trying again', async () => {
      const { job } = await processedJob();
      writeFileSync(job.originalFile!, 'not a GLB any more');
      const pressStl = async () => {
        const press = fake.sendInteraction(fake.build.button({ customId: `export:stl:${job.id}`, message: { id: job.messageId ?? '1' } }));
        return fake.waitFor(() => {
          const r = fake.originalMessage(press.token);
          return r && !(r.flags & LOADING) ? r : undefined;
        }, { timeoutMs: 30_000, description: 'the answer to STL' });
      };
      const first = await pressStl();
      expect(first.content).toMatch(new RegExp(`^The bot could not make the STL of job #${job.id}: the model could not be (read|converted)\\. It will not try again; the GLB itself is unaffected\\.$`));
      const second = await pressStl();
      expect(second.content).toBe(first.content);
      // Tried once: one export row, one failure row.
      expect(await db.all('SELECT kind FROM member_exports WHERE job_id = @id', { id: job.id })).toEqual([{ kind: 'stl' }]);
      expect(await db.all('SELECT kind FROM job_export_failures WHERE job_id = @id', { id: job.id })).toEqual([{ kind: 'stl' }]);
    }, 60_000);

    it('says an export is larger than the presser’s upload limit, with its size', async () => {
      const { job } = await processedJob();
      const press = fake.sendInteraction(
        fake.build.button({ customId: `export:stl:${job.id}`, message: { id: job.messageId ?? '1' }, attachmentSizeLimit: 50_000 }),
      );
      const m = await fake.waitFor(
        () => {
          const r = fake.originalMessage(press.token);
          return r && !(r.flags & LOADING) ? r : undefined;
        },
        { timeoutMs: 30_000, description: 'the refusal' },
      );
      expect(m.attachments).toEqual([]);
      expect(m.content).toBe(`The STL of job #${job.id} is 113.4 KB, larger than your upload limit here (48.8 KB), so it cannot be sent.`);
    }, 60_000);
  });
});
