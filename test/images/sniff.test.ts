import { describe, expect, it } from 'vitest';
import {
  checkAttachmentMetadata,
  checkLimits,
  IMAGE_LIMITS,
  ImageRejectedError,
  type ImageRejection,
  sniffImage,
} from '../../src/images/index.js';
import { bmpHeader, gif, jpeg, jpegWithBigExif, png, pngHeader, sofOffset, webpHeader } from '../fixtures/images.js';

function rejectionOf(fn: () => unknown): ImageRejection {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return (err as ImageRejectedError).rejection;
  }
  throw new Error('expected a rejection');
}

/** Tiny GIF LZW decoder: proves the GIF fixture is a real, decodable image. */
function decodeGifPixelCount(b: Buffer): number {
  let i = 13 + (b[10]! & 0x80 ? 3 * (1 << ((b[10]! & 7) + 1)) : 0);
  expect(b[i]).toBe(0x2c);
  i += 10;
  const minSize = b[i++]!;
  const data: number[] = [];
  while (b[i]! > 0) {
    const n = b[i]!;
    data.push(...b.subarray(i + 1, i + 1 + n));
    i += n + 1;
  }
  expect(b[i + 1]).toBe(0x3b);
  const clear = 1 << minSize;
  const eoi = clear + 1;
  let size = minSize + 1;
  let dict: number[][] = [];
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, k) => [k]);
    size = minSize + 1;
  };
  reset();
  let prev: number[] | null = null;
  let pixels = 0;
  let bitPos = 0;
  for (;;) {
    let code = 0;
    for (let k = 0; k < size; k++, bitPos++) code |= ((data[bitPos >> 3]! >> (bitPos & 7)) & 1) << k;
    if (code === clear) {
      reset();
      prev = null;
      continue;
    }
    if (code === eoi) return pixels;
    const entry: number[] = dict[code] ?? [...prev!, prev![0]!];
    pixels += entry.length;
    if (prev) dict.push([...prev, entry[0]!]);
    if (dict.length === 1 << size && size < 12) size++;
    prev = entry;
  }
}

describe('fixtures', () => {
  it('produces a decodable GIF of the requested size', () => {
    expect(decodeGifPixelCount(gif(33, 21))).toBe(33 * 21);
    expect(decodeGifPixelCount(gif(8, 8))).toBe(64);
  });
  it('puts the JPEG SOF after >192 KiB of APPn segments', () => {
    expect(sofOffset(jpegWithBigExif(64, 48))).toBeGreaterThan(192 * 1024);
  });
});

describe('sniffImage', () => {
  it('reads PNG and JPEG dimensions from the magic bytes and header', () => {
    expect(sniffImage(png(300, 200))).toEqual({ kind: 'image', type: 'image/png', found: 'PNG', width: 300, height: 200 });
    expect(sniffImage(jpeg(64, 48))).toEqual({ kind: 'image', type: 'image/jpeg', found: 'JPEG', width: 64, height: 48 });
    expect(sniffImage(pngHeader(7000, 7000))).toMatchObject({ kind: 'image', width: 7000, height: 7000 });
  });

  it('works on a header prefix and asks for more when it is too short', () => {
    const p = png(300, 200);
    expect(sniffImage(p.subarray(0, 24))).toMatchObject({ kind: 'image', width: 300 });
    expect(sniffImage(p.subarray(0, 10))).toEqual({ kind: 'need_more', type: 'image/png', found: 'PNG', minBytes: 24 });
    expect(sniffImage(p.subarray(0, 4))).toMatchObject({ kind: 'need_more', minBytes: 8 });
    expect(sniffImage(new Uint8Array())).toMatchObject({ kind: 'need_more', found: 'unknown' });
  });

  it('skips a large EXIF segment, reporting how many bytes it needs', () => {
    const j = jpegWithBigExif(64, 48);
    let have = 100;
    let steps = 0;
    for (;;) {
      const r = sniffImage(j.subarray(0, have));
      if (r.kind !== 'need_more') {
        expect(r).toMatchObject({ kind: 'image', width: 64, height: 48 });
        break;
      }
      expect(r.minBytes).toBeGreaterThan(have);
      have = r.minBytes;
      steps++;
    }
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(have).toBeLessThanOrEqual(sofOffset(j) + 9);
  });

  it('names other formats by their bytes', () => {
    expect(sniffImage(gif(30, 30))).toEqual({ kind: 'unsupported', type: 'other', found: 'GIF' });
    expect(sniffImage(webpHeader(300, 300))).toMatchObject({ kind: 'unsupported', found: 'WebP' });
    expect(sniffImage(bmpHeader(300, 300))).toMatchObject({ kind: 'unsupported', found: 'BMP' });
    expect(sniffImage(Buffer.from('<html><body>not an image at all, just some html</body></html>'))).toMatchObject({
      kind: 'unsupported',
    });
    expect(sniffImage(Buffer.from('plain text that is long enough to decide on'))).toMatchObject({
      kind: 'unsupported',
      found: 'unknown',
    });
  });

  it('makes need_more final when the bytes are the whole file', () => {
    expect(sniffImage(png(30, 30).subarray(0, 12), { complete: true })).toMatchObject({ kind: 'unreadable', found: 'PNG' });
    expect(sniffImage(Buffer.from('short'), { complete: true })).toMatchObject({ kind: 'unsupported', found: 'unknown' });
  });

  it('reports corrupt PNG/JPEG headers as unreadable', () => {
    const p = Buffer.from(png(30, 30));
    p.write('IDAT', 12, 'ascii');
    expect(sniffImage(p)).toMatchObject({ kind: 'unreadable', type: 'image/png' });
    // SOI then SOS before any frame header
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0]))).toMatchObject({ kind: 'unreadable' });
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]))).toMatchObject({ kind: 'unreadable' });
  });
});

