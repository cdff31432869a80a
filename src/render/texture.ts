// Textures: decoded once, at a size suited to the render, into a linear-light copy with its mip chain,
// sampled trilinearly. Colour maps (base colour, emission) are sRGB-encoded; data maps (normal,
// metallic-roughness, occlusion) are linear already and are not converted.
import sharp from 'sharp';
import { DECODE_LIMITS } from '../domain/model-limits.js';
import { SRGB8_TO_LINEAR } from './srgb.js';

export type Wrap = 'repeat' | 'clamp' | 'mirror';

/** The largest copy kept, whatever the render size. */
export const MAX_TEXTURE_SIZE = 1024;

/**
 * The texture size a render of `size` px needs: a model fills most of the frame and shows about half of
 * its surface, so about 2.5 texels a pixel across, to the next power of two (1024 for 320 px, 512 for 200 px).
 */
export function textureSizeFor(size: number): number {
  const wanted = 2 ** Math.ceil(Math.log2(Math.max(1, size * 2.5)));
  return Math.min(MAX_TEXTURE_SIZE, Math.max(256, wanted));
}

export interface TextureLevel {
  width: number;
  height: number;
  /** Linear RGBA, row-major from the top-left texel (glTF's UV origin). */
  data: Float32Array;
}

/** A texture and its mip chain (levels[0] is the full copy, each next level half the size, down to 1×1). */
export interface Texture extends TextureLevel {
  levels: TextureLevel[];
}

/** Halves a level with a 2×2 box filter in linear light (an odd last row or column is folded in). */
function halve(src: TextureLevel): TextureLevel {
  const width = Math.max(1, src.width >> 1), height = Math.max(1, src.height >> 1);
  const data = new Float32Array(width * height * 4);
  const s = src.data;
  for (let y = 0; y < height; y++) {
    const r0 = Math.min(src.height - 1, y * 2) * src.width, r1 = Math.min(src.height - 1, y * 2 + 1) * src.width;
    for (let x = 0; x < width; x++) {
      const x0 = Math.min(src.width - 1, x * 2), x1 = Math.min(src.width - 1, x * 2 + 1);
      const a = (r0 + x0) * 4, b = (r0 + x1) * 4, c = (r1 + x0) * 4, d = (r1 + x1) * 4;
      const o = (y * width + x) * 4;
      data[o] = (s[a]! + s[b]! + s[c]! + s[d]!) * 0.25;
      data[o + 1] = (s[a + 1]! + s[b + 1]! + s[c + 1]! + s[d + 1]!) * 0.25;
      data[o + 2] = (s[a + 2]! + s[b + 2]! + s[c + 2]! + s[d + 2]!) * 0.25;
      data[o + 3] = (s[a + 3]! + s[b + 3]! + s[c + 3]! + s[d + 3]!) * 0.25;
    }
  }
  return { width, height, data };
}

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** A texture from RGBA bytes: sRGB-encoded colour (`srgb`), or linear data. Alpha is never gamma-encoded. */
export function textureFromRgba8(width: number, height: number, rgba: Uint8Array, srgb = true): Texture {
  const data = new Float32Array(width * height * 4);
  const lut = srgb ? SRGB8_TO_LINEAR : BYTE_TO_UNIT;
  for (let i = 0; i < data.length; i += 4) {
    data[i] = lut[rgba[i]!]!;
    data[i + 1] = lut[rgba[i + 1]!]!;
    data[i + 2] = lut[rgba[i + 2]!]!;
    data[i + 3] = BYTE_TO_UNIT[rgba[i + 3]!]!;
  }
  const levels: TextureLevel[] = [{ width, height, data }];
  for (let l = levels[0]!; l.width > 1 || l.height > 1; ) levels.push((l = halve(l)));
  return { width, height, data, levels };
}

export interface DecodeOptions {
  /** Largest width or height kept. */
  maxSize?: number;
  /** Colour (sRGB-encoded) or data (linear). */
  srgb?: boolean;
}

/**
 * Decodes PNG, JPEG or WebP bytes at no more than `maxSize`. JPEG and WebP are shrunk while decoding
 * (libjpeg's DCT scaling: a 4096² map decodes to 1024² for a fraction of a full decode); that shrink
 * averages in the encoded space, which for colour maps darkens high-contrast detail a little. Other
 * formats are shrunk after decoding, colour maps in linear light. Returns null for anything sharp
 * cannot read (KTX2, a corrupt or absent image): the material's factors are used instead.
 */
