import { describe, expect, it } from 'vitest';
import { Document } from '@gltf-transform/core';
import { unzipSync, strFromU8 } from 'fflate';
import sharp from 'sharp';
import { toStl, STL_HEADER_BYTES, STL_TRIANGLE_BYTES } from '../../src/model/stl.js';
import { objName, toObjZip } from '../../src/model/obj.js';
import { modelStats } from '../../src/model/stats.js';
import { model, sphere } from './fixtures.js';

interface StlTri {
  n: number[];
  v: number[][];
}

function readStl(stl: Uint8Array): { count: number; tris: StlTri[] } {
  const view = new DataView(stl.buffer, stl.byteOffset, stl.byteLength);
  const count = view.getUint32(80, true);
  const tris: StlTri[] = [];
  for (let t = 0; t < count; t++) {
    const o = STL_HEADER_BYTES + t * STL_TRIANGLE_BYTES;
    const f = (k: number) => view.getFloat32(o + k * 4, true);
    tris.push({ n: [f(0), f(1), f(2)], v: [[f(3), f(4), f(5)], [f(6), f(7), f(8)], [f(9), f(10), f(11)]] });
  }
  return { count, tris };
}

function extents(tris: StlTri[]): { min: number[]; max: number[]; size: number[] } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (const t of tris) for (const v of t.v) for (let a = 0; a < 3; a++) (min[a] = Math.min(min[a]!, v[a]!), (max[a] = Math.max(max[a]!, v[a]!)));
  return { min, max, size: [0, 1, 2].map((a) => max[a]! - min[a]!) };
}

/** A tall shape (long along its local Z) under a parent node turned so that world Y is that long axis. */
function rotatedTallModel(): Document {
  const doc = new Document();
  doc.createBuffer();
  const prim = sphere(doc, 24, 16, [0.5, 0.5, 2]);
  const child = doc.createNode('tall').setMesh(doc.createMesh().addPrimitive(prim)).setTranslation([3, 0, 0]);
  // −90° about X: local +Z becomes world +Y.
  const s = Math.SQRT1_2;
  const parent = doc.createNode('turned').setRotation([-s, 0, 0, s]).setScale([2, 2, 2]).addChild(child);
  doc.getRoot().setDefaultScene(doc.createScene().addChild(parent));
  return doc;
}

describe('STL export', () => {
  it('has every triangle of the original, 84 + 50·n bytes, and the height EXPORT_HEIGHT_MM along Z', async () => {
    const doc = await model({ segments: 48, rings: 32 });
    const triangles = modelStats(doc, 0).triangles;
    const stl = toStl(doc, 100);
    const { count, tris } = readStl(stl);
    expect(count).toBe(triangles);
    expect(stl.length).toBe(84 + 50 * triangles);
    const { size, min } = extents(tris);
    expect(size[2]).toBeGreaterThan(99);
    expect(size[2]).toBeLessThan(101);
    // The model's tallest axis is glTF Y (0.95 vs 0.6 and 0.55): it becomes STL Z, and it rests on Z = 0.
    expect(size[2]).toBeGreaterThan(size[0]!);
    expect(size[2]).toBeGreaterThan(size[1]!);
    expect(min[2]).toBeCloseTo(0, 3);
    // X keeps its proportion to the height (0.6 / 0.95), Y is the old depth (0.55 / 0.95).
    expect(size[0]! / size[2]!).toBeCloseTo(0.6 / 0.95, 2);
    expect(size[1]! / size[2]!).toBeCloseTo(0.55 / 0.95, 2);
  });

  it('applies world transforms: a shape turned by its parent node stands along its world up axis', () => {
    const { tris } = readStl(toStl(rotatedTallModel(), 100));
    const { size } = extents(tris);
    expect(size[2]).toBeCloseTo(100, 0);
    // 1 × 1 footprint for a 4 tall shape: 25 mm at 100 mm tall.
    expect(size[0]).toBeCloseTo(25, 0);
    expect(size[1]).toBeCloseTo(25, 0);
  });

  it('writes facet normals: unit length, pointing out of the closed shape', async () => {
    const { tris } = readStl(toStl(await model({ segments: 32, rings: 24 }), 100));
    const { min, max } = extents(tris);
    const centre = [0, 1, 2].map((a) => (min[a]! + max[a]!) / 2);
    let outward = 0;
    for (const t of tris) {
      expect(Math.hypot(t.n[0]!, t.n[1]!, t.n[2]!)).toBeCloseTo(1, 4);
      const c = [0, 1, 2].map((a) => (t.v[0]![a]! + t.v[1]![a]! + t.v[2]![a]!) / 3 - centre[a]!);
      if (t.n[0]! * c[0]! + t.n[1]! * c[1]! + t.n[2]! * c[2]! > 0) outward++;
    }
    expect(outward).toBe(tris.length);
  });
});

