/**
 * Models that last and travel, with the real bot and the Tripo-like simulator: a 30+ MB model
 * arrives attached under the upload limit and valid, with its stats and how it was shrunk; the STL
 * and OBJ buttons deliver their files privately to whoever presses; a corrupt GLB is still
 * delivered as a link with one honest line; a SIGKILL during processing resumes after restart.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIButtonComponent } from 'discord.js';
import { validateGlb } from '../../src/model/validate.js';
import { STORES, World, downloadButton, samplePng, visibleText, waitForVisible, type BotProcess } from './harness.js';
import type { FakeDiscord, FakeMessage } from '../fakes/discord/index.js';

const MIB = 1024 * 1024;

async function jobRow(world: World, interactionId: string): Promise<Record<string, unknown>> {
  const row = await world.row<Record<string, unknown>>('SELECT * FROM jobs WHERE interaction_id = @id', { id: interactionId });
  if (!row) throw new Error(`no job for interaction ${interactionId}`);
  return row;
}

function start(world: World, name: string, quality: 'standard' | 'detailed' = 'detailed') {
  const { discord } = world;
  const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
  return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image, quality } }));
}

function buttons(m: FakeMessage | undefined): APIButtonComponent[] {
  return ((m?.components ?? []) as { components?: APIButtonComponent[] }[]).flatMap((r) => r.components ?? []);
}

function customIds(m: FakeMessage | undefined): string[] {
  return buttons(m).flatMap((b) => ('custom_id' in b ? [b.custom_id] : []));
}

function resultWithGlb(discord: FakeDiscord, token: string, timeoutMs: number) {
  return discord.waitFor(
    () => {
      const m = discord.originalMessage(token);
      return m && m.attachments.some((a) => a.filename === 'model.glb') && customIds(m).length > 0 ? m : undefined;
    },
    { timeoutMs, description: 'the result with the GLB attached and its buttons' },
  );
}

describe.each(STORES)('models (%s)', (store) => {
  describe('Tripo-like models: fitted, described, exported', () => {
    let world: World;
    let bot: BotProcess;

    beforeAll(async () => {
      world = await World.start({ store, model: 'tripo' });
      bot = await world.startBot();
    }, 120_000);
    afterAll(async () => {
      await world?.close();
    });

    it('a 30+ MB detailed model arrives attached under 10 MiB, valid, with its stats and one line on how it was shrunk', async () => {
      const { discord } = world;
      const rec = start(world, 'big');
      const final = await resultWithGlb(discord, rec.token, 150_000);
      const row = await jobRow(world, rec.id);
      expect(row.original_bytes as number).toBeGreaterThan(30 * 1_000_000);

      const glb = discord.fileBytes(final.attachments.find((a) => a.filename === 'model.glb')!.url)!;
      const preview = discord.fileBytes(final.attachments.find((a) => a.filename === 'preview.webp')!.url)!;
      expect(glb.length + preview.length).toBeLessThan(10 * MIB);
      expect((await validateGlb(new Uint8Array(glb))).errors).toBe(0);
      // The preview is a real picture now, not a 32-byte placeholder.
      expect(preview.length).toBeGreaterThan(1000);

      const text = visibleText(discord, rec.token);
      expect(text).toContain('50,000 triangles');
      expect(text).toContain('3 texture(s) up to 4,096 px');
      expect(text).toMatch(/0\.6 × 0\.9 × 0\.5 units · \d+\.\d MB/);
      expect(text).toMatch(/glTF validator: no errors/);
      expect(text).toMatch(/\d+\.\d MB → \d+\.\d (MB|KB): lossless clean-up, textures to JPEG/);
      expect(customIds(final)).toEqual(expect.arrayContaining([`export:stl:${row.id}`, `export:obj:${row.id}`]));
      expect(JSON.parse(row.model_info as string).fit.steps.map((s: { step: string }) => s.step)).toContain('jpeg');
    }, 200_000);

    it('the STL and OBJ buttons deliver their files privately to whoever presses them', async () => {
      const { discord } = world;
      const rec = start(world, 'exports', 'standard');
      const final = await resultWithGlb(discord, rec.token, 90_000);
      const row = await jobRow(world, rec.id);
      const friend = discord.build.user({ username: 'printer-friend' });

      const stlPress = discord.sendInteraction(
        discord.build.button({ customId: `export:stl:${row.id}`, message: { id: final.id }, user: friend }),
      );
      const stlReply = await discord.waitFor(
        () => discord.originalMessage(stlPress.token)?.attachments.find((a) => a.filename === 'model.stl') && discord.originalMessage(stlPress.token),
        { timeoutMs: 60_000, description: 'the STL sent privately' },
      );
      expect(stlReply.flags & 64).toBe(64);
      const stl = discord.fileBytes(stlReply.attachments.find((a) => a.filename === 'model.stl')!.url)!;
      expect(stl.readUInt32LE(80)).toBe(50_000);
      expect(stl.length).toBe(84 + 50 * 50_000);
      expect(visibleText(discord, stlPress.token)).toContain('Z up, 100 mm tall');

      const objPress = discord.sendInteraction(
        discord.build.button({ customId: `export:obj:${row.id}`, message: { id: final.id }, user: friend }),
      );
      const objReply = await discord.waitFor(
        () => discord.originalMessage(objPress.token)?.attachments.find((a) => a.filename === 'model-obj.zip') && discord.originalMessage(objPress.token),
        { timeoutMs: 60_000, description: 'the OBJ sent privately' },
      );
      expect(objReply.flags & 64).toBe(64);
      const files = unzipSync(new Uint8Array(discord.fileBytes(objReply.attachments[0]!.url)!));
      expect(Object.keys(files).sort()).toEqual(['model.jpg', 'model.mtl', 'model.obj']);
      expect(strFromU8(files['model.obj']!).split('\n').filter((l) => l.startsWith('f ')).length).toBe(50_000);
    }, 200_000);

    it('a corrupt GLB is still delivered, as a link, with one honest line; no export buttons', async () => {
      const { discord, dmxapi } = world;
      dmxapi.nextTasks.push({ model: 'corrupt' });
      const rec = start(world, 'corrupt', 'standard');
      const text = await waitForVisible(discord, rec.token, 'could not process this model', 60_000);
      expect(text).toContain('The bot could not process this model (the file is damaged), so it is linked as the provider gave it');
      const final = discord.originalMessage(rec.token)!;
      expect(final.attachments.map((a) => a.filename)).toEqual(['preview.webp']);
      const taskId = (await jobRow(world, rec.id)).task_id as string;
      expect(downloadButton(final)?.url).toBe(dmxapi.fileUrls(taskId)!.model);
      // No export buttons (nothing to export from); the result's own actions stay.
      expect(customIds(final).filter((id) => id.startsWith('export:') || id.startsWith('files:'))).toEqual([]);
      expect(await jobRow(world, rec.id)).toMatchObject({ state: 'succeeded', processing_state: 'failed', model_file: null });
      expect(bot.logs().some((l) => l.msg === 'model could not be processed; sending it as the provider gave it')).toBe(true);
    }, 120_000);
  });

  describe('a crash during processing', () => {
    let world: World;

    beforeAll(async () => {
      world = await World.start({ store, model: 'tripo' });
    });
    afterAll(async () => {
      await world?.close();
    });

    it('SIGKILL while the model is processed: the restarted bot resumes from the kept original, never resubmits nor re-downloads', async () => {
      const { discord, dmxapi } = world;
      const first = await world.startBot();
      const rec = start(world, 'killed', 'standard');
      await first.waitForLog('processing model', 150_000);
      await first.kill();
      expect(discord.originalMessage(rec.token)?.attachments.some((a) => a.filename === 'model.glb') ?? false).toBe(false);
      expect(await jobRow(world, rec.id)).toMatchObject({ state: 'succeeded', processing_state: 'pending', processing_attempts: 1 });

      const second = await world.startBot();
      const final = await resultWithGlb(discord, rec.token, 150_000);
      expect(second.logs().find((l) => l.msg === 'resuming unfinished jobs')).toMatchObject({ processing: 1 });
      expect(await jobRow(world, rec.id)).toMatchObject({ processing_state: 'done', processing_attempts: 2 });
      expect(dmxapi.submitCount()).toBe(1);
      expect(dmxapi.calls.filter((c) => c.kind === 'file' && c.path.endsWith('.glb'))).toHaveLength(1);
      const glb = discord.fileBytes(final.attachments.find((a) => a.filename === 'model.glb')!.url)!;
      expect(glb.length).toBeLessThan(10 * MIB);
    }, 300_000);
  });
});
