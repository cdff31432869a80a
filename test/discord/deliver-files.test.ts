/**
 * Result files reach Discord intact when the Deliverer streams them from disk (multipart built by
 * the bot: `files[n]` parts and `payload_json`), on a new channel message and on an edit.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
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
  // Larger than the loopback sockets can buffer (tcp_wmem tops out at 4 MB): an upload the fake does
  // not read stops mid-GLB, with the file open.
  const glb = Buffer.concat([Buffer.from('glTF'), randomBytes(12 * 1024 * 1024)]);
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8L'), randomBytes(2000)]);
  const dir = join(tmp.dir, '1');

  beforeAll(async () => {
    fake = await FakeDiscord.start({ guilds: 1, maxUploadBytes: 2 * glb.length });
    rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MODEL_NAME), glb);
    writeFileSync(join(dir, PREVIEW_NAME), webp);
  });
  afterAll(async () => {
    await fake.close();
    tmp.cleanup();
  });

  const finishedJob = (messageId: string | null, on = fake) => {
    const channel = on.guilds[0]!.channels.find((c) => c.type === 0)!;
    return jobRow({
      state: 'succeeded',
      applicationId: on.applicationId,
      guildId: on.guilds[0]!.id,
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

  const expectFiles = (attachments: { filename: string; url: string; content_type?: string }[], on = fake) => {
    const byName = new Map(attachments.map((a) => [a.filename, a]));
    expect([...byName.keys()].sort()).toEqual([MODEL_NAME, PREVIEW_NAME]);
    expect(on.fileBytes(byName.get(MODEL_NAME)!.url)?.equals(glb)).toBe(true);
    expect(on.fileBytes(byName.get(PREVIEW_NAME)!.url)?.equals(webp)).toBe(true);
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
    // A fake of its own, so new connections: one that carried the earlier uploads has grown buffers
    // that can take the whole GLB before the cut, and then nothing is cut.
    const own = await FakeDiscord.start({ guilds: 1, maxUploadBytes: 2 * glb.length });
    onTestFinished(() => own.close());
    const fresh = new REST({ api: own.apiUrl }).setToken(own.botToken);
    const channelId = finishedJob(null, own).channelId;
    const reply = (await fresh.post(`/channels/${channelId}/messages`, { body: { content: 'Generating…' } })) as { id: string };
    const job = finishedJob(reply.id, own);
    // Answered before the upload is read, as a rate limiter in front of the API does; discord.js waits and retries.
    // The fake holds that answer for a second, reading nothing: the upload stops mid-GLB, its file open.
    const cut = own.faults.add({
      name: 'early 429',
      method: 'PATCH',
      messageId: reply.id,
      times: 1,
      status: 429,
      beforeBody: true,
      delayMs: 1000,
      headers: { 'retry-after': '0.05', 'x-ratelimit-scope': 'user' },
      body: { message: 'You are being rate limited.', retry_after: 0.05, global: false, code: 0 },
    });
    // The descriptors this process holds in the result dir (/proc/self/fd), with their paths and read offsets.
    const open = () =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const path = readlinkSync(`/proc/self/fd/${fd}`);
          if (!path.startsWith(dir)) return [];
          return [{ path, pos: Number(/^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1]) }];
        } catch {
          return [];
        }
      });
    const delivering = new Deliverer(fresh, createLogger({ level: 'silent' })).deliver(job, renderJob(job, { now: Date.now() }), { final: true, now: Date.now() });
    // The moment the fake answers the 429 (it logs a request as it answers, and this runs then), the
    // GLB is open and read part way: the cut lands on it.
    const atCut = await own.waitFor(() => own.requestsMatching({ method: 'PATCH', status: 429 }).length > 0 && open(), {
      description: 'the early 429',
      timeoutMs: 10_000,
    });
    expect(atCut).toEqual([{ path: join(dir, MODEL_NAME), pos: expect.any(Number) }]);
    expect(atCut[0]!.pos).toBeLessThan(glb.length);
    const d = await delivering;
    expect(cut.fired).toBe(1);
    expect(d).toMatchObject({ route: 'channel_edit', messageId: reply.id });
    expectFiles(own.message(reply.id)!.attachments, own);
    // A read closes its descriptor after it ends or is cancelled, asynchronously: wait for that close
    // (a leaked descriptor never closes, and fails this after 5 s), not for a fixed time.
    await vi.waitFor(() => expect(open()).toEqual([]), { timeout: 5000, interval: 10 });
  });
});
