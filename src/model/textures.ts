import type { Document, Texture } from '@gltf-transform/core';
import { ImageUtils } from '@gltf-transform/core';
import sharp from 'sharp';

export const JPEG_QUALITY = 85;
/** Formats every glTF viewer and Blender open; WebP and KTX2 are never written. */
const READABLE = new Set(['image/png', 'image/jpeg', 'image/webp']);

/** True when some pixel is not fully opaque (an alpha channel that is all 255 does not count). */
async function hasRealAlpha(image: Uint8Array): Promise<boolean> {
  const img = sharp(image);
  const meta = await img.metadata();
  if (!meta.hasAlpha) return false;
  return !(await img.stats()).isOpaque;
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
  // Textures are encoded side by side: sharp works on libuv's threads, off this worker's JS thread.
  const changed = await Promise.all(doc.getRoot().listTextures().map((tex) => textureToJpeg(tex)));
  return changed.filter(Boolean).length;
}

async function textureToJpeg(tex: Texture): Promise<boolean> {
  const image = tex.getImage();
  const mime = tex.getMimeType();
  if (!image || !READABLE.has(mime) || mime === 'image/jpeg') return false;
  if (await hasRealAlpha(image)) {
    if (mime === 'image/png') return false;
    tex.setImage(new Uint8Array(await sharp(image).png({ compressionLevel: 9 }).toBuffer())).setMimeType('image/png');
    rename(tex, '.png');
  } else {
    const jpeg = await sharp(image).removeAlpha().jpeg({ quality: JPEG_QUALITY }).toBuffer();
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
  const changed = await Promise.all(doc.getRoot().listTextures().map((tex) => downscale(tex, maxSide)));
  return changed.filter(Boolean).length;
}

async function downscale(tex: Texture, maxSide: number): Promise<boolean> {
  const image = tex.getImage();
  const mime = tex.getMimeType();
  const size = image ? ImageUtils.getSize(image, mime) : null;
  if (!image || !size || !READABLE.has(mime) || Math.max(size[0], size[1]) <= maxSide) return false;
  const resized = sharp(image).resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  const out =
    mime === 'image/jpeg' ? await resized.jpeg({ quality: JPEG_QUALITY }).toBuffer() : await resized.png({ compressionLevel: 9 }).toBuffer();
  tex.setImage(new Uint8Array(out)).setMimeType(mime === 'image/jpeg' ? 'image/jpeg' : 'image/png');
  if (mime === 'image/webp') rename(tex, '.png');
  return true;
}
