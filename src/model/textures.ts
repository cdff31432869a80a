import type { Document, Texture } from '@gltf-transform/core';
import { ImageUtils } from '@gltf-transform/core';
import sharp from 'sharp';
import { DECODE_LIMITS } from './limits.js';

export const JPEG_QUALITY = 85;
/** Formats every glTF viewer and Blender open; WebP and KTX2 are never written. */
const READABLE = new Set(['image/png', 'image/jpeg', 'image/webp']);

/** True when some pixel is not fully opaque (an alpha channel that is all 255 does not count). */
async function hasRealAlpha(image: Uint8Array): Promise<boolean> {
  const img = sharp(image, DECODE_LIMITS);
  const meta = await img.metadata();
  if (!meta.hasAlpha) return false;
  return !(await img.stats()).isOpaque;
}

/**
 * Runs `step` on each texture in turn and counts those it changed. One at a time: a model's textures
 * decoded side by side would hold all their pixels at once.
 */
async function oneAfterAnother(doc: Document, step: (tex: Texture) => Promise<boolean>): Promise<number> {
  let changed = 0;
  for (const tex of doc.getRoot().listTextures()) if (await step(tex)) changed++;
  return changed;
}

function rename(tex: Texture, ext: string): void {
  const uri = tex.getURI();
  if (uri) tex.setURI(uri.replace(/\.[a-z0-9]+$/i, '') + ext);
}

/**
 * Ladder step 2: every texture without real alpha becomes a JPEG at quality 85; textures with
 * real alpha stay (or become) PNG. Returns how many textures changed.
 */
export async function texturesToJpeg(doc: Document): Promise<number> {
  return oneAfterAnother(doc, textureToJpeg);
}

async function textureToJpeg(tex: Texture): Promise<boolean> {
  const image = tex.getImage();
  const mime = tex.getMimeType();
  if (!image || !READABLE.has(mime) || mime === 'image/jpeg') return false;
  if (await hasRealAlpha(image)) {
    if (mime === 'image/png') return false;
    tex.setImage(new Uint8Array(await sharp(image, DECODE_LIMITS).png({ compressionLevel: 9 }).toBuffer())).setMimeType('image/png');
    rename(tex, '.png');
  } else {
    const jpeg = await sharp(image, DECODE_LIMITS).removeAlpha().jpeg({ quality: JPEG_QUALITY }).toBuffer();
    tex.setImage(new Uint8Array(jpeg)).setMimeType('image/jpeg');
    rename(tex, '.jpg');
  }
  return true;
}

/** Largest texture side in the document, in px. */
export function largestTextureSide(doc: Document): number {
  let max = 0;
  for (const tex of doc.getRoot().listTextures()) {
    const image = tex.getImage();
    const size = image ? ImageUtils.getSize(image, tex.getMimeType()) : null;
    if (size) max = Math.max(max, size[0], size[1]);
  }
  return max;
}

/** Ladder step 3: textures larger than `maxSide` are scaled down to fit it, keeping their format. */
export async function downscaleTextures(doc: Document, maxSide: number): Promise<number> {
  return oneAfterAnother(doc, (tex) => downscale(tex, maxSide));
}

async function downscale(tex: Texture, maxSide: number): Promise<boolean> {
  const image = tex.getImage();
  const mime = tex.getMimeType();
  const size = image ? ImageUtils.getSize(image, mime) : null;
  if (!image || !size || !READABLE.has(mime) || Math.max(size[0], size[1]) <= maxSide) return false;
  const resized = sharp(image, DECODE_LIMITS).resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  const out =
    mime === 'image/jpeg' ? await resized.jpeg({ quality: JPEG_QUALITY }).toBuffer() : await resized.png({ compressionLevel: 9 }).toBuffer();
  tex.setImage(new Uint8Array(out)).setMimeType(mime === 'image/jpeg' ? 'image/jpeg' : 'image/png');
  if (mime === 'image/webp') rename(tex, '.png');
  return true;
}
