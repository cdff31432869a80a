// Each material input changes the picture the way glTF says: normal maps (with TANGENT and without),
// occlusion, emission, alpha MASK and BLEND, and KHR_materials_unlit. Small lit renders of a square
// facing the camera; the studio's key light comes from the upper left.
import { describe, expect, it } from 'vitest';
import type { Document } from '@gltf-transform/core';
import { EmissiveStrength, KHRMaterialsEmissiveStrength, KHRMaterialsUnlit } from '@gltf-transform/extensions';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { encodeSrgb8 } from '../../src/render/srgb.js';
import { toneMapNeutral } from '../../src/render/shading.js';
import { rgbaPng, solidPng, texturedQuad } from './models.js';
import { BG, pixel } from './images.js';

const SIZE = 32;
const luma = (p: [number, number, number]) => 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];

async function centre(doc: Document, frame: object = {}): Promise<[number, number, number]> {
  const data = renderStill(await prepareScene(doc, SIZE), { size: SIZE, azimuthDeg: 0, frame });
  return pixel({ width: SIZE, height: SIZE, data }, SIZE / 2, SIZE / 2);
}

/** A matte grey square (dielectric, rough), optionally with a normal map of one tangent-space normal. */
function matte(normal?: [number, number, number], tangent?: [number, number, number, number]): Document {
  const doc = texturedQuad(solidPng([180, 180, 180]));
  const m = doc.getRoot().listMaterials()[0]!.setMetallicFactor(0).setRoughnessFactor(0.8);
  if (normal) {
    const encoded = normal.map((c) => Math.round((c / Math.hypot(...normal) + 1) * 127.5)) as [number, number, number];
    m.setNormalTexture(doc.createTexture('normal').setImage(solidPng(encoded)).setMimeType('image/png'));
  }
  if (tangent) {
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    prim.setAttribute('TANGENT', doc.createAccessor().setType('VEC4').setArray(new Float32Array([...tangent, ...tangent, ...tangent, ...tangent])));
  }
  return doc;
}

describe('normal maps', () => {
  it('tilt the lit side: normals tilted towards the key (left, up) brighten the square, away from it darken it', async () => {
    const flat = luma(await centre(matte([0, 0, 1])));
    const left = luma(await centre(matte([-0.5, 0, 1])));
    const right = luma(await centre(matte([0.5, 0, 1])));
    const up = luma(await centre(matte([0, 0.5, 1])));
    const down = luma(await centre(matte([0, -0.5, 1])));
    expect(left).toBeGreaterThan(flat + 5);
    expect(right).toBeLessThan(flat - 5);
    // Green is up the image (OpenGL convention, as glTF's): towards the key, which is above.
    expect(up).toBeGreaterThan(flat + 5);
    expect(down).toBeLessThan(flat - 5);
    // A flat normal map changes nothing.
    expect(flat).toBeCloseTo(luma(await centre(matte())), 0);
  });

  it('use TANGENT when the mesh has it: the same frame as the derived one gives the same picture; a flipped one mirrors the tilt', async () => {
    // The quad's u runs along +X and v down the image, so the derived tangent is +X with w = 1.
    const derived = await centre(matte([-0.5, 0.3, 1]));
    const given = await centre(matte([-0.5, 0.3, 1], [1, 0, 0, 1]));
    given.forEach((c, i) => expect(Math.abs(c - derived[i]!)).toBeLessThanOrEqual(1));
    const mirroredX = luma(await centre(matte([-0.5, 0, 1], [-1, 0, 0, 1])));
    expect(mirroredX).toBeLessThan(luma(await centre(matte([0, 0, 1]))) - 5);
    const mirroredY = luma(await centre(matte([0, 0.5, 1], [1, 0, 0, -1])));
    expect(mirroredY).toBeLessThan(luma(await centre(matte([0, 0, 1]))) - 5);
  });

  it('scale with normalTexture.scale (0: no tilt)', async () => {
    const doc = matte([-0.5, 0, 1]);
    doc.getRoot().listMaterials()[0]!.setNormalScale(0);
    expect(luma(await centre(doc))).toBeCloseTo(luma(await centre(matte([0, 0, 1]))), 0);
  });
});