describe('checkLimits', () => {
  const ok = { type: 'image/png' as const, width: 512, height: 512, bytes: 1000 };
  it('accepts a picture within every limit, and an unknown size', () => {
    expect(() => checkLimits(ok)).not.toThrow();
    expect(() => checkLimits({ ...ok, bytes: null })).not.toThrow();
    expect(() => checkLimits({ ...ok, width: 20, height: 6000, bytes: IMAGE_LIMITS.maxBytes })).not.toThrow();
  });
  it('checks type, then size, then dimensions', () => {
    expect(rejectionOf(() => checkLimits({ type: 'other', found: 'GIF', width: 5, height: 5, bytes: 1e9 }))).toEqual({
      code: 'unsupported_type',
      found: 'GIF',
    });
    expect(rejectionOf(() => checkLimits({ ...ok, width: 5, bytes: IMAGE_LIMITS.maxBytes + 1 }))).toEqual({
      code: 'file_too_large',
      bytes: IMAGE_LIMITS.maxBytes + 1,
      max: 20 * 1024 * 1024,
    });
    expect(rejectionOf(() => checkLimits({ ...ok, width: 10, height: 10 }))).toEqual({
      code: 'too_small',
      width: 10,
      height: 10,
      min: 20,
    });
    expect(rejectionOf(() => checkLimits({ ...ok, width: 7000, height: 100 }))).toEqual({
      code: 'too_large_dimensions',
      width: 7000,
      height: 100,
      max: 6000,
    });
  });
  it('has a developer message', () => {
    const err = new ImageRejectedError({ code: 'http_error', status: 404 });
    expect(err.message).toMatch(/404/);
    expect(err.name).toBe('ImageRejectedError');
  });
});

describe('checkAttachmentMetadata', () => {
  const meta = { contentType: 'image/png', size: 50_000, width: 800, height: 600 };
  it('passes plausible metadata and always asks for the magic-byte probe', () => {
    expect(checkAttachmentMetadata(meta)).toEqual({ needsProbe: true });
    expect(checkAttachmentMetadata({ ...meta, contentType: 'image/jpeg; charset=binary' })).toEqual({ needsProbe: true });
    expect(checkAttachmentMetadata({ contentType: null, size: 1, width: null, height: null })).toEqual({ needsProbe: true });
    expect(checkAttachmentMetadata({ ...meta, contentType: 'application/octet-stream' })).toEqual({ needsProbe: true });
  });
  it('refuses a content type that is clearly something else', () => {
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, contentType: 'image/gif' }))).toEqual({
      code: 'unsupported_type',
      found: 'GIF',
    });
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, contentType: 'image/webp' }))).toMatchObject({ found: 'WebP' });
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, contentType: 'video/mp4' }))).toMatchObject({ found: 'MP4' });
  });
  it('refuses size and dimensions before any network', () => {
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, size: 25 * 1024 * 1024 }))).toMatchObject({
      code: 'file_too_large',
    });
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, width: 10, height: 10 }))).toMatchObject({ code: 'too_small' });
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, width: 6001 }))).toMatchObject({
      code: 'too_large_dimensions',
    });
    // type first, then size
    expect(rejectionOf(() => checkAttachmentMetadata({ ...meta, contentType: 'image/gif', size: 1e9 }))).toMatchObject({
      code: 'unsupported_type',
    });
  });
});
