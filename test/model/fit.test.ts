import { describe, expect, it } from 'vitest';
import type { Document } from '@gltf-transform/core';
import sharp from 'sharp';
import { fitUnderBudget } from '../../src/model/fit.js';
import { modelIO } from '../../src/model/io.js';
import { validateGlb } from '../../src/model/validate.js';
import { modelStats } from '../../src/model/stats.js';
import { buildGlb } from '../fakes/dmxapi/glb.js';
import { model } from './fixtures.js';

async function fit(doc: Document, budget: number) {
  const io = await modelIO();
  const before = (await io.writeBinary(doc)).length;
  const out = await fitUnderBudget(doc, io, budget);
  return { before, ...out, steps: out.steps.map((s) => (s.value === undefined ? s.step : `${s.step}:${s.value}`)) };
}

/** Extensions a GLB declares; never meshopt, KTX2 or WebP for download. */
function extensionsUsed(glb: Uint8Array): string[] {
  const jsonLength = new DataView(glb.buffer, glb.byteOffset).getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength))) as { extensionsUsed?: string[] };
  return json.extensionsUsed ?? [];
}

async function expectValid(glb: Uint8Array) {
  expect(await validateGlb(glb)).toMatchObject({ errors: 0 });
  expect(extensionsUsed(glb)).not.toEqual(expect.arrayContaining(['EXT_meshopt_compression']));
  for (const ext of extensionsUsed(glb)) expect(['EXT_meshopt_compression', 'KHR_texture_basisu', 'EXT_texture_webp']).not.toContain(ext);
}

describe('the fit-under-limit ladder stops at the first step that fits', () => {
  it('1. lossless: a file padded with unused bytes fits after dedup/prune/weld alone', async () => {
    const padded = buildGlb(600_000);
    const doc = await (await modelIO()).readBinary(new Uint8Array(padded));
    const r = await fit(doc, 100_000);
    expect(r.steps).toEqual(['lossless']);
    expect(r.fits).toBe(true);
    expect(r.bytes.length).toBeLessThan(5_000);
    await expectValid(r.bytes);
  });

  it('2. textures to JPEG when lossless is not enough', async () => {
    const doc = await model({ textures: [{ px: 512 }, { px: 512 }, { px: 512 }] });
    const r = await fit(doc, 200_000);
    expect(r.before).toBeGreaterThan(200_000);
    expect(r.steps).toEqual(['lossless', 'jpeg']);
    expect(r.fits).toBe(true);
    const out = await (await modelIO()).readBinary(r.bytes);
    expect(out.getRoot().listTextures().map((t) => t.getMimeType())).toEqual(['image/jpeg', 'image/jpeg', 'image/jpeg']);
    await expectValid(r.bytes);
  });

  it('3. downscale the textures, one size at a time, when JPEG is not enough', async () => {
    // Noise: JPEG barely shrinks it, only fewer pixels do.
    const doc = await model({ textures: [{ px: 1024, kind: 'noise' }] });
    const r = await fit(doc, 300_000);
    expect(r.steps).toEqual(['lossless', 'jpeg', 'downscale:512']);
    expect(r.fits).toBe(true);
    const out = await (await modelIO()).readBinary(r.bytes);
    expect(modelStats(out, r.bytes.length).largestTexturePx).toBe(512);
    await expectValid(r.bytes);
  });

  it('3. downscale goes 4096 → 2048 → 1024 as far as needed', async () => {
    // A 4096 × 256 strip: the largest side decides, and it is cheap to make.
    const doc = await model({ textures: [{ px: 4096, height: 256 }] });
    const r = await fit(doc, 60_000);
    expect(r.steps.slice(0, 3)).toEqual(['lossless', 'jpeg', 'downscale:2048']);
    expect(r.fits).toBe(true);
    expect(r.steps.at(-1)).toMatch(/^downscale:/);
    const out = await (await modelIO()).readBinary(r.bytes);
    expect(modelStats(out, 0).largestTexturePx).toBe(Number(r.steps.at(-1)!.split(':')[1]));
    await expectValid(r.bytes);
  }, 60_000);

  it('4. simplify the mesh when the geometry itself is too big', async () => {
    const doc = await model({ segments: 400, rings: 250 }); // ~200k triangles, no textures
    const r = await fit(doc, 3_000_000);
    expect(r.before).toBeGreaterThan(3_000_000);
    expect(r.steps[0]).toBe('lossless');
    expect(r.steps.at(-1)).toMatch(/^simplify:/);
    expect(r.steps).not.toContain('draco');
    expect(r.fits).toBe(true);
    const out = await (await modelIO()).readBinary(r.bytes);
    expect(modelStats(out, 0).triangles).toBeLessThan(modelStats(await model({ segments: 400, rings: 250 }), 0).triangles);
    await expectValid(r.bytes);
  }, 60_000);

  it('5. Draco only as the last resort, after every simplification', async () => {
    const spec = { segments: 400, rings: 250 };
    // With an impossible budget every step runs; the budget Draco then reaches proves it is needed.
    const all = await fit(await model(spec), 1);
    expect(all.fits).toBe(false);
    expect(all.steps).toEqual(['lossless', 'simplify:0.5', 'simplify:0.25', 'simplify:0.1', 'draco']);
    const dracoSize = all.bytes.length;
    const r = await fit(await model(spec), dracoSize);
    expect(r.steps.at(-1)).toBe('draco');
    expect(r.fits).toBe(true);
    expect(extensionsUsed(r.bytes)).toContain('KHR_draco_mesh_compression');
    await expectValid(r.bytes);
  }, 120_000);
});

describe('the texture alpha rule', () => {
  it('a texture with real alpha stays PNG; an alpha channel that is all opaque becomes JPEG', async () => {
    const doc = await model({ textures: [{ px: 256, alpha: 'real' }, { px: 256, alpha: 'opaque' }, { px: 256 }] });
    // Whatever the budget, the textures are what the JPEG step made of them.
    const r = await fit(doc, 1);
    expect(r.steps).toContain('jpeg');
    const out = await (await modelIO()).readBinary(r.bytes);
    const [base, normal, mr] = out.getRoot().listTextures();
    expect(base!.getMimeType()).toBe('image/png');
    expect((await sharp(base!.getImage()!).stats()).isOpaque).toBe(false);
    expect(normal!.getMimeType()).toBe('image/jpeg');
    expect(mr!.getMimeType()).toBe('image/jpeg');
    await expectValid(r.bytes);
  });
});
