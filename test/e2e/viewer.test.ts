/**
 * The viewer page (issue 18): the built bot with PUBLIC_URL against the fakes, a result's page opened
 * in a real Chromium (model-viewer loads the web copy, no console error, no other origin, pixels of the
 * model on screen), its downloads, HTTP behaviour (Range, ETag, HEAD, headers), traversal, another
 * job's token, Delete → 410, on both stores. The browser flow runs on each store (one browser for
 * the file). Without PUBLIC_URL nothing listens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { DEFAULT_MEMBER_PERMISSIONS, opt, type FakeMessage } from '../fakes/discord/index.js';
import { STORES, World, samplePng, type BotProcess } from './harness.js';
import { launchBrowser } from '../helpers/browser.js';
import { freePort } from '../helpers/port.js';

const MOD_PERMS = (BigInt(DEFAULT_MEMBER_PERMISSIONS) | (1n << 5n)).toString(); // + Manage Server
const HOSTILE_TITLE = '<b>Tea</b><img src=x onerror=alert(1)>';

type Button = { style: number; label?: string; url?: string; custom_id?: string };
const buttonsOf = (m: FakeMessage | undefined): Button[] =>
  ((m?.components ?? []) as { components?: Button[] }[]).flatMap((r) => r.components ?? []);

/** A raw request: the path is sent exactly as written (fetch would resolve `..`). */
function raw(port: number, path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.end();
  });
}

