import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddressPolicy, closeGuardedAgents, downloadToFile, isPublicAddress } from '../../src/images/index.js';
import { redirect, serveBytes, startServer, trickle, type TestServer } from './server.js';

const BODY = Buffer.alloc(300 * 1024);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 31) & 0xff;

let srv: TestServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model3d-dl-'));
  srv = await startServer({
    '/model.glb': serveBytes(BODY, { range: false }),
    '/chunked.glb': serveBytes(BODY, { range: false, chunked: true }),
    '/moved': redirect('/model.glb'),
    '/big-declared': trickle(50 * 1024 * 1024, { chunk: 64 * 1024, everyMs: 5 }),
    '/stalls': trickle(1024 * 1024, { chunk: 16 * 1024, everyMs: 60_000 }),
    '/reset': (_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 20);
    },
    '/403': (_req, res) => void res.writeHead(403).end('expired'),
  });
});
afterAll(async () => {
  await closeGuardedAgents();
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

const opts = { maxBytes: 1024 * 1024, timeoutMs: 2000, allowPrivate: true };

async function filesIn(d: string): Promise<string[]> {
  return readdir(d).catch(() => []);
}

describe('downloadToFile', () => {
  it('streams to the destination, creating its directory', async () => {
    const dest = join(dir, 'job1', 'nested', 'model.glb');
    expect(await downloadToFile(srv.url('/model.glb'), dest, opts)).toEqual({ ok: true, bytes: BODY.length });
    expect((await readFile(dest)).equals(BODY)).toBe(true);
    expect(await filesIn(join(dir, 'job1', 'nested'))).toEqual(['model.glb']);
  });

  it('handles chunked bodies and redirects', async () => {
    const a = join(dir, 'job2', 'a.glb');
    const b = join(dir, 'job2', 'b.glb');
    expect(await downloadToFile(srv.url('/chunked.glb'), a, opts)).toEqual({ ok: true, bytes: BODY.length });
    expect(await downloadToFile(srv.url('/moved'), b, opts)).toEqual({ ok: true, bytes: BODY.length });
    expect((await readFile(b)).equals(BODY)).toBe(true);
  });

  it('refuses a Content-Length above the cap without reading the body', async () => {
    const dest = join(dir, 'job3', 'model.glb');
    const closed = srv.nextSocketClose();
    expect(await downloadToFile(srv.url('/big-declared'), dest, opts)).toEqual({
      ok: false,
      reason: 'too_large',
      bytes: 50 * 1024 * 1024,
    });
    expect(await closed).toBeLessThan(2 * 1024 * 1024);
    expect(await filesIn(join(dir, 'job3'))).toEqual([]);
  });

  it('aborts a body that grows past the cap and removes the partial file', async () => {
    const dest = join(dir, 'job4', 'model.glb');
    const r = await downloadToFile(srv.url('/chunked.glb'), dest, { ...opts, maxBytes: 100 * 1024 });
    expect(r).toMatchObject({ ok: false, reason: 'too_large' });
    expect(r.ok === false && r.bytes! > 100 * 1024).toBe(true);
    expect(await filesIn(join(dir, 'job4'))).toEqual([]);
  });

  it('times out on a stalled body and removes the partial file', async () => {
    const dest = join(dir, 'job5', 'preview.webp');
    const started = Date.now();
    expect(await downloadToFile(srv.url('/stalls'), dest, { ...opts, timeoutMs: 200 })).toEqual({
      ok: false,
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await filesIn(join(dir, 'job5'))).toEqual([]);
  });

  it('reports HTTP errors and broken connections', async () => {
    const dest = join(dir, 'job6', 'x.glb');
    expect(await downloadToFile(srv.url('/403'), dest, opts)).toEqual({ ok: false, reason: 'http_error', status: 403 });
    expect(await downloadToFile(srv.url('/reset'), dest, opts)).toEqual({ ok: false, reason: 'network' });
    const dead = await startServer({});
    const url = dead.url('/x');
    await dead.close();
    expect(await downloadToFile(url, dest, opts)).toEqual({ ok: false, reason: 'network' });
    expect(await filesIn(join(dir, 'job6'))).toEqual([]);
  });

  it('treats a zero or negative budget as too large', async () => {
    const dest = join(dir, 'job7', 'x.glb');
    expect(await downloadToFile(srv.url('/model.glb'), dest, { ...opts, maxBytes: 0 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
    expect(await filesIn(join(dir, 'job7'))).toEqual([]);
  });
});

describe('downloadToFile: result links are guarded like image URLs (allowPrivate: false)', () => {
  let pub: TestServer; // 127.0.0.1, plays the provider's public CDN (through the test policy)
  let inner: TestServer; // 127.0.0.2, plays an internal service
  // Honest seam, as in ssrf.test.ts: the guard is unchanged; the test declares 127.0.0.1 public
  // and answers DNS for two names.
  const policy: AddressPolicy = {
    isAllowed: (ip) => ip === '127.0.0.1' || isPublicAddress(ip),
    resolve: async (name) => {
      const table: Record<string, string> = { 'cdn.example': '127.0.0.1', 'internal.example': '127.0.0.2' };
      const address = table[name];
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [{ address, family: 4 }];
    },
  };
  const guarded = { maxBytes: 1024 * 1024, timeoutMs: 2000, allowPrivate: false, addressPolicy: policy };

  beforeAll(async () => {
    inner = await startServer({ '/secret.glb': serveBytes(BODY, { range: false }) }, '127.0.0.2');
    pub = await startServer({
      '/model.glb': serveBytes(BODY, { range: false }),
      '/to-literal': redirect(`http://127.0.0.2:${inner.port}/secret.glb`),
      '/to-name': redirect(`http://internal.example:${inner.port}/secret.glb`),
      '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/'),
      '/to-file': redirect('file:///etc/passwd'),
      '/r1': redirect('/r2'),
      '/r2': redirect('/r3'),
      '/r3': redirect('/r4'),
      '/r4': redirect('/model.glb'),
    });
  });
  afterAll(async () => {
    await pub.close();
    await inner.close();
  });

  const cdn = (path: string) => `http://cdn.example:${pub.port}${path}`;

  it('downloads from an allowed address, and follows 3 redirects (the limit)', async () => {
    expect(await downloadToFile(cdn('/model.glb'), join(dir, 'g1', 'a.glb'), guarded)).toEqual({ ok: true, bytes: BODY.length });
    expect(await downloadToFile(cdn('/r2'), join(dir, 'g1', 'b.glb'), guarded)).toEqual({ ok: true, bytes: BODY.length });
  });

  it('refuses a link that points at a private address, with no connection and no file', async () => {
    const before = inner.connections();
    for (const url of [`http://127.0.0.2:${inner.port}/secret.glb`, `http://internal.example:${inner.port}/secret.glb`, 'http://10.1.2.3/x.glb']) {
      expect(await downloadToFile(url, join(dir, 'g2', 'x.glb'), guarded), url).toEqual({ ok: false, reason: 'private_address' });
    }
    // The production policy (no test seam) refuses loopback too.
    const real = { maxBytes: 1024 * 1024, timeoutMs: 2000, allowPrivate: false };
    expect(await downloadToFile(srv.url('/model.glb'), join(dir, 'g2', 'y.glb'), real)).toEqual({ ok: false, reason: 'private_address' });
    expect(await downloadToFile(`http://localhost:${srv.port}/model.glb`, join(dir, 'g2', 'y.glb'), real)).toEqual({
      ok: false,
      reason: 'private_address',
    });
    expect(inner.connections()).toBe(before);
    expect(await filesIn(join(dir, 'g2'))).toEqual([]);
  });

  it.each(['/to-literal', '/to-name', '/to-metadata'])('refuses a redirect to a private address (%s); it is never fetched', async (path) => {
    const before = inner.connections();
    expect(await downloadToFile(cdn(path), join(dir, 'g3', 'x.glb'), guarded)).toEqual({ ok: false, reason: 'private_address' });
    expect(pub.hitCount(path)).toBeGreaterThan(0);
    expect(inner.connections()).toBe(before);
    expect(inner.hitCount()).toBe(0);
  });

  it('refuses other schemes, directly or by redirect, and a 4th redirect', async () => {
    expect(await downloadToFile('ftp://cdn.example/x.glb', join(dir, 'g4', 'x.glb'), guarded)).toEqual({ ok: false, reason: 'bad_scheme' });
    expect(await downloadToFile(cdn('/to-file'), join(dir, 'g4', 'x.glb'), guarded)).toEqual({ ok: false, reason: 'bad_scheme' });
    const before = pub.hitCount('/model.glb');
    expect(await downloadToFile(cdn('/r1'), join(dir, 'g4', 'x.glb'), guarded)).toEqual({ ok: false, reason: 'too_many_redirects' });
    expect(pub.hitCount('/model.glb')).toBe(before);
    expect(await filesIn(join(dir, 'g4'))).toEqual([]);
  });

  it('still caps the bytes', async () => {
    expect(await downloadToFile(cdn('/model.glb'), join(dir, 'g5', 'x.glb'), { ...guarded, maxBytes: 1000 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });
});
