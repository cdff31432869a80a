// What the renderer must get right whatever the golden images say: transforms, culling, depth,
// perspective-correct texturing, sRGB and fallbacks. Most run unlit on a flat background (FLAT), so that
// a pixel's colour is the surface's own and coverage is exact.
import { describe, expect, it } from 'vitest';
import { Document } from '@gltf-transform/core';
import { PNG } from 'pngjs';
import { KHRTextureTransform } from '@gltf-transform/extensions';
import { cameraAt, DEFAULT_FRAMING_OPTIONS } from '../../src/render/framing.js';
import { prepareScene, renderStill, turnFraming } from '../../src/render/turntable.js';
import { encodeSrgb8 } from '../../src/render/srgb.js';
import { colouredCube, solidPng, sphere, texturedQuad } from './models.js';
import { BG, coverage, FLAT, pixel, type Image } from './images.js';

const dominant = (p: [number, number, number]) => p.indexOf(Math.max(...p));

async function still(doc: Document, size: number, azimuthDeg = 0, frame: object = FLAT): Promise<Image> {
  return { width: size, height: size, data: renderStill(await prepareScene(doc, size), { size, azimuthDeg, frame }) };
}

describe('framing and anti-aliasing', () => {
  it("a sphere's silhouette spans the frame less its margins: π·r² with r = 48 % of the frame, within 2 %", async () => {
    const size = 256;
    const img = await still(sphere({ segments: 128, colour: [0.9, 0.05, 0.05, 1] }), size, 0, { ...FLAT, samples: 1 });
    const expected = Math.PI * (((1 - DEFAULT_FRAMING_OPTIONS.margin) / 2) * size) ** 2;
    expect(DEFAULT_FRAMING_OPTIONS.margin).toBe(0.04);
    const covered = coverage(img, BG).count;
    expect(Math.abs(covered - expected) / expected, `covered ${covered} px, expected ${expected.toFixed(0)}`).toBeLessThan(0.02);
  });

  it('anti-aliases by default: silhouette pixels mix model and background (4 samples: 5 levels), the silhouette does not move', async () => {
    const size = 64;
    const scene = await prepareScene(sphere({ segments: 64, colour: [0.9, 0.05, 0.05, 1] }), size);
    const mixed = (img: Image) => {
      const levels = new Set<number>();
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        const g = img.data[i + 1]!;
        // Green runs from the flat red's (≈ 63) to the background's (≈ 237).
        if (g > 70 && g < 230) {
          n++;
          levels.add(Math.round(g / 8));
        }
      }
      return { n, levels: levels.size };
    };
    const one: Image = { width: size, height: size, data: renderStill(scene, { size, azimuthDeg: 0, frame: { ...FLAT, samples: 1 } }) };
    const four: Image = { width: size, height: size, data: renderStill(scene, { size, azimuthDeg: 0, frame: FLAT }) };
    expect(mixed(one).n).toBe(0);
    expect(mixed(four).n).toBeGreaterThan(50);
    expect(mixed(four).levels).toBeGreaterThanOrEqual(3);
    expect(Math.abs(coverage(four, BG, 90).count - coverage(one, BG, 90).count)).toBeLessThan(0.03 * coverage(one, BG).count);
  });

  it('a model far from the origin, scaled and nested, is centred and framed like the same model at the origin', async () => {
    const size = 96;
    const atOrigin = coverage(await still(colouredCube(), size, 30), BG);

    const far = colouredCube();
    const cube = far.getRoot().listNodes()[0]!;
    far.getRoot().listScenes()[0]!.removeChild(cube);
    // Parent moves it 5 km away and scales by 200; the child scales back by half: world scale 100.
    const parent = far.createNode('far').setTranslation([5000, -3000, 2000]).setScale([200, 200, 200]).addChild(cube.setScale([0.5, 0.5, 0.5]));
    far.getRoot().listScenes()[0]!.addChild(parent);
    const moved = coverage(await still(far, size, 30), BG);

    expect(Math.abs(moved.count - atOrigin.count)).toBeLessThan(atOrigin.count * 0.01);
    expect(moved.minX).toBe(atOrigin.minX);
    expect(moved.maxX).toBe(atOrigin.maxX);
    expect(moved.minY).toBe(atOrigin.minY);
    expect(moved.maxY).toBe(atOrigin.maxY);
    // Filling the frame; seen square on, centred.
    expect((moved.maxX - moved.minX) / size).toBeGreaterThan(0.8);
    const front = coverage(await still(far, size, 0), BG);
    expect(Math.abs((front.minX + front.maxX) / 2 - (size - 1) / 2)).toBeLessThanOrEqual(0.5);
  });

  it("applies every node's world transform: a parent's rotation stacks its two children vertically", async () => {
    const doc = colouredCube();
    const root = doc.getRoot();
    const cube = root.listNodes()[0]!;
    root.listScenes()[0]!.removeChild(cube);
    const mesh = cube.getMesh()!;
    // Children side by side along X in the parent's space; the parent turns X into Y (90° about Z).
    const parent = doc
      .createNode('turned')
      .setRotation([0, 0, Math.SQRT1_2, Math.SQRT1_2])
      .addChild(doc.createNode('a').setTranslation([2, 0, 0]).setScale([0.5, 0.5, 0.5]).setMesh(mesh))
      .addChild(doc.createNode('b').setTranslation([-2, 0, 0]).setScale([0.5, 0.5, 0.5]).setMesh(mesh));
    root.listScenes()[0]!.addChild(parent);
    const c = coverage(await still(doc, 96, 0), BG);
    expect(c.maxY - c.minY).toBeGreaterThan(2 * (c.maxX - c.minX));
  });

  it('transforms normals with the inverse transpose: a squashed sphere is lit like the same shape built squashed', async () => {
    const lit = {};
    const squashed = sphere({ segments: 48 });
    squashed.getRoot().listNodes()[0]!.setScale([1, 0.3, 1]);
    const baked = sphere({ segments: 48, normals: false });
    const pos = baked.getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute('POSITION')!;
    const arr = pos.getArray() as Float32Array;
    for (let i = 1; i < arr.length; i += 3) arr[i] = arr[i]! * 0.3;
    const a = await still(squashed, 64, 0, lit);
    const b = await still(baked, 64, 0, lit);
    let total = 0;
    for (let i = 0; i < a.data.length; i++) total += Math.abs(a.data[i]! - b.data[i]!);
    expect(total / (64 * 64 * 3)).toBeLessThan(1.5);
  });

  it("honours glTF's Y-up: the camera looks down from 20° above, so the top face shows and the bottom does not", async () => {
    const img = await still(colouredCube(), 64, 0);
    let green = 0, magenta = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const [r, g, b] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
      if (g > 80 && r < 40 && b < 40) green++;
      if (r > 80 && b > 80 && g < 40) magenta++;
    }
    expect(green).toBeGreaterThan(60);
    expect(magenta).toBe(0);
  });

  it('turns: frame k looks from k × 360 / n degrees, so the back face shows at 180°', async () => {
    const front = await still(colouredCube(), 64, 0);
    const back = await still(colouredCube(), 64, 180);
    expect(pixel(front, 32, 38)[2]).toBeGreaterThan(100); // +Z blue
    const p = pixel(back, 32, 38);
    expect(p[0]).toBeGreaterThan(100); // −Z yellow
    expect(p[1]).toBeGreaterThan(100);
    expect(p[2]).toBeLessThan(40);
  });
});

