/**
 * /model3d inputs against the built bot: a URL that works end to end, and every bad
 * input refused with its own message and no submit. One world and one bot per store for the
 * happy path and the refusals, several interactions each, so the file stays fast.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gif, png, pngHeader, webpHeader } from '../fixtures/images.js';
import { STORES, World, samplePng, visibleText, waitForVisible, type BotProcess } from './harness.js';

/** A loopback image server: /img.png, /missing (404), /r/<n> (n redirects, then the image). */
async function startImageServer(): Promise<{ base: string; port: number; hits: string[]; close: () => Promise<void> }> {
  const image = samplePng();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push(path);
    const redirect = /^\/r\/(\d+)$/.exec(path);
    if (redirect) {
      const left = Number(redirect[1]);
      res.writeHead(302, { location: left > 1 ? `/r/${left - 1}` : '/img.png' });
      res.end();
    } else if (path === '/img.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.end(req.method === 'HEAD' ? undefined : image);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Images = Awaited<ReturnType<typeof startImageServer>>;

function send(world: World, options: Record<string, unknown>) {
  const { discord } = world;
  return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: options as never }));
}

/** Sends one /model3d, checks the ack, and waits for the member-visible text to contain `expected`. */
async function expectRefused(world: World, options: Record<string, unknown>, expected: string | RegExp): Promise<string> {
  const submitted = world.dmxapi.submitCount();
  const rec = send(world, options);
  const acked = await world.discord.waitForAck(rec.id);
  expect(acked.ackLatencyMs).toBeLessThan(3000);
  const text = await waitForVisible(world.discord, rec.token, expected, 10_000);
  // The refusal is the whole answer: no result, no progress embed left behind.
  expect(world.discord.originalMessage(rec.token)?.attachments ?? []).toHaveLength(0);
  // Refused before the reservation: nothing was, or will be, submitted for it.
  expect(world.dmxapi.submitCount()).toBe(submitted);
  return text;
}

