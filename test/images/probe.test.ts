import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeGuardedAgents,
  probeImage,
  validateAttachment,
  validateImageUrl,
} from '../../src/images/index.js';
import { gif, jpeg, jpegWithBigExif, png, pngHeader, webpHeader } from '../fixtures/images.js';
import { redirect, serveBytes, startServer, trickle, type TestServer } from './server.js';
import { rejectionOf } from './rejection.js';

const open = { allowPrivate: true } as const;
const MB = 1024 * 1024;

const PNG_300x200 = png(300, 200);
const JPEG_64x48 = jpeg(64, 48);
const BIG_EXIF = jpegWithBigExif(640, 480);
// ~1.3 MB of APPn segments before the SOF: never decidable within a 128 KiB cap.
const HUGE_EXIF = jpegWithBigExif(64, 48, 20);

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({
    '/a.png': serveBytes(PNG_300x200, { contentType: 'image/png' }),
    '/a.jpg': serveBytes(JPEG_64x48, { contentType: 'image/jpeg' }),
    '/exif.jpg': serveBytes(BIG_EXIF, { contentType: 'image/jpeg' }),
    '/chunked.png': serveBytes(PNG_300x200, { chunked: true, range: false }),
    '/gif.png': serveBytes(gif(64, 64), { contentType: 'image/png' }),
    '/webp.png': serveBytes(webpHeader(512, 512), { contentType: 'image/png' }),
    '/huge.png': serveBytes(pngHeader(7000, 7000), { contentType: 'image/png' }),
    '/tiny.png': serveBytes(png(10, 10), { contentType: 'image/png' }),
    '/no-ext': serveBytes(PNG_300x200, { contentType: 'text/plain' }),
    '/25mb.png': trickle(25 * MB, { prefix: pngHeader(300, 300) }),
    '/25mb-range.png': trickle(null, {
      status: 206,
      headers: { 'content-range': `bytes 0-524287/${25 * MB}` },
      prefix: pngHeader(300, 300),
    }),
    '/no-range-big.png': trickle(5 * MB, { prefix: pngHeader(300, 300) }),
    '/endless.png': trickle(null, { prefix: pngHeader(300, 300), chunk: 256 * 1024 }),
    '/no-range-exif.jpg': trickle(HUGE_EXIF.length, { prefix: HUGE_EXIF, headers: { 'content-type': 'image/jpeg' } }),
    '/slow-headers': () => {
      /* never answers */
    },
    '/slow-body': trickle(1000, { prefix: Buffer.from([0x89, 0x50]), chunk: 2, everyMs: 60_000 }),
    '/404': (_req, res) => void res.writeHead(404).end('nope'),
    '/500': (_req, res) => void res.writeHead(500).end(),
    '/r1': redirect('/a.png'),
    '/r2': redirect('/r1', 301),
    '/r3': redirect('r2', 307), // relative
    '/r4': redirect('/r3', 308),
    '/to-ftp': redirect('ftp://example.com/a.png'),
    '/to-file': redirect('file:///etc/passwd'),
    '/no-location': (_req, res) => void res.writeHead(302).end(),
  });
});
afterAll(async () => {
  await closeGuardedAgents();
  await srv.close();
});