/** The JSON chunk of a GLB (after checking its header), to read which extensions it uses. */
function glbJson(bytes: Buffer): { extensionsUsed?: string[] } {
  expect(bytes.subarray(0, 4).toString()).toBe('glTF');
  expect(bytes.readUInt32LE(8)).toBe(bytes.length);
  const len = bytes.readUInt32LE(12);
  return JSON.parse(bytes.subarray(20, 20 + len).toString()) as { extensionsUsed?: string[] };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(STORES)('the viewer page (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  let port: number;
  let base: string;
  const d = () => world.discord;

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    world = await World.start({
      store,
      timeline: { pendingMs: 100, runningMs: 300 },
      guilds: [{ channels: [{ name: 'general' }, { name: 'showcase' }] }],
      // The turntable gives the page its poster (its first frame).
      env: { PUBLIC_URL: base, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', TURNTABLE: 'on', TURNTABLE_SIZE: '64' },
    });
    bot = await world.startBot();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  /** /model3d to a processed result with its View in 3D button; returns the result and the page's URL. */
  async function viewedModel(title: string): Promise<{ jobId: number; result: FakeMessage; url: string }> {
    const image = d().hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image, title } }));
    const result = await bot.waitFor('the result with View in 3D', 40_000, () => {
      const m = d().originalMessage(rec.token);
      return buttonsOf(m).some((b) => b.label === 'View in 3D') ? m : undefined;
    });
    const url = buttonsOf(result).find((b) => b.label === 'View in 3D')!.url!;
    const jobId = Number(buttonsOf(result).find((b) => b.custom_id?.startsWith('job:delete:'))!.custom_id!.split(':')[2]);
    return { jobId, result, url };
  }

  it('a result links to its page; the page shows the model in a real browser, with AR and downloads; Delete makes it 410', async () => {
    const first = await viewedModel(HOSTILE_TITLE);
    // A link button (style 5) to PUBLIC_URL/m/<token>: 192 random bits, no job id in it.
    expect(first.url).toMatch(new RegExp(`^${base}/m/[A-Za-z0-9_-]{32}$`));
    const token = first.url.split('/').pop()!;
    expect(await world.row<{ view_token: string }>('SELECT view_token FROM jobs WHERE id = @id', { id: first.jobId })).toEqual({ view_token: token });

    // --- in Chromium ---
    // A context of its own per store: nothing cached or kept from the other store's run.
    const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const otherOrigins: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${base}/`) && !/^(data|blob):/.test(r.url())) otherOrigins.push(r.url());
    });
    const response = await page.goto(first.url);
    expect(response?.status()).toBe(200);
    // Browser-side code as text: this file is type-checked without the DOM library.
    const loaded = await page.evaluate(`new Promise((resolve) => {
      const v = document.querySelector('model-viewer');
      if (!v) return resolve('no model-viewer');
      if (v.loaded) return resolve('load');
      v.addEventListener('load', () => resolve('load'));
      v.addEventListener('error', (e) => resolve('error ' + JSON.stringify(e.detail ?? null)));
      setTimeout(() => resolve('no load event in 60 s'), 60000);
    })`);
    expect(loaded).toBe('load');
    await page.waitForFunction(`document.querySelector('model-viewer').modelIsVisible === true`);
    // A clear share of the viewer's pixels is the model, not the background (#e8eaed).
    // A page screenshot of the viewer's box (an element screenshot waits for a stable frame, which a
    // software-rendered, turning model may not give on a loaded machine).
    const box = (await page.locator('model-viewer').boundingBox())!;
    const shot = PNG.sync.read(await page.screenshot({ clip: box, timeout: 60_000 }));
    let model = 0;
    for (let i = 0; i < shot.data.length; i += 4) {
      const dr = Math.abs(shot.data[i]! - 0xe8) + Math.abs(shot.data[i + 1]! - 0xea) + Math.abs(shot.data[i + 2]! - 0xed);
      if (dr > 40) model++;
    }
    expect(model / (shot.width * shot.height)).toBeGreaterThan(0.03);
    // The member's title is text, not markup.
    expect(await page.locator('h1').textContent()).toBe(HOSTILE_TITLE);
    expect(await page.locator('h1 b, h1 img, main img').count()).toBe(0);
    expect(await page.title()).toBe(HOSTILE_TITLE);
    // AR in every mode model-viewer has; the button is there.
    expect(await page.locator('model-viewer').getAttribute('ar-modes')).toBe('webxr scene-viewer quick-look');
    expect(await page.locator('#ar-button').count()).toBe(1);
    // The link preview's tags, absolute.
    expect(await page.locator('meta[property="og:image"]').getAttribute('content')).toBe(`${first.url}/poster.png`);
    expect(await page.locator('meta[name="twitter:card"]').getAttribute('content')).toBe('summary_large_image');
    const downloads = await page.locator('a.download').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    await context.close();
    expect(consoleErrors).toEqual([]);
    expect(otherOrigins).toEqual([]);

    // --- each download is a valid file ---
    expect(downloads.map((u) => u.slice(first.url.length))).toEqual(['/original.glb', '/model.glb', '/model.stl', '/model-obj.zip']);
    const got = async (u: string) => {
      const r = await fetch(u, { signal: AbortSignal.timeout(60_000) });
      expect(r.status, u).toBe(200);
      return { r, bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const original = await got(`${first.url}/original.glb`);
    glbJson(original.bytes);
    expect(original.r.headers.get('content-disposition')).toBe('attachment; filename="btea-bimg-srcx-onerroralert1-original.glb"');
    glbJson((await got(`${first.url}/model.glb`)).bytes);
    const stl = (await got(`${first.url}/model.stl`)).bytes;
    expect(stl.length).toBe(84 + 50 * stl.readUInt32LE(80));
    expect(stl.readUInt32LE(80)).toBeGreaterThan(0);
    const zip = unzipSync(new Uint8Array((await got(`${first.url}/model-obj.zip`)).bytes));
    expect(Object.keys(zip).sort()).toEqual(expect.arrayContaining(['model.mtl', 'model.obj']));
    expect(Buffer.from(zip['model.obj']!).toString()).toMatch(/^v /m);
    // What the page shows: the web copy (meshopt) and, for Scene Viewer, the AR copy (neither meshopt nor WebP).
    expect(glbJson((await got(`${first.url}/web.glb`)).bytes).extensionsUsed).toContain('EXT_meshopt_compression');
    const ar = glbJson((await got(`${first.url}/ar.glb`)).bytes).extensionsUsed ?? [];
    expect(ar).not.toContain('EXT_meshopt_compression');
    expect(ar).not.toContain('EXT_texture_webp');

    // --- HTTP: headers, Range, ETag, HEAD ---
    const pageRes = await raw(port, `/m/${token}`);
    expect(pageRes.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(pageRes.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(pageRes.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    expect(pageRes.headers.etag).toBeTruthy();
    expect((await raw(port, `/m/${token}`, 'GET', { 'if-none-match': String(pageRes.headers.etag) })).status).toBe(304);
    const part = await raw(port, `/m/${token}/web.glb`, 'GET', { range: 'bytes=0-3' });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('glTF');
    expect(part.headers['content-range']).toMatch(/^bytes 0-3\/\d+$/);
    const full = await raw(port, `/m/${token}/web.glb`);
    expect(full.headers['content-type']).toBe('model/gltf-binary');
    expect((await raw(port, `/m/${token}/web.glb`, 'GET', { 'if-none-match': String(full.headers.etag) })).status).toBe(304);
    const head = await raw(port, `/m/${token}/web.glb`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(full.body.length));
    expect(head.body.length).toBe(0);

    // --- a second job's token serves its own files only ---
    const second = await viewedModel('Second');
    const token2 = second.url.split('/').pop()!;
    expect(token2).not.toBe(token);
    const folder = (id: number) => join(world.dir, 'files', String(id));
    expect((await raw(port, `/m/${token2}/original.glb`)).body.equals(readFileSync(join(folder(second.jobId), 'original.glb')))).toBe(true);

    // --- traversal, encoded slashes, absolute paths, unknown tokens: 404, and all alike ---
    const notFound = await raw(port, `/m/${'A'.repeat(32)}`);
    expect(notFound.status).toBe(404);
    for (const path of [
      `/m/${token2}/../${token}/original.glb`,
      `/m/${token2}/..%2F..%2F${first.jobId}%2Foriginal.glb`,
      `/m/${token2}/..%2F${first.jobId}%2Foriginal.glb`,
      `/m/${token2}/%2Fetc%2Fpasswd`,
      `/m/${token2}/%2e%2e%2foriginal.glb`,
      `/m/${token2}//etc/passwd`,
      `/m/${token2}/original.glb/..`,
      `/m/..%2F${first.jobId}/original.glb`,
      `/m/${first.jobId}`,
      `/assets/..%2F..%2Fpackage.json`,
      `/assets/../../package.json`,
      `/assets//etc/passwd`,
      `/m/${token2}/bot.sqlite`,
    ]) {
      const r = await raw(port, path);
      expect(r.status, path).toBe(404);
      expect(r.body.equals(notFound.body), path).toBe(true);
    }

    // --- Delete: the page and every file under it answer 410; the files are gone; the other job stays ---
    d().sendInteraction(d().build.button({ customId: `job:delete:${first.jobId}`, message: { id: first.result.id } }));
    await bot.waitForLog((l) => l.msg === 'result deleted' && l.jobId === first.jobId);
    const gone = await raw(port, `/m/${token}`);
    expect(gone.status).toBe(410);
    expect(gone.body.toString()).toContain('This model was removed');
    for (const file of ['web.glb', 'ar.glb', 'poster.png', 'original.glb', 'model.glb', 'model.stl', 'model-obj.zip']) {
      expect((await raw(port, `/m/${token}/${file}`)).status, file).toBe(410);
    }
    expect(existsSync(folder(first.jobId))).toBe(false);
    expect((await raw(port, `/m/${token2}`)).status).toBe(200);
  }, 180_000);

  it('a `mode: all` gallery post links to the page (it is made once the model is processed)', async () => {
    const showcase = d().guilds[0]!.channels.find((c) => c.name === 'showcase')!;
    const set = d().sendInteraction(d().build.chatInput({
      name: 'model3d-admin', subcommandGroup: 'gallery', subcommand: 'set',
      options: { channel: opt.channel({ id: showcase.id, type: 0, name: 'showcase' }), mode: 'all' } as never,
      memberPermissions: MOD_PERMS,
    }));
    await bot.waitFor('gallery set', 30_000, () => d().originalMessage(set.token)?.content.includes('<#') || undefined);
    const made = await viewedModel('Gallery');
    await bot.waitForLog((l) => l.msg === 'shared to the gallery' && l.jobId === made.jobId);
    const posts = d().messagesIn(showcase.id);
    expect(posts).toHaveLength(1);
    expect(buttonsOf(posts[0]).find((b) => b.label === 'View in 3D')?.url).toBe(made.url);
    // The post shows the processed model: the turntable on top.
    expect(posts[0]!.attachments.map((a) => a.filename).sort()).toEqual(['gallery.glb', 'turntable.gif']);
    // It was not tried while the model was being processed (that warned moderators of a post that came after all).
    expect(bot.logs().filter((l) => l.jobId === made.jobId && l.msg === 'model not posted to the gallery')).toEqual([]);
  }, 90_000);

  it('/model3d-history job: links to the same page as the result', async () => {
    const made = await viewedModel('From history');
    const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d-history', options: { job: made.jobId } }));
    const answer = await bot.waitFor('the history answer with View in 3D', 30_000, () => {
      const m = d().originalMessage(rec.token);
      return buttonsOf(m).some((b) => b.label === 'View in 3D') ? m : undefined;
    });
    expect(buttonsOf(answer).find((b) => b.label === 'View in 3D')!.url).toBe(made.url);
  }, 90_000);
});

describe('without PUBLIC_URL', () => {
  it('nothing listens and results have no View in 3D link', async () => {
    const port = await freePort();
    const world = await World.start({ timeline: { pendingMs: 100, runningMs: 300 }, env: { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' } });
    try {
      const bot = await world.startBot();
      const image = world.discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
      const rec = world.discord.sendInteraction(world.discord.build.chatInput({ name: 'model3d', options: { image } }));
      // The viewer would have started before the bot connected; the result is the bot's last word on the job.
      const result = await bot.waitFor('the result', 40_000, () => {
        const m = world.discord.originalMessage(rec.token);
        return m?.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
      });
      expect(buttonsOf(result).map((b) => b.label)).not.toContain('View in 3D');
      await expect(raw(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(bot.logs().some((l) => l.msg === 'viewer page listening')).toBe(false);
      expect(existsSync(join(world.dir, 'files', '1', 'web.glb'))).toBe(false);
    } finally {
      await world.close();
    }
  }, 90_000);
});