describe.each(STORES)('/model3d inputs (%s)', (store) => {
  let world: World;
  let images: Images;
  let bot: BotProcess;

  beforeAll(async () => {
    images = await startImageServer();
    // Only the order of events matters here: a short task timeline.
    world = await World.start({ store, timeline: { pendingMs: 100, runningMs: 300 } });
    bot = await world.startBot();
  });
  afterAll(async () => {
    await world?.close();
    await images?.close();
  });

  describe('URL input, happy path', () => {
    it('a url hosted on Discord ends with the preview and the GLB, submitted once with that url', async () => {
      const { discord, dmxapi } = world;
      const hosted = discord.hostFile(samplePng(), { filename: 'robot.png', contentType: 'image/png' });
      const rec = send(world, { url: hosted.url });
      expect((await discord.waitForAck(rec.id)).ackLatencyMs).toBeLessThan(3000);
      const final = await discord.waitFor(
        () => {
          const m = discord.originalMessage(rec.token);
          return m && m.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
        },
        { timeoutMs: 15_000, description: 'final message with the GLB' },
      );
      expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
      expect(final.content).toContain('ready');
      expect(dmxapi.submitCount()).toBe(1);
      expect(dmxapi.submits[0]?.body).toMatchObject({ model: 'Tripo-P1.0', input: { image: hosted.url } });
      await bot.waitForLog('result delivered', 5000);
    });

    it('a url with 3 redirects (the limit) is accepted and submitted with its final address', async () => {
      const { discord, dmxapi } = world;
      const before = dmxapi.submitCount();
      const rec = send(world, { url: `${images.base}/r/3` });
      await discord.waitForAck(rec.id);
      await dmxapi.waitFor(() => dmxapi.submitCount() > before, 10_000);
      expect(dmxapi.submitCount()).toBe(before + 1);
      expect(dmxapi.submits.at(-1)?.imageUrl).toBe(`${images.base}/img.png`);
      await waitForVisible(discord, rec.token, 'your 3D model is ready', 15_000);
      // No message showed the member's own URL (its host could swap the picture after the check).
      const sent = discord.requests.filter((r) => r.params.token === rec.token && r.method !== 'GET');
      expect(sent.length).toBeGreaterThanOrEqual(2);
      for (const r of sent) expect(JSON.stringify(r.body)).not.toContain(images.base);
    });
  });

  describe('bad inputs: each gets its own message and nothing is submitted', () => {
    it('neither image nor url', async () => {
      await expectRefused(world, {}, 'Give exactly one picture');
    });

    it('both image and url', async () => {
      const image = world.discord.hostFile(samplePng(), { filename: 'a.png', contentType: 'image/png' });
      await expectRefused(world, { image, url: `${images.base}/img.png` }, 'Give exactly one picture');
    });

    it('an unknown quality (a stale definition or a forged payload) names the allowed values', async () => {
      const image = world.discord.hostFile(samplePng(), { filename: 'a.png', contentType: 'image/png', width: 256, height: 256 });
      await expectRefused(world, { image, quality: 'ultra' }, '`quality` must be one of `standard`, `detailed`; you gave `ultra`.');
    });

    it('a GIF attachment', async () => {
      const image = world.discord.hostFile(gif(64, 64), { filename: 'cat.gif', contentType: 'image/gif' });
      await expectRefused(world, { image }, 'The picture must be a JPEG or PNG; this file is a GIF.');
    });

    it('a GIF named .png (judged by its bytes, not its name)', async () => {
      const image = world.discord.hostFile(gif(64, 64), { filename: 'cat.png', contentType: 'image/png', width: 64, height: 64 });
      await expectRefused(world, { image }, 'The picture must be a JPEG or PNG; this file is a GIF.');
    });

    it('a GIF behind a url that claims image/png', async () => {
      const hosted = world.discord.hostFile(gif(64, 64), { filename: 'cat.png', contentType: 'image/png' });
      await expectRefused(world, { url: hosted.url }, 'this file is a GIF');
    });

    it('a WebP attachment', async () => {
      const image = world.discord.hostFile(webpHeader(512, 512), { filename: 'pic.webp', contentType: 'image/webp', width: 512, height: 512 });
      await expectRefused(world, { image }, 'The picture must be a JPEG or PNG; this file is a WebP.');
    });

    it('a WebP named .png', async () => {
      const image = world.discord.hostFile(webpHeader(512, 512), { filename: 'pic.png', contentType: 'image/png', width: 512, height: 512 });
      await expectRefused(world, { image }, 'this file is a WebP');
    });

    it('a 7000×7000 PNG attachment', async () => {
      const image = world.discord.hostFile(pngHeader(7000, 7000), { filename: 'huge.png', contentType: 'image/png', width: 7000, height: 7000 });
      await expectRefused(world, { image }, 'Image is 7000×7000 px; the maximum is 6000 px per side.');
    });

    it('a 7000×7000 PNG whose metadata hides its size (found by probing the header)', async () => {
      const image = world.discord.hostFile(pngHeader(7000, 7000), { filename: 'huge.png', contentType: 'image/png', width: null as never, height: null as never });
      expect(image.width ?? null).toBeNull();
      await expectRefused(world, { image }, 'Image is 7000×7000 px; the maximum is 6000 px per side.');
    });

    it('a 7000×7000 PNG behind a url', async () => {
      const hosted = world.discord.hostFile(pngHeader(7000, 7000), { filename: 'huge.png', contentType: 'image/png' });
      await expectRefused(world, { url: hosted.url }, 'Image is 7000×7000 px; the maximum is 6000 px per side.');
    });

    it('a 10×10 PNG', async () => {
      const image = world.discord.hostFile(png(10, 10), { filename: 'tiny.png', contentType: 'image/png' });
      await expectRefused(world, { image }, 'Image is 10×10 px; the minimum is 20 px per side.');
    });

    it('an attachment over 20 MB (Discord says 25 MB)', async () => {
      const hosted = world.discord.hostFile(samplePng(), { filename: 'big.png', contentType: 'image/png' });
      const image = { ...hosted, size: 25 * 1024 * 1024 };
      await expectRefused(world, { image }, 'Image is 25.0 MB; the maximum is 20.0 MB.');
    });

    it('an ftp:// url', async () => {
      const text = await expectRefused(world, { url: 'ftp://127.0.0.1/picture.png' }, 'Only http and https links are accepted');
      expect(text).toContain('ftp');
    });

    it('a url that answers 404', async () => {
      await expectRefused(world, { url: `${images.base}/missing.png` }, 'The image could not be fetched: the server answered HTTP 404.');
    });

    it('a url with 4 redirects', async () => {
      const hitsBefore = images.hits.length;
      await expectRefused(world, { url: `${images.base}/r/4` }, 'The link redirects more than 3 times');
      // It stopped following: the image itself was never requested.
      expect(images.hits.slice(hitsBefore)).not.toContain('/img.png');
    });

    it('refusals are public edits of the reply, and the reply shows nothing else', async () => {
      const submitted = world.dmxapi.submitCount();
      const rec = send(world, { url: 'ftp://127.0.0.1/x.png' });
      await waitForVisible(world.discord, rec.token, 'Only http and https');
      const reply = world.discord.originalMessage(rec.token)!;
      expect(reply.flags & 64).toBe(0);
      expect(reply.embeds).toHaveLength(0);
      expect(reply.components).toHaveLength(0);
      expect(visibleText(world.discord, rec.token)).not.toMatch(/Queued|Generating|model is ready/);
      expect(world.dmxapi.submitCount()).toBe(submitted);
    });
  });
});

// One store: these are refused before anything is written (the store is only read by the quota pre-check,
// which every case above runs on both stores), and a bot with its own configuration costs a start.
describe('IMAGE_URL_ALLOW_PRIVATE=false: loopback and private addresses are refused', () => {
  let world: World;
  let images: Images;

  beforeAll(async () => {
    images = await startImageServer();
    world = await World.start({ store: 'sqlite' });
    await world.startBot({ IMAGE_URL_ALLOW_PRIVATE: 'false' });
  });
  afterAll(async () => {
    await world?.close();
    await images?.close();
  });

  it('http://127.0.0.1 is refused as a private address, without fetching it', async () => {
    const hitsBefore = images.hits.length;
    await expectRefused(world, { url: `${images.base}/img.png` }, /private or local address \(127\.0\.0\.1/);
    expect(images.hits.length).toBe(hitsBefore);
    expect(world.dmxapi.submitCount()).toBe(0);
  });

  it('localhost and an IPv4-mapped IPv6 loopback are refused too', async () => {
    await expectRefused(world, { url: `http://localhost:${images.port}/img.png` }, 'private or local address');
    await expectRefused(world, { url: `http://[::ffff:127.0.0.1]:${images.port}/img.png` }, 'private or local address');
    await expectRefused(world, { url: `http://10.1.2.3:${images.port}/img.png` }, 'private or local address');
    expect(images.hits).toHaveLength(0);
    expect(world.dmxapi.submitCount()).toBe(0);
  });
});