describe('probeImage over HTTP', () => {
  it('accepts a real PNG with its dimensions and the Content-Range total', async () => {
    const r = await validateImageUrl(srv.url('/a.png'), open);
    expect(r).toEqual({ type: 'image/png', width: 300, height: 200, bytes: PNG_300x200.length, finalUrl: srv.url('/a.png') });
    expect(srv.ranges.get('/a.png')).toBe(`bytes=0-${512 * 1024 - 1}`);
  });

  it('accepts a real JPEG, and one whose SOF comes after ~192 KiB of EXIF', async () => {
    expect(await validateImageUrl(srv.url('/a.jpg'), open)).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
    expect(await validateImageUrl(srv.url('/exif.jpg'), open)).toMatchObject({
      type: 'image/jpeg',
      width: 640,
      height: 480,
      bytes: BIG_EXIF.length,
    });
  });

  it('judges by magic bytes, not name or content type', async () => {
    expect(await probeImage(srv.url('/no-ext'), open)).toMatchObject({ type: 'image/png', width: 300 });
    expect(await rejectionOf(probeImage(srv.url('/gif.png'), open))).toEqual({ code: 'unsupported_type', found: 'GIF' });
    expect(await rejectionOf(probeImage(srv.url('/webp.png'), open))).toEqual({ code: 'unsupported_type', found: 'WebP' });
  });

  it('accepts an unknown size as null (no Content-Length, no Range)', async () => {
    expect(await probeImage(srv.url('/chunked.png'), open)).toMatchObject({ width: 300, bytes: null });
    expect(await probeImage(srv.url('/chunked.png'), { ...open, knownSize: 1234 })).toMatchObject({ bytes: 1234 });
  });

  it('refuses bad dimensions', async () => {
    expect(await probeImage(srv.url('/huge.png'), open)).toMatchObject({ width: 7000, height: 7000 });
    expect(await rejectionOf(validateImageUrl(srv.url('/huge.png'), open))).toEqual({
      code: 'too_large_dimensions',
      width: 7000,
      height: 7000,
      max: 6000,
    });
    expect(await rejectionOf(validateImageUrl(srv.url('/tiny.png'), open))).toEqual({
      code: 'too_small',
      width: 10,
      height: 10,
      min: 20,
    });
  });

  it('refuses a declared 25 MB body without reading it', async () => {
    const closed = srv.nextSocketClose();
    const started = Date.now();
    expect(await rejectionOf(probeImage(srv.url('/25mb.png'), open))).toEqual({
      code: 'file_too_large',
      bytes: 25 * MB,
      max: 20 * MB,
    });
    const written = await closed;
    expect(written).toBeLessThan(1 * MB);
    expect(Date.now() - started).toBeLessThan(2000);

    const closed2 = srv.nextSocketClose();
    expect(await rejectionOf(probeImage(srv.url('/25mb-range.png'), open))).toMatchObject({
      code: 'file_too_large',
      bytes: 25 * MB,
    });
    expect(await closed2).toBeLessThan(1 * MB);
  });

  it('stops early when the server ignores Range on a big body', async () => {
    const closed = srv.nextSocketClose();
    expect(await probeImage(srv.url('/no-range-big.png'), open)).toMatchObject({ width: 300, bytes: 5 * MB });
    expect(await closed).toBeLessThan(512 * 1024);
  });

  it('reads no more than the cap when the header is not found within it', async () => {
    const cap = 128 * 1024;
    const closed = srv.nextSocketClose();
    expect(await rejectionOf(probeImage(srv.url('/no-range-exif.jpg'), { ...open, maxHeaderBytes: cap }))).toEqual({
      code: 'unreadable',
    });
    // what the server managed to write before the client hung up: the cap plus a few in-flight chunks
    expect(await closed).toBeLessThan(cap + 256 * 1024);
  });

  it('times out on a slow server', async () => {
    expect(await rejectionOf(probeImage(srv.url('/slow-headers'), { ...open, timeoutMs: 200 }))).toEqual({
      code: 'timeout',
      ms: 200,
    });
    expect(await rejectionOf(probeImage(srv.url('/slow-body'), { ...open, timeoutMs: 200 }))).toEqual({
      code: 'timeout',
      ms: 200,
    });
  });

  it('follows up to 3 redirects and refuses the 4th', async () => {
    expect(await probeImage(srv.url('/r3'), open)).toMatchObject({ width: 300, finalUrl: srv.url('/a.png') });
    expect(await rejectionOf(probeImage(srv.url('/r4'), open))).toEqual({ code: 'too_many_redirects', max: 3 });
    expect(await rejectionOf(probeImage(srv.url('/r2'), { ...open, maxRedirects: 1 }))).toEqual({
      code: 'too_many_redirects',
      max: 1,
    });
  });

  it('refuses a redirect to another scheme, or without Location', async () => {
    expect(await rejectionOf(probeImage(srv.url('/to-ftp'), open))).toEqual({ code: 'bad_scheme', scheme: 'ftp' });
    expect(await rejectionOf(probeImage(srv.url('/to-file'), open))).toEqual({ code: 'bad_scheme', scheme: 'file' });
    expect(await rejectionOf(probeImage(srv.url('/no-location'), open))).toEqual({ code: 'http_error', status: 302 });
  });

  it('maps HTTP errors and connection failures', async () => {
    expect(await rejectionOf(probeImage(srv.url('/404'), open))).toEqual({ code: 'http_error', status: 404 });
    expect(await rejectionOf(probeImage(srv.url('/500'), open))).toEqual({ code: 'http_error', status: 500 });
    const dead = await startServer({});
    const deadUrl = dead.url('/a.png');
    await dead.close();
    expect(await rejectionOf(probeImage(deadUrl, open))).toEqual({ code: 'unreachable' });
  });

  it('refuses malformed URLs and other schemes before any network', async () => {
    expect(await rejectionOf(probeImage('not a url', open))).toEqual({ code: 'invalid_url' });
    expect(await rejectionOf(probeImage('http://', open))).toEqual({ code: 'invalid_url' });
    expect(await rejectionOf(probeImage('file:///etc/passwd', open))).toEqual({ code: 'bad_scheme', scheme: 'file' });
    expect(await rejectionOf(probeImage('javascript:alert(1)', open))).toEqual({ code: 'bad_scheme', scheme: 'javascript' });
    expect(await rejectionOf(probeImage('data:image/png;base64,AAAA', open))).toEqual({ code: 'bad_scheme', scheme: 'data' });
  });
});

