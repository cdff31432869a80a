import type { Document, NodeIO } from '@gltf-transform/core';
import { dedup, draco, prune, simplify, weld } from '@gltf-transform/functions';
import { MeshoptSimplifier } from 'meshoptimizer';
import { downscaleTextures, largestTextureSide, texturesToJpeg } from './textures.js';
import type { FitStep } from '../domain/model-info.js';

/** Step 3's texture sizes, largest first. */
const DOWNSCALE_SIDES = [2048, 1024, 512] as const;
/** Step 4: fraction of vertices to keep, each with the largest error allowed (fraction of the mesh radius). */
const SIMPLIFY_STEPS = [
  { ratio: 0.5, error: 0.01 },
  { ratio: 0.25, error: 0.02 },
  { ratio: 0.1, error: 0.05 },
] as const;

/** Extensions that compress for transmission and that common tools (Blender) cannot open. */
const NOT_FOR_DOWNLOAD = ['EXT_meshopt_compression', 'KHR_texture_basisu', 'EXT_texture_webp'];

export interface FitOutcome {
  /** The last file written: it fits when `fits` is true. */
  bytes: Uint8Array;
  fits: boolean;
  steps: FitStep[];
}

/**
 * True when the file cannot be attached as it came: it uses an extension that is not for
 * download (meshopt, KTX2, WebP). Such a file is rewritten even when it is small enough.
 */
export function needsRewrite(doc: Document): boolean {
  return doc
    .getRoot()
    .listExtensionsUsed()
    .some((e) => NOT_FOR_DOWNLOAD.includes(e.extensionName));
}

/**
 * Shrinks `doc` (in place) step by step and stops at the first step whose output fits
 * `budgetBytes`: lossless clean-up, JPEG textures, smaller textures, a simpler mesh,
 * and Draco only as the last resort. The steps that ran are returned with the size after each.
 */
export async function fitUnderBudget(doc: Document, io: NodeIO, budgetBytes: number): Promise<FitOutcome> {
  const steps: FitStep[] = [];
  // Meshopt-compressed input is decoded on read; drop the extension so it is written plain.
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (ext.extensionName === 'EXT_meshopt_compression') ext.dispose();
  }
  let bytes = new Uint8Array();
  const record = async (step: FitStep['step'], value?: number): Promise<boolean> => {
    bytes = await io.writeBinary(doc);
    steps.push(value === undefined ? { step, bytesAfter: bytes.length } : { step, value, bytesAfter: bytes.length });
    return bytes.length <= budgetBytes;
  };

  // keepSolidTextures: finding single-colour textures decodes every texture in JS, seconds for 4096 px maps.
  await doc.transform(dedup(), prune({ keepSolidTextures: true }), weld());
  if (await record('lossless')) return { bytes, fits: true, steps };

  if (await texturesToJpeg(doc)) {
    disposeWebp(doc);
    if (await record('jpeg')) return { bytes, fits: true, steps };
  }

  for (const side of DOWNSCALE_SIDES) {
    if (largestTextureSide(doc) <= side) continue;
    await downscaleTextures(doc, side);
    if (await record('downscale', side)) return { bytes, fits: true, steps };
  }

  await MeshoptSimplifier.ready;
  for (const { ratio, error } of SIMPLIFY_STEPS) {
    await doc.transform(simplify({ simplifier: MeshoptSimplifier, ratio, error }), prune({ keepSolidTextures: true }));
    if (await record('simplify', ratio)) return { bytes, fits: true, steps };
  }

  await doc.transform(draco({ method: 'edgebreaker' }));
  const fits = await record('draco');
  return { bytes, fits, steps };
}

function disposeWebp(doc: Document): void {
  const stillWebp = doc.getRoot().listTextures().some((t) => t.getMimeType() === 'image/webp');
  if (stillWebp) return;
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (ext.extensionName === 'EXT_texture_webp') ext.dispose();
  }
}
