import { join } from 'node:path';
import type { Document, NodeIO } from '@gltf-transform/core';
import { dedup, draco, meshopt, prune, textureCompress, weld } from '@gltf-transform/functions';
import { MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';
import { downscaleTextures, texturesToJpeg } from './textures.js';
import type { Artifact } from '../domain/model-info.js';
import { AR_COPY_KIND, AR_COPY_NAME, POSTER_KIND, POSTER_NAME, WEB_COPY_KIND, WEB_COPY_NAME } from '../domain/files.js';

/** Textures of the viewer's copies: as large as a phone or a laptop screen shows them. */
const WEB_TEXTURE_SIDE = 2048;
/** WebP quality of the web copy; 85, as the ladder's JPEG, keeps the provider's look at a fraction of PNG's size. */
const WEB_QUALITY = 85;

type Write = (path: string, data: Uint8Array) => Promise<void>;

/**
 * The viewer page's copy: meshopt geometry (quantised, then compressed) and WebP textures up to 2048 px,
 * which model-viewer reads with the meshopt decoder the bot serves. Not for download (Blender cannot
 * open meshopt or WebP); the page offers the original and the fitted GLB for that.
 */
export async function makeWebCopy(doc: Document, io: NodeIO, outDir: string, write: Write): Promise<Artifact> {
  await doc.transform(
    dedup(),
    prune({ keepSolidTextures: true }),
    weld(),
    textureCompress({ encoder: sharp, targetFormat: 'webp', resize: [WEB_TEXTURE_SIDE, WEB_TEXTURE_SIDE], quality: WEB_QUALITY }),
    meshopt({ encoder: MeshoptEncoder, level: 'medium' }),
  );
  return writeCopy(doc, io, join(outDir, WEB_COPY_NAME), WEB_COPY_KIND, write);
}

/**
 * The copy Android's Scene Viewer gets for AR: it reads Draco and JPEG/PNG, not meshopt or WebP.
 * (iOS Quick Look gets a USDZ that model-viewer makes from the loaded scene.)
 */
export async function makeArCopy(doc: Document, io: NodeIO, outDir: string, write: Write): Promise<Artifact> {
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (ext.extensionName === 'EXT_meshopt_compression' || ext.extensionName === 'EXT_texture_webp') ext.dispose();
  }
  await doc.transform(dedup(), prune({ keepSolidTextures: true }), weld());
  // The fit ladder's own steps: JPEG where there is no real alpha (PNG where there is), then smaller.
  await texturesToJpeg(doc);
  await downscaleTextures(doc, WEB_TEXTURE_SIDE);
  await doc.transform(draco({ method: 'edgebreaker' }));
  return writeCopy(doc, io, join(outDir, AR_COPY_NAME), AR_COPY_KIND, write);
}

async function writeCopy(doc: Document, io: NodeIO, file: string, kind: string, write: Write): Promise<Artifact> {
  const bytes = await io.writeBinary(doc);
  await write(file, bytes);
  return { kind, file, bytes: bytes.length };
}

/** The viewer page's poster (and the link preview's picture): the turntable's first frame as a PNG. */
export async function makePoster(turntableGif: string, outDir: string, write: Write): Promise<Artifact> {
  const png = new Uint8Array(await sharp(turntableGif, { pages: 1 }).png().toBuffer());
  const file = join(outDir, POSTER_NAME);
  await write(file, png);
  return { kind: POSTER_KIND, file, bytes: png.length };
}