describe('probeImage with keepBody (the copy the bot shows)', () => {
  it('fetches the whole picture without a Range, checks those bytes and returns them', async () => {
    const r = await validateImageUrl(srv.url('/a.png'), { ...open, keepBody: true });
    expect(srv.ranges.get('/a.png')).toBeUndefined();
    expect(r).toMatchObject({ type: 'image/png', width: 300, height: 200, bytes: PNG_300x200.length });
    expect(r.body?.equals(PNG_300x200)).toBe(true);
    // A body of unknown size is counted as it comes.
    expect((await probeImage(srv.url('/chunked.png'), { ...open, keepBody: true })).bytes).toBe(PNG_300x200.length);
  });

  it('stops reading a body of undeclared size once it passes the provider\'s 20 MB', async () => {
    const closed = srv.nextSocketClose();
    const refusal = await rejectionOf(probeImage(srv.url('/endless.png'), { ...open, keepBody: true, timeoutMs: 60_000 }));
    expect(refusal).toMatchObject({ code: 'file_too_large', max: 20 * MB });
    // Refused at the first chunk past the limit.
    expect((refusal as { bytes: number }).bytes).toBeGreaterThan(20 * MB);
    expect((refusal as { bytes: number }).bytes).toBeLessThan(21 * MB);
    expect(await closed).toBeLessThan(22 * MB);
  });
});

describe('validateAttachment', () => {
  const meta = { contentType: 'image/png', size: 5000, width: 300, height: 200 };
  it('fails fast on metadata without touching the network', async () => {
    const before = srv.hitCount();
    expect(await rejectionOf(validateAttachment({ ...meta, url: srv.url('/a.png'), size: 30 * MB }, open))).toMatchObject({
      code: 'file_too_large',
    });
    expect(await rejectionOf(validateAttachment({ ...meta, url: srv.url('/a.png'), contentType: 'image/gif' }, open))).toEqual({
      code: 'unsupported_type',
      found: 'GIF',
    });
    expect(srv.hitCount()).toBe(before);
  });

  it('still checks the magic bytes, and falls back to Discord\'s size', async () => {
    expect(await rejectionOf(validateAttachment({ ...meta, url: srv.url('/gif.png') }, open))).toEqual({
      code: 'unsupported_type',
      found: 'GIF',
    });
    expect(await validateAttachment({ ...meta, url: srv.url('/chunked.png') }, open)).toMatchObject({
      width: 300,
      bytes: 5000,
    });
    expect(await validateAttachment({ ...meta, url: srv.url('/a.png') }, open)).toMatchObject({
      bytes: PNG_300x200.length,
    });
  });
});
