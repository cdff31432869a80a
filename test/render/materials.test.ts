// Each material input changes the picture the way glTF says: normal maps (with TANGENT and without),
// occlusion, emission, alpha MASK and BLEND, and KHR_materials_unlit. Small lit renders of a square
// facing the camera.
import { describe, expect, it } from 'vitest';
import type { Document } from '@gltf-transform/core';
import { EmissiveStrength, KHRMaterialsEmissiveStrength, KHRMaterialsUnlit } from '@gltf-transform/extensions';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { encodeSrgb8 } from '../../src/render/srgb.js';
import { toneMapNeutral } from '../../src/render/shading.js';
import { rgbaPng, solidPng, texturedQuad } from './models.js';
import { BG, pixel } from './images.js';
import { irradiance, orient } from '../../src/render/envmap.js';
import { STUDIO } from '../../src/render/environment.js';

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

/** Irradiance / π (green) the studio gives a world normal, as the camera at azimuth 0 sees it. */
function lightFrom(n: [number, number, number]): number {
  const l = Math.hypot(...n);
  const out = new Float64Array(3);
  irradiance(orient(STUDIO, 0), n[0] / l, n[1] / l, n[2] / l, out);
  return out[1]!;
}

describe('normal maps', () => {
  it('tilt the lit side: the square turns brighter or darker as the studio lights the tilted normal, by a visible amount', async () => {
    const flat = luma(await centre(matte([0, 0, 1])));
    // A flat normal map changes nothing.
    expect(flat).toBeCloseTo(luma(await centre(matte())), 0);
    for (const tilt of [[-1, 0, 1], [1, 0, 1], [0, 1, 1], [0, -1, 1]] as [number, number, number][]) {
      const got = luma(await centre(matte(tilt)));
      // The quad faces +Z: tangent space is world space here (u along +X, the image's up along +Y).
      const change = lightFrom(tilt) / lightFrom([0, 0, 1]) - 1;
      if (Math.abs(change) > 0.05) {
        expect(Math.sign(got - flat), `tilt ${tilt}`).toBe(Math.sign(change));
        expect(Math.abs(got - flat), `tilt ${tilt}`).toBeGreaterThan(5);
      } else {
        // The studio lights this side about as much (a big soft fill on the right): about the same.
        expect(Math.abs(got - flat), `tilt ${tilt}`).toBeLessThan(4);
      }
    }
    // Towards the key and the sky (left, up): brighter; towards the floor: darker.
    expect(lightFrom([-1, 0, 1])).toBeGreaterThan(1.05 * lightFrom([0, 0, 1]));
    expect(lightFrom([0, 1, 1])).toBeGreaterThan(1.05 * lightFrom([0, 0, 1]));
    expect(lightFrom([0, -1, 1])).toBeLessThan(0.95 * lightFrom([0, 0, 1]));
  });

  it('use TANGENT when the mesh has it: the same frame as the derived one gives the same picture; a flipped one mirrors the tilt', async () => {
    // The quad's u runs along +X and v down the image, so the derived tangent is +X with w = 1.
    const derived = await centre(matte([-0.5, 0.3, 1]));
    const given = await centre(matte([-0.5, 0.3, 1], [1, 0, 0, 1]));
    given.forEach((c, i) => expect(Math.abs(c - derived[i]!)).toBeLessThanOrEqual(1));
    // Tangent along −X: a left tilt in the map lights like a right tilt. w = −1: up becomes down.
    const mirroredX = luma(await centre(matte([-0.6, 0, 1], [-1, 0, 0, 1])));
    expect(Math.abs(mirroredX - luma(await centre(matte([0.6, 0, 1]))))).toBeLessThan(1.5);
    const mirroredY = luma(await centre(matte([0, 0.6, 1], [1, 0, 0, -1])));
    expect(Math.abs(mirroredY - luma(await centre(matte([0, -0.6, 1]))))).toBeLessThan(1.5);
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
