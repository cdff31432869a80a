/**
 * The member's picture in the job's messages is the bot's copy of the bytes it fetched and checked
 * (issue 23 §5), never the member's URL: the host swaps the picture once the bot has fetched it (any
 * later fetch gets another), and the messages still show the checked one. Through the fakes, with the real bot, on both stores.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { STORES, World, storedFiles, type BotProcess } from './harness.js';

const RED = { r: 220, g: 20, b: 20 };
const BLUE = { r: 20, g: 20, b: 220 };
const solid = (c: typeof RED) => sharp({ create: { width: 300, height: 200, channels: 3, background: c } }).png().toBuffer();
/** The mean colour of an image the test fetched, over HTTP. */
async function colourAt(url: string): Promise<{ r: number; g: number; b: number; width: number; format: string }> {
  const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
  const { channels } = await sharp(bytes).stats();
  const meta = await sharp(bytes).metadata();
  return { r: Math.round(channels[0]!.mean), g: Math.round(channels[1]!.mean), b: Math.round(channels[2]!.mean), width: meta.width, format: meta.format };
}
const near = (c: typeof RED) => ({ r: expect.closeTo(c.r, -1.5), g: expect.closeTo(c.g, -1.5), b: expect.closeTo(c.b, -1.5) });

describe.each(STORES)('the member’s picture as checked (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  beforeAll(async () => {
    world = await World.start({ store, timeline: { pendingMs: 50, runningMs: 100 } });
    bot = await world.startBot();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('progress and result show the checked bytes after the host swapped the picture; Delete removes the copy', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ holdIn: 'RUNNING', outcome: 'FAILED', code: 'InvalidImage', message: 'No object found.' });
    // The host serves the picture once (the bot's check), then another one at the same URL.
    const image = discord.hostFile(await solid(RED), { filename: 'cat.png', contentType: 'image/png', thenServe: await solid(BLUE) });
    const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image } }));
    const submitted = await bot.waitForLog('submitted', 30_000);
    expect(await colourAt(image.url)).toMatchObject(near(BLUE));

    const shows = (m: FakeMessage | undefined) => {
      const embed = m?.embeds[0] as { thumbnail?: { url?: string } } | undefined;
      return embed?.thumbnail?.url === 'attachment://picture.webp' ? m!.attachments.find((a) => a.filename === 'picture.webp') : undefined;
    };
    // Generating: the provider holds the task, the progress message shows the bot's copy.
    await bot.waitForLog((l) => l.msg === 'status checked' && l.status === 'RUNNING', 30_000);
    const progress = await discord.waitFor(() => {
      const m = discord.originalMessage(rec.token);
      return m?.embeds.length && JSON.stringify(m.embeds).includes('Generating') ? shows(m) : undefined;
    }, { timeoutMs: 30_000, description: 'the progress message with the picture' });
    expect(await colourAt(progress.url)).toMatchObject({ ...near(RED), width: 256, format: 'webp' });

    dmxapi.release(String(submitted.taskId));
    const failed = await discord.waitFor(() => {
      const m = discord.originalMessage(rec.token);
      return m?.content.includes('No object found') ? m : undefined;
    }, { timeoutMs: 30_000, description: 'the failed result' });
    expect(failed.attachments.map((a) => a.filename)).toEqual(['picture.webp']);
    expect(await colourAt(shows(failed)!.url)).toMatchObject(near(RED));
    // Nothing in any message links the member's URL.
    expect(JSON.stringify(discord.originalMessage(rec.token))).not.toContain(new URL(image.url).pathname);

    const jobId = Number(submitted.jobId);
    expect(storedFiles(world)).toEqual([`${jobId}/picture.webp`]);
    const del = discord.sendInteraction(discord.build.button({ customId: `job:delete:${jobId}`, message: { id: failed.id } }));
    await discord.waitForAck(del.id);
    await bot.waitForLog((l) => l.msg === 'result deleted' && l.jobId === jobId, 15_000);
    expect(storedFiles(world)).toEqual([]);
    expect(await world.row('SELECT picture_file FROM jobs WHERE id = @id', { id: jobId })).toEqual({ picture_file: null });
  }, 120_000);
});