describe('surfaces', () => {
  it('culls back faces of single-sided materials and draws double-sided ones from behind', async () => {
    const single = coverage(await still(texturedQuad(solidPng([200, 30, 30])), 64, 180), BG);
    expect(single.count).toBe(0);
    const doc = texturedQuad(solidPng([200, 30, 30]));
    doc.getRoot().listMaterials()[0]!.setDoubleSided(true);
    const img = await still(doc, 64, 180);
    expect(coverage(img, BG).count).toBeGreaterThan(500);
    // The back is lit as a front would be, not black.
    expect(pixel(img, 32, 32)[0]).toBeGreaterThan(100);
  });

  it('a mirrored node (negative scale) still shows its outside', async () => {
    const plain = coverage(await still(colouredCube(), 64, 30), BG).count;
    const doc = colouredCube();
    doc.getRoot().listNodes()[0]!.setScale([-1, 1, 1]);
    const img = await still(doc, 64, 30);
    expect(coverage(img, BG).count).toBe(plain);
    // Mirrored in X: the −X face (cyan), now on the +X side, shows where red was.
    const p = pixel(img, 45, 36);
    expect(p[0]).toBeLessThan(40);
    expect(p[1]).toBeGreaterThan(80);
  });

  it('the depth buffer keeps the nearest surface whatever the drawing order', async () => {
    for (const nearFirst of [true, false]) {
      const doc = new Document();
      doc.createBuffer();
      const scene = doc.createScene();
      const quads = [
        { z: 0.5, colour: [0.8, 0.02, 0.02, 1], scale: 0.5 },
        { z: -0.5, colour: [0.02, 0.02, 0.8, 1], scale: 1 },
      ];
      if (!nearFirst) quads.reverse();
      for (const q of quads) {
        const src = texturedQuad(null, q.colour as [number, number, number, number]);
        const prim = src.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
        const material = doc.createMaterial().setBaseColorFactor(q.colour as [number, number, number, number]);
        const copy = doc.createPrimitive().setMaterial(material).setIndices(
          doc.createAccessor().setType('SCALAR').setArray(prim.getIndices()!.getArray()!.slice()),
        );
        for (const name of ['POSITION', 'NORMAL']) {
          copy.setAttribute(name, doc.createAccessor().setType('VEC3').setArray(prim.getAttribute(name)!.getArray()!.slice()));
        }
        scene.addChild(doc.createNode().setTranslation([0, 0, q.z]).setScale([q.scale, q.scale, 1]).setMesh(doc.createMesh().addPrimitive(copy)));
      }
      const centre = pixel(await still(doc, 64, 0, FLAT), 32, 32);
      expect(centre[0], `near quad drawn ${nearFirst ? 'first' : 'last'}`).toBeGreaterThan(150);
      expect(centre[2]).toBeLessThan(40);
    }
  });

  it('interpolates UVs perspective-correctly: the middle of a slanted quad is where the 3D midpoint projects', async () => {
    const size = 256;
    const azimuth = 65;
    const img = await still(texturedQuad(), size, azimuth, FLAT);
    // Where the quad's 3D point (0, 0.5, 0), on the red|green border, lands on screen.
    const cam = cameraAt(turnFraming(await prepareScene(texturedQuad(), size)), azimuth);
    const project = (p: [number, number, number]) => {
      const v = cam.view;
      const cx = v[0]! * p[0] + v[4]! * p[1] + v[8]! * p[2] + v[12]!;
      const cy = v[1]! * p[0] + v[5]! * p[1] + v[9]! * p[2] + v[13]!;
      const cz = v[2]! * p[0] + v[6]! * p[1] + v[10]! * p[2] + v[14]!;
      return [size / 2 + (cx * cam.focal * size) / 2 / -cz, size / 2 - (cy * cam.focal * size) / 2 / -cz];
    };
    const [bx, by] = project([0, 0.5, 0]);
    const row = Math.round(by!);
    let border = -1;
    for (let x = 1; x < size; x++) {
      const a = pixel(img, x - 1, row), b = pixel(img, x, row);
      if (a[0] > a[1] + 50 && b[1] > b[0] + 50) border = x;
    }
    // An affine (screen-space) interpolation puts the border at the middle of the projected edges instead.
    const [lx] = project([-1, 0.5, 0]);
    const [rx] = project([1, 0.5, 0]);
    const affine = (lx! + rx!) / 2;
    expect(Math.abs(affine - bx!)).toBeGreaterThan(3); // the test can tell the two apart
    expect(Math.abs(border - bx!), `border at x=${border}, perspective ${bx!.toFixed(1)}, affine ${affine.toFixed(1)}`).toBeLessThanOrEqual(1);
  });

  it('filters a minified texture (mipmaps, in linear light): a 1-texel checker becomes an even grey, not moiré', async () => {
    const n = 256;
    const png = new PNG({ width: n, height: n });
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) png.data.set((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * n + x) * 4);
    const img = await still(texturedQuad(PNG.sync.write(png)), 48, 0, FLAT);
    // Half white, half black averages to linear 0.5, which is sRGB 188 (a gamma-space average would give 128).
    const grey = encodeSrgb8(0.5);
    for (let y = 16; y < 32; y++) {
      for (let x = 16; x < 32; x++) expect(Math.abs(pixel(img, x, y)[0] - grey), `(${x},${y})`).toBeLessThan(6);
    }
  });

  it('keeps texture colours: an unlit texel comes out as the same sRGB bytes', async () => {
    const img = await still(texturedQuad(solidPng([200, 100, 50])), 64, 0, FLAT);
    expect(pixel(img, 32, 32)).toEqual([200, 100, 50]);
  });

  it('multiplies base-colour factor, texture and vertex colours', async () => {
    const doc = texturedQuad(solidPng([255, 255, 255]), [1, 0.5, 0.25, 1]);
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC3').setArray(new Float32Array([0.5, 1, 1, 0.5, 1, 1, 0.5, 1, 1, 0.5, 1, 1])));
    const img = await still(doc, 64, 0, FLAT);
    expect(pixel(img, 32, 32)).toEqual([encodeSrgb8(0.5), encodeSrgb8(0.5), encodeSrgb8(0.25)]);
  });

  it('applies KHR_texture_transform (offset, with repeat wrapping)', async () => {
    const doc = texturedQuad();
    const transform = doc.createExtension(KHRTextureTransform).createTransform().setOffset([0.5, 0]);
    doc.getRoot().listMaterials()[0]!.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', transform);
    const img = await still(doc, 64, 0, FLAT);
    // Shifted by half a texture: green now on the left, red wrapped round to the right.
    expect(dominant(pixel(img, 22, 24))).toBe(1);
    expect(dominant(pixel(img, 42, 24))).toBe(0);
  });

  it('reads normalised integer vertex colours (unsigned bytes)', async () => {
    const doc = texturedQuad(null, [1, 1, 1, 1]);
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    const bytes = new Uint8Array([255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255]);
    prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC4').setArray(bytes).setNormalized(true));
    const img = await still(doc, 64, 0, FLAT);
    expect(pixel(img, 32, 32)).toEqual([255, 0, 0]);
  });

  it('a model whose texture is missing renders with its base-colour factor and says why', async () => {
    const factor: [number, number, number, number] = [0.05, 0.4, 0.8, 1];
    for (const image of [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), new Uint8Array(0)]) {
      const doc = texturedQuad(image, factor);
      const scene = await prepareScene(doc);
      expect(scene.warnings.join(' ')).toMatch(/could not be decoded/);
      const img: Image = { width: 64, height: 64, data: renderStill(scene, { size: 64, azimuthDeg: 0, frame: FLAT }) };
      expect(pixel(img, 32, 32)).toEqual([encodeSrgb8(0.05), encodeSrgb8(0.4), encodeSrgb8(0.8)]);
    }
  });

  it('computes smooth normals when a mesh has none', async () => {
    const withNormals = await still(sphere({ segments: 48 }), 64, 0, {});
    const without = await still(sphere({ segments: 48, normals: false }), 64, 0, {});
    let total = 0;
    for (let i = 0; i < withNormals.data.length; i++) total += Math.abs(withNormals.data[i]! - without.data[i]!);
    expect(total / (64 * 64 * 3)).toBeLessThan(1.5); // mean difference per channel, in sRGB levels
    expect(pixel(without, 18, 22)[0]).toBeGreaterThan(pixel(without, 46, 46)[0] + 20); // and it is lit
  });
});
