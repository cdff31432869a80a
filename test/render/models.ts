// Small glTF documents built in code for the renderer's tests and benchmark.
import { Document, type Material, type Node } from '@gltf-transform/core';
import { PNG } from 'pngjs';

type Rgb = [number, number, number];

function attribute(doc: Document, type: 'VEC2' | 'VEC3' | 'VEC4', values: number[]) {
  return doc.createAccessor().setType(type).setArray(new Float32Array(values));
}

function indexAccessor(doc: Document, values: number[]) {
  return doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(values));
}

function withScene(doc: Document, node: Node): Document {
  doc.createScene('scene').addChild(node);
  return doc;
}

/**
 * A unit cube (−1…1) whose faces have their own vertex colours: +X red, −X cyan, +Y green, −Y magenta,
 * +Z blue, −Z yellow. No normals: the renderer computes them.
 */
export const CUBE_FACE_COLOURS: Record<string, Rgb> = {
  '+x': [1, 0, 0],
  '-x': [0, 1, 1],
  '+y': [0, 1, 0],
  '-y': [1, 0, 1],
  '+z': [0, 0, 1],
  '-z': [1, 1, 0],
};

export function colouredCube(): Document {
  const doc = new Document();
  doc.createBuffer();
  const pos: number[] = [];
  const col: number[] = [];
  const idx: number[] = [];
  // Each face: normal axis, and two in-plane axes (u × v = normal) for counter-clockwise corners.
  const faces: [string, Rgb, Rgb, Rgb][] = [
    ['+x', [1, 0, 0], [0, 0, -1], [0, 1, 0]],
    ['-x', [-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    ['+y', [0, 1, 0], [1, 0, 0], [0, 0, -1]],
    ['-y', [0, -1, 0], [1, 0, 0], [0, 0, 1]],
    ['+z', [0, 0, 1], [1, 0, 0], [0, 1, 0]],
    ['-z', [0, 0, -1], [-1, 0, 0], [0, 1, 0]],
  ];
  for (const [name, n, u, v] of faces) {
    const base = pos.length / 3;
    for (const [su, sv] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
      for (let k = 0; k < 3; k++) pos.push(n[k]! + su * u[k]! + sv * v[k]!);
      col.push(...CUBE_FACE_COLOURS[name]!, 1);
    }
    idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', attribute(doc, 'VEC3', pos))
    .setAttribute('COLOR_0', attribute(doc, 'VEC4', col))
    .setIndices(indexAccessor(doc, idx))
    .setMaterial(doc.createMaterial('white'));
  return withScene(doc, doc.createNode('cube').setMesh(doc.createMesh().addPrimitive(prim)));
}

/** A PNG whose four quadrants are red (top left), green (top right), blue (bottom left), white (bottom right). */
export function quadrantsPng(size = 64): Uint8Array {
  const png = new PNG({ width: size, height: size });
  const h = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c: Rgb = y < h ? (x < h ? [220, 40, 40] : [40, 200, 60]) : x < h ? [40, 70, 220] : [240, 240, 240];
      png.data.set([...c, 255], (y * size + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

/** A flat image of one sRGB colour. */
export function solidPng(rgb: Rgb, size = 8): Uint8Array {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png);
}

/** A square in the XY plane facing +Z, UVs (0,0) top left → (1,1) bottom right, with its texture. */
export function texturedQuad(image: Uint8Array | null = quadrantsPng(), factor: [number, number, number, number] = [1, 1, 1, 1]): Document {
  const doc = new Document();
  doc.createBuffer();
  const material = doc.createMaterial('quad').setBaseColorFactor(factor);
  if (image) material.setBaseColorTexture(doc.createTexture('quadrants').setImage(image).setMimeType('image/png'));
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', attribute(doc, 'VEC3', [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]))
    .setAttribute('NORMAL', attribute(doc, 'VEC3', [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]))
    .setAttribute('TEXCOORD_0', attribute(doc, 'VEC2', [0, 1, 1, 1, 1, 0, 0, 0]))
    .setIndices(indexAccessor(doc, [0, 1, 2, 0, 2, 3]))
    .setMaterial(material);
  return withScene(doc, doc.createNode('quad').setMesh(doc.createMesh().addPrimitive(prim)));
}

/** A UV sphere of radius r with normals, `segments` around and segments/2 from pole to pole. */
export function sphere(options: { radius?: number; segments?: number; colour?: [number, number, number, number]; normals?: boolean; material?: (doc: Document) => Material } = {}): Document {
  const { radius = 1, segments = 64, colour = [0.8, 0.8, 0.8, 1], normals = true } = options;
  const rings = segments / 2;
  const doc = new Document();
  doc.createBuffer();
  const pos: number[] = [];
  const nor: number[] = [];
  const uv: number[] = [];
  for (let i = 0; i <= rings; i++) {
    const theta = (i / rings) * Math.PI;
    for (let j = 0; j <= segments; j++) {
      const phi = (j / segments) * 2 * Math.PI;
      const n = [Math.sin(theta) * Math.sin(phi), Math.cos(theta), Math.sin(theta) * Math.cos(phi)];
      nor.push(...n);
      pos.push(...n.map((c) => c * radius));
      uv.push(j / segments, i / rings);
    }
  }
  const idx: number[] = [];
  const row = segments + 1;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * row + j, b = a + row, c = b + 1, d = a + 1;
      // Counter-clockwise seen from outside.
      if (i > 0) idx.push(a, b, d);
      if (i < rings - 1) idx.push(d, b, c);
    }
  }
  const material = options.material ? options.material(doc) : doc.createMaterial('sphere').setBaseColorFactor(colour);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', attribute(doc, 'VEC3', pos))
    .setAttribute('TEXCOORD_0', attribute(doc, 'VEC2', uv))
    .setIndices(indexAccessor(doc, idx))
    .setMaterial(material);
  if (normals) prim.setAttribute('NORMAL', attribute(doc, 'VEC3', nor));
  return withScene(doc, doc.createNode('sphere').setMesh(doc.createMesh().addPrimitive(prim)));
}

/** A flat RGBA image of one colour (sRGB bytes, straight alpha). */
export function rgbaPng(rgba: [number, number, number, number], size = 8): Uint8Array {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set(rgba, i * 4);
  return PNG.sync.write(png);
}
