import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from 'discord.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STORES, World, samplePng, type BotProcess } from './harness.js';

describe.each(STORES)('/model3d end to end against the built bot (%s)', (store) => {
  let world: World;
  let bot: BotProcess;

  beforeEach(async () => {
    world = await World.start({ store });
    bot = await world.startBot();
  });
  afterEach(async () => {
    await world.close();
  });

  it('attachment: acknowledged fast, one submit, ends with the preview and GLB attached', async () => {
    const { discord, dmxapi } = world;
    const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image, quality: 'detailed' } }));
    const acked = await discord.waitForAck(rec.id);
    expect(acked.ackType).toBe(5);
    expect(acked.ackLatencyMs).toBeLessThan(3000);

    const final = await discord.waitFor(
      () => {
        const m = discord.originalMessage(rec.token);
        return m && m.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
      },
      { timeoutMs: 15_000, description: 'final message with the GLB' },
    );
    expect(dmxapi.submits).toHaveLength(1);
    expect(dmxapi.submits[0]?.body).toMatchObject({
      model: 'Tripo-P1.0',
      input: { image: image.url },
      parameters: { texture_quality: 'detailed' },
    });
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    expect((final.embeds[0] as APIEmbed | undefined)?.image?.url).toMatch(/preview\.webp/);
    expect(final.content).toContain('ready');
    const button = await discord.waitFor(
      () =>
        (discord.originalMessage(rec.token)?.components[0] as APIActionRowComponent<APIButtonComponent> | undefined)?.components.find(
          (c) => c.style === 5,
        ),
      {
      timeoutMs: 5000,
      description: 'download button',
    });
    expect(button).toMatchObject({ style: 5, label: 'Download GLB' });

    // The reply's id came with the deferral (interaction.response_message_id; a type-5 callback has
    // no `resource`), so the bot stored it without asking Discord for @original.
    const stored = await world.rows<{ message_id: string }>('SELECT message_id FROM jobs');
    expect(stored.map((r) => r.message_id)).toEqual([rec.originalMessageId]);
    // On PostgreSQL every row is there and no SQLite file is made.
    expect(existsSync(join(world.dir, 'bot.sqlite'))).toBe(store === 'sqlite');
    expect(discord.requestsMatching({ method: 'GET', route: '/webhooks/:app/:token/messages/@original' })).toEqual([]);

    // Another member who sees the result asks for the files: they come privately, from the bot's copy.
    const filesButton = (final.components[0] as APIActionRowComponent<APIButtonComponent>).components.find(
      (c) => 'custom_id' in c && c.custom_id.startsWith('files:'),
    ) as { custom_id: string };
    const other = discord.build.user({ username: 'friend' });
    const press = discord.sendInteraction(
      discord.build.button({ customId: filesButton.custom_id, message: { id: final.id }, user: other }),
    );
    const copy = await discord.waitFor(
      () => {
        const m = discord.originalMessage(press.token);
        return m && m.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
      },
      { timeoutMs: 10_000, description: 'the files sent privately' },
    );
    expect(copy.flags & 64).toBe(64);
    const glb = discord.fileBytes(copy.attachments.find((a) => a.filename === 'model.glb')!.url);
    expect(glb?.subarray(0, 4).toString()).toBe('glTF');
    // Processed (off the event loop) after the task's success, then delivered (order, not wall-clock: the machine may be loaded).
    const msgs = bot.logs().map((l) => (l.msg === 'status checked' ? `checked ${String(l.status)}` : l.msg));
    const succeeded = msgs.indexOf('checked SUCCEEDED');
    expect(succeeded).toBeGreaterThan(-1);
    expect(msgs.indexOf('model processed')).toBeGreaterThan(succeeded);
    expect(msgs.indexOf('result delivered')).toBeGreaterThan(msgs.indexOf('model processed'));
  });
});
