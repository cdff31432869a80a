import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeTexture, MAX_TEXTURE_SIZE, textureSizeFor } from '../../src/render/texture.js';
import { SRGB8_TO_LINEAR } from '../../src/render/srgb.js';

async function checker(n: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(n * n * 3);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) raw.fill((x + y) % 2 ? 255 : 0, (y * n + x) * 3, (y * n + x) * 3 + 3);
  return sharp(raw, { raw: { width: n, height: n, channels: 3 } }).png().toBuffer();
}

const mean = (data: Float32Array, channel = 0) => {
  let sum = 0;
  for (let i = channel; i < data.length; i += 4) sum += data[i]!;
  return sum / (data.length / 4);
};

describe('decodeTexture', () => {
  it('shrinks a 2048 px PNG to 1024 px, averaging in linear light', async () => {
    const t = await decodeTexture(await checker(2048));
    expect(t).not.toBeNull();
    expect(t!.width).toBe(MAX_TEXTURE_SIZE);
    expect(t!.height).toBe(MAX_TEXTURE_SIZE);
    // Black and white texels average to linear 0.5 (a gamma-space average gives sRGB 128, linear 0.22).
    expect(mean(t!.data)).toBeGreaterThan(0.45);
    expect(mean(t!.data)).toBeLessThan(0.55);
    expect(t!.levels.map((l) => l.width)).toEqual([1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1]);
  });

  it('shrinks a 4096² JPEG while decoding, to the size the render needs', async () => {
    const jpeg = await sharp({ create: { width: 4096, height: 4096, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer();
    const t = await decodeTexture(jpeg, { maxSize: textureSizeFor(320) });
    expect([t!.width, t!.height]).toEqual([1024, 1024]);
    expect(Math.abs(mean(t!.data, 0) - SRGB8_TO_LINEAR[200]!)).toBeLessThan(0.02); // JPEG rounds colours a little
  });

  it('keeps data maps (normal, metallic-roughness, occlusion) linear: a byte of 128 is 0.502, not sRGB-decoded', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 128, g: 128, b: 255 } } }).png().toBuffer();
    const data = await decodeTexture(png, { srgb: false });
    const colour = await decodeTexture(png);
    expect(data!.data[0]).toBeCloseTo(128 / 255, 5);
    expect(data!.data[2]).toBeCloseTo(1, 5);
    expect(colour!.data[0]).toBeCloseTo(SRGB8_TO_LINEAR[128]!, 5);
  });

  it('keeps a small texture at its size, and gives null for bytes that are no image', async () => {
    expect((await decodeTexture(await checker(64)))!.width).toBe(64);
    expect(await decodeTexture(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(await decodeTexture(null)).toBeNull();
  });

  it('sizes textures by the render: about 2.5 texels per pixel, a power of two from 256 to 1024', () => {
    expect([64, 100, 200, 320, 640].map(textureSizeFor)).toEqual([256, 256, 512, 1024, 1024]);
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
