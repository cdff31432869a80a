/**
 * The turntable with the real bot and the Tripo-like simulator: a finished job's embed image is the
 * animation, attached as a file, and the provider's still stays (as the thumbnail); TURNTABLE=off
 * and a turntable that runs out of time ship the result without it, and the log says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GifReader } from 'omggif';
import type { APIEmbed } from 'discord.js';
import { STORES, World, samplePng, type BotProcess } from './harness.js';
import type { FakeDiscord, FakeMessage } from '../fakes/discord/index.js';

const MB = 1024 * 1024;

function start(world: World, name: string) {
  const { discord } = world;
  const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
  return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image, quality: 'standard' } }));
}

function result(discord: FakeDiscord, token: string): Promise<FakeMessage> {
  return discord.waitFor(
    () => {
      const m = discord.originalMessage(token);
      return m?.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
    },
    { timeoutMs: 150_000, description: 'the result with the GLB attached' },
  );
}

const names = (m: FakeMessage) => m.attachments.map((a) => a.filename).sort();

describe.each(STORES)('the turntable animation on results (%s)', (store) => {
  let world: World;
  let bot: BotProcess;

  beforeAll(async () => {
    world = await World.start({ store, model: 'tripo' });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  it("is the embed's image, attached as a GIF of 36 frames under 4 MB; the provider's still is the thumbnail", async () => {
    bot = await world.startBot({ TURNTABLE: 'on', TURNTABLE_SIZE: '200' });
    const { discord } = world;
    const rec = start(world, 'turning');
    const final = await result(discord, rec.token);
    expect(names(final)).toEqual(['model.glb', 'preview.webp', 'turntable.gif']);
    const embed = final.embeds[0] as APIEmbed;
    expect(embed.image?.url).toBe('attachment://turntable.gif');
    expect(embed.thumbnail?.url).toBe('attachment://preview.webp');

    const gif = discord.fileBytes(final.attachments.find((a) => a.filename === 'turntable.gif')!.url)!;
    expect(gif.length).toBeLessThan(4 * MB);
    const reader = new GifReader(gif);
    expect(reader.numFrames()).toBe(36);
    expect([reader.width, reader.height]).toEqual([200, 200]);
    // Not an empty stage: the model covers a good part of the first frame (the backdrop is a vertical
    // gradient, so a pixel is the model's where it differs from its row's left edge).
    const px = new Uint8Array(200 * 200 * 4);
    reader.decodeAndBlitFrameRGBA(0, px);
    let covered = 0;
    for (let i = 0; i < px.length; i += 4) {
      const edge = Math.floor(i / 4 / 200) * 200 * 4;
      if (Math.abs(px[i]! - px[edge]!) + Math.abs(px[i + 1]! - px[edge + 1]!) + Math.abs(px[i + 2]! - px[edge + 2]!) > 24) covered++;
    }
    expect(covered).toBeGreaterThan(0.25 * 200 * 200);
    // Everything attached still fits the upload limit.
    const total = final.attachments.reduce((n, a) => n + discord.fileBytes(a.url)!.length, 0);
    expect(total).toBeLessThan(10 * MB);
    await bot.kill();
  }, 200_000);

  it('a turntable that runs out of time: the result ships without it, and the log says why', async () => {
    bot = await world.startBot({ TURNTABLE: 'on', TURNTABLE_TIMEOUT_MS: '1' });
    const { discord } = world;
    // Not about the model itself: the tiny one, so that no time goes into processing a Tripo-like GLB.
    world.dmxapi.nextTasks.push({ model: 'cube' });
    const rec = start(world, 'slow');
    const final = await result(discord, rec.token);
    expect(names(final)).toEqual(['model.glb', 'preview.webp']);
    expect((final.embeds[0] as APIEmbed).image?.url).toBe('attachment://preview.webp');
    const line = bot.logs().find((l) => l.msg === 'no turntable for this result; it ships without it');
    expect(line).toMatchObject({ artifact: 'turntable' });
    expect(String(line?.reason)).toMatch(/exceeded 1 ms/);
    await bot.kill();
  }, 200_000);
});

// One store: TURNTABLE=off is the harness's default, so every other e2e flow runs with it on both stores.
describe('TURNTABLE=off', () => {
  let world: World;

  beforeAll(async () => {
    // Not about the model itself: the tiny one, so that no time goes into processing a Tripo-like GLB.
    world = await World.start({ store: 'sqlite', model: 'cube' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('TURNTABLE=off: the result shows the provider still as its image, as before', async () => {
    await world.startBot({ TURNTABLE: 'off' });
    const { discord } = world;
    const rec = start(world, 'still');
    const final = await result(discord, rec.token);
    expect(names(final)).toEqual(['model.glb', 'preview.webp']);
    expect((final.embeds[0] as APIEmbed).image?.url).toBe('attachment://preview.webp');
  }, 200_000);
});