describe('occlusion, emission, unlit', () => {
  it('occlusion darkens ambient and reflected light by its strength; strength 0 leaves the surface as it is', async () => {
    const plain = luma(await centre(matte()));
    const occluded = matte();
    const m = occluded.getRoot().listMaterials()[0]!;
    m.setOcclusionTexture(occluded.createTexture('ao').setImage(solidPng([64, 64, 64])).setMimeType('image/png'));
    const dark = luma(await centre(occluded));
    expect(dark).toBeLessThan(plain * 0.75);
    m.setOcclusionStrength(0);
    expect(luma(await centre(occluded))).toBeCloseTo(plain, 0);
  });

  it('emission adds light whatever the lighting: a black square glowing orange shows orange, KHR_materials_emissive_strength scales it', async () => {
    const doc = texturedQuad(null, [0, 0, 0, 1]);
    const m = doc.getRoot().listMaterials()[0]!.setMetallicFactor(0).setEmissiveFactor([0.6, 0.15, 0]);
    const glow = await centre(doc);
    expect(glow[0]).toBeGreaterThan(150);
    expect(glow[0]).toBeGreaterThan(glow[1] + 60);
    const strength = doc.createExtension(KHRMaterialsEmissiveStrength).createEmissiveStrength().setEmissiveStrength(1.5);
    m.setExtension<EmissiveStrength>('KHR_materials_emissive_strength', strength);
    expect((await centre(doc))[0]).toBeGreaterThan(glow[0] + 20);
  });

  it('KHR_materials_unlit shows the base colour as it is (tone-mapped), whatever the light', async () => {
    const doc = texturedQuad(solidPng([200, 100, 50]));
    doc.getRoot().listMaterials()[0]!.setExtension('KHR_materials_unlit', doc.createExtension(KHRMaterialsUnlit).createUnlit());
    const c = new Float64Array([0.578, 0.127, 0.0319]); // sRGB 200, 100, 50 in linear light
    toneMapNeutral(c);
    const got = await centre(doc);
    [...c].forEach((v, i) => expect(Math.abs(got[i]! - encodeSrgb8(v))).toBeLessThanOrEqual(1));
  });
});

describe('alpha', () => {
  it('MASK discards what is below the cutoff and draws the rest opaque', async () => {
    const doc = texturedQuad(rgbaPng([220, 30, 30, 102])); // alpha 0.4
    const m = doc.getRoot().listMaterials()[0]!.setAlphaMode('MASK').setAlphaCutoff(0.5);
    const cut = await centre(doc, { unlit: true });
    expect(cut).toEqual(BG);
    m.setAlphaCutoff(0.3);
    expect(await centre(doc, { unlit: true })).toEqual([220, 30, 30]);
  });

  it('BLEND mixes by alpha over what is behind: another surface, or the background', async () => {
    const doc = texturedQuad(rgbaPng([255, 0, 0, 128]));
    doc.getRoot().listMaterials()[0]!.setAlphaMode('BLEND');
    const overBackground = await centre(doc, { unlit: true });
    const half = (a: number, b: number) => encodeSrgb8(0.5 * ((a / 255 + 0.055) / 1.055) ** 2.4 + 0.5 * ((b / 255 + 0.055) / 1.055) ** 2.4);
    overBackground.forEach((c, i) => expect(Math.abs(c - half([255, 0, 0][i]!, BG[i]!))).toBeLessThanOrEqual(2));
    // An opaque blue square behind it, larger: purple where they overlap.
    const back = texturedQuad(null, [0, 0, 1, 1]).getRoot().listNodes()[0]!;
    const scene = doc.getRoot().listScenes()[0]!;
    const blue = doc.createNode('behind').setTranslation([0, 0, -0.5]).setScale([2, 2, 1]);
    const src = back.getMesh()!.listPrimitives()[0]!;
    const prim = doc.createPrimitive().setMaterial(doc.createMaterial('blue').setBaseColorFactor([0, 0, 1, 1]))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(src.getIndices()!.getArray()!.slice()))
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(src.getAttribute('POSITION')!.getArray()!.slice()));
    scene.addChild(blue.setMesh(doc.createMesh().addPrimitive(prim)));
    const overBlue = await centre(doc, { unlit: true });
    expect(overBlue[0]).toBeGreaterThan(150);
    expect(overBlue[2]).toBeGreaterThan(150);
    expect(overBlue[1]).toBeLessThan(20);
  });
});