export async function decodeTexture(bytes: Uint8Array | null, options: DecodeOptions = {}): Promise<Texture | null> {
  const { maxSize = MAX_TEXTURE_SIZE, srgb = true } = options;
  if (!bytes || bytes.length === 0) return null;
  try {
    let image = sharp(bytes, { failOn: 'error', ...DECODE_LIMITS });
    const { width = 0, height = 0, format } = await image.metadata();
    if (width > maxSize || height > maxSize) {
      const shrinksOnLoad = format === 'jpeg' || format === 'webp';
      // gamma() makes the shrink average in (approximately) linear light, but turns shrink-on-load off.
      if (srgb && !shrinksOnLoad) image = image.gamma();
      image = image.resize(maxSize, maxSize, { fit: 'inside' });
    }
    // 8-bit RGBA whatever came in (greyscale, palette, 16-bit).
    const { data, info } = await image.toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) return null;
    return textureFromRgba8(info.width, info.height, data, srgb);
  } catch {
    return null;
  }
}

function wrap(i: number, n: number, mode: Wrap): number {
  if (mode === 'repeat') {
    if (i >= 0 && i < n) return i;
    const m = i % n;
    return m < 0 ? m + n : m;
  }
  if (mode === 'clamp') return i < 0 ? 0 : i >= n ? n - 1 : i;
  const m = ((i % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

const second = new Float32Array(4);

/**
 * Trilinear sample at `at` = (u, v, lod: log2 of texels per pixel of levels[0]) into out[0..3]: bilinear
 * in the two mip levels around lod, blended. Minified textures are filtered instead of aliasing into moiré
 * that crawls from frame to frame. (Coordinates come in an array: V8 boxes every double passed to a call
 * it does not inline, and this runs for every shaded pixel.)
 */
export function sampleTexture(t: Texture, at: Float64Array, wrapS: Wrap, wrapT: Wrap, out: Float32Array): void {
  const lod = at[2]!;
  if (!(lod > 0)) return bilinear(t, at, wrapS, wrapT, out);
  const last = t.levels.length - 1;
  if (lod >= last) return bilinear(t.levels[last]!, at, wrapS, wrapT, out);
  const l = Math.floor(lod), f = lod - l;
  // Within a tenth of a level of one, that level alone (the blend would not show; it halves the reads).
  if (f < 0.1 || f > 0.9) return bilinear(t.levels[f < 0.1 ? l : l + 1]!, at, wrapS, wrapT, out);
  bilinear(t.levels[l]!, at, wrapS, wrapT, out);
  bilinear(t.levels[l + 1]!, at, wrapS, wrapT, second);
  out[0] = out[0]! + (second[0]! - out[0]!) * f;
  out[1] = out[1]! + (second[1]! - out[1]!) * f;
  out[2] = out[2]! + (second[2]! - out[2]!) * f;
  out[3] = out[3]! + (second[3]! - out[3]!) * f;
}

/** Bilinear sample at (u, v) = at[0..1] into out[0..3] (linear RGBA). Texel centres sit at (i + 0.5) / size. */
function bilinear(t: TextureLevel, at: Float64Array, wrapS: Wrap, wrapT: Wrap, out: Float32Array): void {
  const x = at[0]! * t.width - 0.5;
  const y = at[1]! * t.height - 0.5;
  // NaN UVs (broken data) would poison every index: treat them as 0.
  const fx0 = Math.floor(x) || 0;
  const fy0 = Math.floor(y) || 0;
  const fx = x - fx0 || 0;
  const fy = y - fy0 || 0;
  const x0 = wrap(fx0, t.width, wrapS), x1 = wrap(fx0 + 1, t.width, wrapS);
  const y0 = wrap(fy0, t.height, wrapT) * t.width, y1 = wrap(fy0 + 1, t.height, wrapT) * t.width;
  const d = t.data;
  const a = (y0 + x0) * 4, b = (y0 + x1) * 4, c = (y1 + x0) * 4, e = (y1 + x1) * 4;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  out[0] = d[a]! * w00 + d[b]! * w10 + d[c]! * w01 + d[e]! * w11;
  out[1] = d[a + 1]! * w00 + d[b + 1]! * w10 + d[c + 1]! * w01 + d[e + 1]! * w11;
  out[2] = d[a + 2]! * w00 + d[b + 2]! * w10 + d[c + 2]! * w01 + d[e + 2]! * w11;
  out[3] = d[a + 3]! * w00 + d[b + 3]! * w10 + d[c + 3]! * w01 + d[e + 3]! * w11;
}
