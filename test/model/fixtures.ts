import { Document, type Texture } from '@gltf-transform/core';
import sharp from 'sharp';
import { xorshift } from '../helpers/noise.js';

/** Small deterministic noise, so fixtures are the same on every run. */
const rng = xorshift;

/**
 * A texture image. 'smooth' is a grainy gradient (JPEG shrinks it well), 'noise' is full-range noise (JPEG
 * cannot shrink it much, so only a smaller size fits). `alpha`: 'none' (RGB), 'opaque' (an alpha
 * channel that is 255 everywhere) or 'real' (a transparent corner).
 */
export async function textureImage(
  px: number,
  o: { kind?: 'smooth' | 'noise'; alpha?: 'none' | 'opaque' | 'real'; seed?: number; height?: number } = {},
): Promise<Uint8Array> {
  const channels = o.alpha && o.alpha !== 'none' ? 4 : 3;
  const height = o.height ?? px;
  const raw = Buffer.alloc(px * height * channels);
  const rand = rng(o.seed ?? 7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < px; x++) {
      const i = (y * px + x) * channels;
      if (o.kind === 'noise') {
        raw[i] = rand() * 256;
        raw[i + 1] = rand() * 256;
        raw[i + 2] = rand() * 256;
      } else {
        // A gradient with fine grain, as in a generated texture: PNG stays big, JPEG shrinks it.
        const grain = (rand() - 0.5) * 12;
        raw[i] = (x * 255) / px + grain;
        raw[i + 1] = (y * 255) / height + grain;
        raw[i + 2] = ((o.seed ?? 7) * 53) % 200 + grain;
      }
      if (channels === 4) raw[i + 3] = o.alpha === 'real' && x < px / 4 && y < px / 4 ? 0 : 255;
    }
  }
  return new Uint8Array(await sharp(raw, { raw: { width: px, height, channels } }).png().toBuffer());
}

/** A UV sphere of `segments` × `rings` (2·segments·(rings−1) triangles) with POSITION, NORMAL and TEXCOORD_0. */
export function sphere(doc: Document, segments: number, rings: number, radius = [0.6, 0.95, 0.55]) {
  const cols = segments + 1;
  const count = cols * (rings + 1);
  const position = new Float32Array(count * 3);
  const normal = new Float32Array(count * 3);
  const uv = new Float32Array(count * 2);
  for (let j = 0; j <= rings; j++) {
    for (let i = 0; i <= segments; i++) {
      const v = j * cols + i;
      const theta = (i / segments) * 2 * Math.PI;
      const phi = (j / rings) * Math.PI;
      const n = [Math.sin(phi) * Math.cos(theta), Math.cos(phi), Math.sin(phi) * Math.sin(theta)];
      position.set([n[0]! * radius[0]!, n[1]! * radius[1]!, n[2]! * radius[2]!], v * 3);
      normal.set(n, v * 3);
      uv.set([i / segments, j / rings], v * 2);
    }
  }
  const idx: number[] = [];
  for (let j = 0; j < rings; j++) {
    for (let i = 0; i < segments; i++) {
      const a = j * cols + i;
      const b = a + cols;
      if (j !== 0) idx.push(a, a + 1, b);
      if (j !== rings - 1) idx.push(a + 1, b + 1, b);
    }
  }
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  return doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(position).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(normal).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer))
    .setIndices(
      doc
        .createAccessor()
        .setType('SCALAR')
        .setArray(count > 65535 ? new Uint32Array(idx) : new Uint16Array(idx))
        .setBuffer(buffer),
    );
}

export interface ModelSpec {
  segments?: number;
  rings?: number;
  /** Base colour, normal and metallic-roughness textures, in this order; omitted ones are absent. */
  textures?: { px: number; height?: number; kind?: 'smooth' | 'noise'; alpha?: 'none' | 'opaque' | 'real' }[];
}

/** A one-mesh, one-material model in a fresh Document. */
export async function model(spec: ModelSpec = {}): Promise<Document> {
  const doc = new Document();
  doc.createBuffer();
  const prim = sphere(doc, spec.segments ?? 40, spec.rings ?? 30);
  const material = doc.createMaterial('pbr');
  const slots: ((t: Texture) => void)[] = [
    (t) => material.setBaseColorTexture(t),
    (t) => material.setNormalTexture(t),
    (t) => material.setMetallicRoughnessTexture(t),
  ];
  for (const [i, tex] of (spec.textures ?? []).entries()) {
    const image = await textureImage(tex.px, { kind: tex.kind, alpha: tex.alpha, seed: i + 1, height: tex.height });
    slots[i]!(doc.createTexture(`tex${i}`).setImage(image).setMimeType('image/png').setURI(`tex${i}.png`));
  }
  if (spec.textures?.some((t) => t.alpha === 'real')) material.setAlphaMode('BLEND');
  prim.setMaterial(material);
  const node = doc.createNode('model').setMesh(doc.createMesh('mesh').addPrimitive(prim));
  doc.getRoot().setDefaultScene(doc.createScene().addChild(node));
  return doc;
}