describe('OBJ export', () => {
  it('a .zip with model.obj, model.mtl and the base colour as JPEG; faces, vertices, UVs and normals round-trip', async () => {
    const doc = await model({ segments: 40, rings: 30, textures: [{ px: 128 }, { px: 128 }] });
    const stats = modelStats(doc, 0);
    const files = unzipSync(await toObjZip(doc));
    expect(Object.keys(files).sort()).toEqual(['model.jpg', 'model.mtl', 'model.obj']);
    const obj = strFromU8(files['model.obj']!).split('\n');
    const count = (prefix: string) => obj.filter((l) => l.startsWith(prefix)).length;
    expect(count('v ')).toBe(stats.vertices);
    expect(count('vt ')).toBe(stats.vertices);
    expect(count('vn ')).toBe(stats.vertices);
    expect(count('f ')).toBe(stats.triangles);
    // Every face references existing v/vt/vn entries.
    for (const f of obj.filter((l) => l.startsWith('f '))) {
      for (const ref of f.slice(2).split(' ')) {
        const [v, vt, vn] = ref.split('/').map(Number);
        for (const k of [v, vt, vn]) expect(k! >= 1 && k! <= stats.vertices).toBe(true);
      }
    }
    expect(obj).toContain('mtllib model.mtl');
    const mtl = strFromU8(files['model.mtl']!);
    expect(mtl).toContain('map_Kd model.jpg');
    expect((await sharp(files['model.jpg']!).metadata()).format).toBe('jpeg');
  });

  it('converts a PNG base colour with alpha to JPEG too', async () => {
    const doc = await model({ textures: [{ px: 64, alpha: 'real' }] });
    const files = unzipSync(await toObjZip(doc));
    const meta = await sharp(files['model.jpg']!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(64);
  });

  it('names from the model cannot add lines: line breaks and control characters in node and material names are stripped', async () => {
    const doc = new Document();
    doc.createBuffer();
    const material = doc.createMaterial('m\nmap_Kd /etc/passwd\r\nnewmtl x');
    const prim = sphere(doc, 8, 6).setMaterial(material);
    const node = doc.createNode('evil\nmtllib evil.mtl\r\nv 9 9 9\u2028f 1 1 1\u0085o x\u0000').setMesh(doc.createMesh().addPrimitive(prim));
    doc.createScene().addChild(node);
    doc.createScene().addChild(doc.createNode('\n\t\r').setMesh(doc.getRoot().listMeshes()[0]!));
    const stats = modelStats(doc, 0);
    const files = unzipSync(await toObjZip(doc));
    const obj = strFromU8(files['model.obj']!).split('\n');
    expect(obj.filter((l) => l.startsWith('mtllib'))).toEqual(['mtllib model.mtl']);
    expect(obj.filter((l) => l.startsWith('o '))).toEqual(['o evil mtllib evil.mtl v 9 9 9 f 1 1 1 o x', 'o mesh']);
    expect(obj.filter((l) => l.startsWith('v ')).length).toBe(stats.vertices);
    expect(obj.filter((l) => l.startsWith('f ')).length).toBe(stats.triangles);
    const mtl = strFromU8(files['model.mtl']!).split('\n');
    expect(mtl.filter((l) => l.startsWith('newmtl'))).toEqual(['newmtl material_1']);
    expect(mtl.join('\n')).not.toContain('/etc/passwd');
  });

  it('objName keeps a name on one line and drops one made only of control characters', () => {
    expect(objName('a\nb\rc\td\u2029e\u009bf')).toBe('a b c d e f');
    expect(objName(' \n\t\u0007 ')).toBe('');
    expect(objName('Teapot 茶壶')).toBe('Teapot 茶壶');
  });
});
