// Base-colour textures: decoded once into a linear-light copy of at most MAX_TEXTURE_SIZE px, sampled bilinearly.
import sharp from 'sharp';
import { DECODE_LIMITS } from '../domain/model-limits.js';
import { SRGB8_TO_LINEAR } from './srgb.js';
import type { Wrap } from './scene.js';

export const MAX_TEXTURE_SIZE = 1024;

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
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(src.height - 1, y * 2), y1 = Math.min(src.height - 1, y * 2 + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.min(src.width - 1, x * 2), x1 = Math.min(src.width - 1, x * 2 + 1);
      const a = (y0 * src.width + x0) * 4, b = (y0 * src.width + x1) * 4;
      const c = (y1 * src.width + x0) * 4, d = (y1 * src.width + x1) * 4;
      const o = (y * width + x) * 4;
      for (let k = 0; k < 4; k++) data[o + k] = (src.data[a + k]! + src.data[b + k]! + src.data[c + k]! + src.data[d + k]!) / 4;
    }
  }
  return { width, height, data };
}

/** A texture from sRGB-encoded RGBA bytes. */
export function textureFromRgba8(width: number, height: number, rgba: Uint8Array): Texture {
  const data = new Float32Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = SRGB8_TO_LINEAR[rgba[i]!]!;
    data[i + 1] = SRGB8_TO_LINEAR[rgba[i + 1]!]!;
    data[i + 2] = SRGB8_TO_LINEAR[rgba[i + 2]!]!;
    data[i + 3] = rgba[i + 3]! / 255; // alpha is not gamma-encoded
  }
  const levels: TextureLevel[] = [{ width, height, data }];
  for (let l = levels[0]!; l.width > 1 || l.height > 1; ) levels.push((l = halve(l)));
  return { width, height, data, levels };
}

/**
 * Decodes PNG, JPEG or WebP bytes and shrinks them to fit MAX_TEXTURE_SIZE. Returns null for anything
 * sharp cannot read (KTX2, a corrupt or absent image): the material's colour factor is used instead.
 */
export async function decodeTexture(bytes: Uint8Array | null, maxSize = MAX_TEXTURE_SIZE): Promise<Texture | null> {
  if (!bytes || bytes.length === 0) return null;
  try {
    let image = sharp(bytes, { failOn: 'error', ...DECODE_LIMITS });
    const { width = 0, height = 0 } = await image.metadata();
    if (width > maxSize || height > maxSize) {
      // gamma() makes the shrink average in (approximately) linear light, as the mip levels do.
      image = image.gamma().resize(maxSize, maxSize, { fit: 'inside' });
    }
    // 8-bit RGBA whatever came in (greyscale, palette, 16-bit).
    const { data, info } = await image.toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) return null;
    return textureFromRgba8(info.width, info.height, data);
  } catch {
    return null;
  }
}

function wrap(i: number, n: number, mode: Wrap): number {
  if (mode === 'clamp') return i < 0 ? 0 : i >= n ? n - 1 : i;
  if (mode === 'repeat') return ((i % n) + n) % n;
  const m = ((i % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

const second = new Float32Array(4);

/**
 * Trilinear sample: bilinear in the two mip levels around `lod` (log2 of texels per pixel), blended.
 * Minified textures are filtered instead of aliasing into moiré that crawls from frame to frame.
 */
export function sampleTexture(t: Texture, u: number, v: number, lod: number, wrapS: Wrap, wrapT: Wrap, out: Float32Array): void {
  if (!(lod > 0)) return sampleBilinear(t, u, v, wrapS, wrapT, out);
  const last = t.levels.length - 1;
  if (lod >= last) return sampleBilinear(t.levels[last]!, u, v, wrapS, wrapT, out);
  const l = Math.floor(lod), f = lod - l;
  sampleBilinear(t.levels[l]!, u, v, wrapS, wrapT, out);
  if (f === 0) return;
  sampleBilinear(t.levels[l + 1]!, u, v, wrapS, wrapT, second);
  for (let k = 0; k < 4; k++) out[k] = out[k]! * (1 - f) + second[k]! * f;
}

/** Bilinear sample at (u, v) into out[0..3] (linear RGBA). Texel centres sit at (i + 0.5) / size. */
export function sampleBilinear(t: TextureLevel, u: number, v: number, wrapS: Wrap, wrapT: Wrap, out: Float32Array): void {
  const x = u * t.width - 0.5;
  const y = v * t.height - 0.5;
  // NaN UVs (broken data) would poison every index: treat them as 0.
  const fx0 = Math.floor(x) || 0;
  const fy0 = Math.floor(y) || 0;
  const fx = x - fx0 || 0;
  const fy = y - fy0 || 0;
  const x0 = wrap(fx0, t.width, wrapS), x1 = wrap(fx0 + 1, t.width, wrapS);
  const y0 = wrap(fy0, t.height, wrapT), y1 = wrap(fy0 + 1, t.height, wrapT);
  const d = t.data;
  const a = (y0 * t.width + x0) * 4, b = (y0 * t.width + x1) * 4;
  const c = (y1 * t.width + x0) * 4, e = (y1 * t.width + x1) * 4;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  for (let k = 0; k < 4; k++) out[k] = d[a + k]! * w00 + d[b + k]! * w10 + d[c + k]! * w01 + d[e + k]! * w11;
}
