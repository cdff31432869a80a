/**
 * Models small on disk and huge in use (issue 23 §1), served by the DMXAPI simulator: the bot
 * recognises them before expanding them, ships them as the provider gave them with one honest line,
 * and the next member's model is processed right after (not after MODEL_PROCESS_TIMEOUT_MS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, STORES, downloadButton, hasGlb, samplePng, waitForVisible, type BotProcess, type LogLine } from './harness.js';
import type { FakeDiscord } from '../fakes/discord/index.js';

function start(discord: FakeDiscord, name: string, locale = 'en-US') {
  const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
  const user = discord.build.user({ username: name });
  return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, locale }));
}

/** Where in the bot's log the first line for this job with this message is (-1 if none). */
function at(bot: BotProcess, jobId: number, msg: string): number {
  return bot.logs().findIndex((l: LogLine) => l.jobId === jobId && l.msg === msg);
}

describe.each(STORES)('hostile models (%s)', (store) => {
  let world: World;
  let bot: BotProcess;

  beforeAll(async () => {
    world = await World.start({ store });
    // The default time limit: an answer that came from it would take two minutes, past this test's own limit.
    bot = await world.startBot({ MODEL_PROCESS_TIMEOUT_MS: '120000', MODEL_WORKERS: '1' });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  async function jobOf(interactionId: string): Promise<{ id: number; task_id: string; processing_state: string; model_info: string | null }> {
    return (await world.row('SELECT id, task_id, processing_state, model_info FROM jobs WHERE interaction_id = @id', { id: interactionId }))!;
  }

  it("an instanced model (240,000,000 triangles after instancing) is linked as given with one honest line, and the next member's model is processed right after it", async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ model: 'instanced' });
    const alice = start(discord, 'alice');
    await dmxapi.waitFor((sim) => sim.submits.length === 1, 30_000);
    // Bob's task stays RUNNING until Alice's model is being processed, so his comes after hers.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const bob = start(discord, 'bob');
    await dmxapi.waitFor((sim) => sim.submits.length === 2, 30_000);
    const aliceJob = await bot.waitForLog((l) => l.msg === 'processing model', 60_000);
    dmxapi.release(dmxapi.submits[1]!.taskId!);

    const text = await waitForVisible(discord, alice.token, 'could not process this model', 60_000);
    expect(text).toContain(
      'The bot could not process this model (too complex to process here: 240,000,000 triangles after instancing; the limit is 2,000,000), so it is linked as the provider gave it',
    );
    const row = await jobOf(alice.id);
    expect(row.id).toBe(aliceJob.jobId);
    const final = discord.originalMessage(alice.token)!;
    expect(final.attachments.map((a) => a.filename)).toEqual(['preview.webp']);
    expect(downloadButton(final)?.url).toBe(dmxapi.fileUrls(row.task_id)!.model);
    expect(row.processing_state).toBe('failed');
    expect(JSON.parse(row.model_info!)).toEqual({ failure: 'too_complex', exceeded: { limit: 'triangles', value: 240_000_000, max: 2_000_000 } });

    await discord.waitFor(() => hasGlb(discord.originalMessage(bob.token)), { timeoutMs: 60_000, description: "Bob's result with its GLB" });
    const bobJob = (await jobOf(bob.id)).id;
    // In this order: Alice's processing starts, is refused at the limit, then Bob's starts and ends.
    const order = [
      at(bot, row.id, 'processing model'),
      at(bot, row.id, 'model could not be processed; sending it as the provider gave it'),
      at(bot, bobJob, 'processing model'),
      at(bot, bobJob, 'model processed'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(bot.logs().find((l) => l.jobId === row.id && l.msg === 'model could not be processed; sending it as the provider gave it')).toMatchObject({
      failure: 'too_complex',
      exceeded: { limit: 'triangles', value: 240_000_000 },
    });
  }, 150_000);

  it('a texture declared at 16,000 × 16,000 px is refused from its header, in the member\'s language', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ model: 'huge-texture' });
    const chen = start(discord, 'chen', 'zh-CN');
    const text = await waitForVisible(discord, chen.token, '过于复杂', 60_000);
    expect(text).toContain('机器人无法处理此模型（模型过于复杂，无法在此处理：一张 16,000 × 16,000 像素的贴图（256,000,000 像素），上限为 67,108,864 像素），因此按生成器提供的原样附上链接');
    const row = await jobOf(chen.id);
    expect(downloadButton(discord.originalMessage(chen.token))?.url).toBe(dmxapi.fileUrls(row.task_id)!.model);
    expect(JSON.parse(row.model_info!)).toMatchObject({ failure: 'too_complex', exceeded: { limit: 'texturePixels', dims: [16_000, 16_000] } });
  }, 120_000);
});
