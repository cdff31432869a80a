/**
 * Result files reach Discord intact when the Deliverer streams them from disk (multipart built by
 * the bot: `files[n]` parts and `payload_json`), on a new channel message and on an edit.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST } from 'discord.js';
import { FakeDiscord } from '../fakes/discord/index.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { MODEL_NAME, renderJob } from '../../src/discord/render.js';
import { PREVIEW_NAME } from '../../src/domain/files.js';
import { createLogger } from '../../src/log/index.js';
import { jobRow } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';

describe('Deliverer: attached files', () => {
  let fake: FakeDiscord;
  let rest: REST;
  const tmp = tempDir('model3d-deliver-');
  const glb = Buffer.concat([Buffer.from('glTF'), randomBytes(3 * 1024 * 1024)]);
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8L'), randomBytes(2000)]);
  const dir = join(tmp.dir, '1');

  beforeAll(async () => {
    fake = await FakeDiscord.start({ guilds: 1 });
    rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MODEL_NAME), glb);
    writeFileSync(join(dir, PREVIEW_NAME), webp);
  });
  afterAll(async () => {
    await fake.close();
    tmp.cleanup();
  });

  const finishedJob = (messageId: string | null) => {
    const channel = fake.guilds[0]!.channels.find((c) => c.type === 0)!;
    return jobRow({
      state: 'succeeded',
      applicationId: fake.applicationId,
      guildId: fake.guilds[0]!.id,
      channelId: channel.id,
      messageId,
      // Past the interaction token's life: the channel routes are used.
      createdAt: Date.now() - 3600_000,
      finishedAt: Date.now(),
      modelFile: join(dir, MODEL_NAME),
      modelBytes: glb.length,
      previewFile: join(dir, PREVIEW_NAME),
    });
  };

  const expectFiles = (attachments: { filename: string; url: string; content_type?: string }[]) => {
    const byName = new Map(attachments.map((a) => [a.filename, a]));
    expect([...byName.keys()].sort()).toEqual([MODEL_NAME, PREVIEW_NAME]);
    expect(fake.fileBytes(byName.get(MODEL_NAME)!.url)?.equals(glb)).toBe(true);
    expect(fake.fileBytes(byName.get(PREVIEW_NAME)!.url)?.equals(webp)).toBe(true);
    expect(byName.get(PREVIEW_NAME)!.content_type).toBe('image/webp');
  };

  it('posts a new message with the GLB and the preview, byte for byte, and the embed text', async () => {
    const job = finishedJob(null);
    const d = await new Deliverer(rest, createLogger({ level: 'silent' })).deliver(job, renderJob(job, { now: Date.now() }), { final: true, now: Date.now() });
    expect(d?.route).toBe('channel_message');
    const msg = fake.message(d!.messageId)!;
    expectFiles(msg.attachments);
    expect(msg.content).toContain('your 3D model is ready');
    expect(JSON.stringify(msg.embeds)).toContain(`attachment://${PREVIEW_NAME}`);
  });

  it('replaces the attachments of the existing reply on an edit', async () => {
    const channelId = finishedJob(null).channelId;
    const reply = (await rest.post(`/channels/${channelId}/messages`, { body: { content: 'Generating…' } })) as { id: string };
    const job = finishedJob(reply.id);
    const d = await new Deliverer(rest, createLogger({ level: 'silent' })).deliver(job, renderJob(job, { now: Date.now() }), { final: true, now: Date.now() });
    expect(d).toMatchObject({ route: 'channel_edit', messageId: reply.id });
    expectFiles(fake.message(reply.id)!.attachments);
    expect(d!.attachments.map((a) => a.filename).sort()).toEqual([MODEL_NAME, PREVIEW_NAME]);
  });

  it('keeps no file open after an upload cut off by an early 429, and the retry delivers the files whole', async () => {
    const channelId = finishedJob(null).channelId;
    const reply = (await rest.post(`/channels/${channelId}/messages`, { body: { content: 'Generating…' } })) as { id: string };
    const job = finishedJob(reply.id);
    // Answered before the upload is read, as a rate limiter in front of the API does; discord.js waits and retries.
    const cut = fake.faults.add({
      name: 'early 429',
      method: 'PATCH',
      messageId: reply.id,
      times: 1,
      status: 429,
      beforeBody: true,
      headers: { 'retry-after': '0.05', 'x-ratelimit-scope': 'user' },
      body: { message: 'You are being rate limited.', retry_after: 0.05, global: false, code: 0 },
    });
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
        } catch {
          return false;
        }
      }).length;
    const d = await new Deliverer(rest, createLogger({ level: 'silent' })).deliver(job, renderJob(job, { now: Date.now() }), { final: true, now: Date.now() });
    expect(cut.fired).toBe(1);
    expect(d).toMatchObject({ route: 'channel_edit', messageId: reply.id });
    expectFiles(fake.message(reply.id)!.attachments);
    // Give a cancelled read its moment to close.
    await new Promise((r) => setTimeout(r, 200));
    expect(openFiles()).toBe(0);
  });
});
