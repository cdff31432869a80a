import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeTexture, MAX_TEXTURE_SIZE } from '../../src/render/texture.js';

async function checker(n: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(n * n * 3);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) raw.fill((x + y) % 2 ? 255 : 0, (y * n + x) * 3, (y * n + x) * 3 + 3);
  return sharp(raw, { raw: { width: n, height: n, channels: 3 } }).png().toBuffer();
}

describe('decodeTexture', () => {
  it('shrinks a 2048 px texture to 1024 px, averaging in linear light', async () => {
    const t = await decodeTexture(await checker(2048));
    expect(t).not.toBeNull();
    expect(t!.width).toBe(MAX_TEXTURE_SIZE);
    expect(t!.height).toBe(MAX_TEXTURE_SIZE);
    // Black and white texels average to linear 0.5 (a gamma-space average gives sRGB 128, linear 0.22).
    let sum = 0;
    for (let i = 0; i < t!.data.length; i += 4) sum += t!.data[i]!;
    expect(sum / (t!.data.length / 4)).toBeGreaterThan(0.45);
    expect(sum / (t!.data.length / 4)).toBeLessThan(0.55);
    expect(t!.levels.map((l) => l.width)).toEqual([1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1]);
  });

  it('keeps a small texture at its size, and gives null for bytes that are no image', async () => {
    expect((await decodeTexture(await checker(64)))!.width).toBe(64);
    expect(await decodeTexture(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(await decodeTexture(null)).toBeNull();
  });
});

describe('decodeTexture, other pixel formats', () => {
  it('reads greyscale and 16-bit PNGs as 8-bit RGBA', async () => {
    const grey = await sharp(Buffer.alloc(16 * 16, 200), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    const g = await decodeTexture(grey);
    expect(g!.width).toBe(16);
    expect(g!.data[0]).toBeCloseTo(g!.data[1]!, 5);
    expect(Math.round(g!.data[3]! * 255)).toBe(255);
    const deep = await sharp(Buffer.alloc(16 * 16 * 3, 128), { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const d = await decodeTexture(deep);
    expect(d!.width).toBe(16);
    expect(Math.round(d!.data[3]! * 255)).toBe(255);
  });
});
