import { deflateSync } from 'node:zlib';
import { Document, NodeIO } from '@gltf-transform/core';
import { PREVIEW_WEBP } from './webp.js';

/**
 * Models that are small on disk and huge in use (issue 23 §1), as a compromised CDN or an odd provider
 * output could send them. Both are valid glTF:
 * - 'instanced': one 20,000-triangle mesh used by 12,000 nodes, 240,000,000 triangles once expanded, in
 *   a GLB of about 0.9 MB;
 * - 'huge-texture': one quad whose base-colour texture is a real 16,000 × 16,000 px PNG (1-bit grey, so
 *   the file is a few tens of KB; decoded it is 256,000,000 pixels).
 */
export const HOSTILE_MODELS = ['instanced', 'huge-texture'] as const;
export type HostileModel = (typeof HOSTILE_MODELS)[number];

export const INSTANCED = { gridQuads: 100, nodes: 12_000 } as const;
/** 100 × 100 quads, two triangles each. */
export const INSTANCED_MESH_TRIANGLES = INSTANCED.gridQuads * INSTANCED.gridQuads * 2;
export const HUGE_TEXTURE_PX = 16_000;

export function isHostileModel(m: string): m is HostileModel {
  return (HOSTILE_MODELS as readonly string[]).includes(m);
}

function gridMesh(doc: Document) {
  const n = INSTANCED.gridQuads;
  const side = n + 1;
  const position = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) position.set([x / n - 0.5, 0, y / n - 0.5], (y * side + x) * 3);
  }
  const indices = new Uint16Array(n * n * 6);
  let k = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = y * side + x;
      indices.set([a, a + side, a + 1, a + 1, a + side, a + side + 1], k);
      k += 6;
    }
  }
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(position).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer));
  return doc.createMesh('grid').addPrimitive(prim);
}

async function instancedGlb(): Promise<Uint8Array> {
  const doc = new Document();
  doc.createBuffer();
  const mesh = gridMesh(doc);
  const root = doc.createNode('field');
  for (let i = 0; i < INSTANCED.nodes; i++) {
    root.addChild(doc.createNode().setMesh(mesh).setTranslation([(i % 120) * 1.1, Math.floor(i / 120) * 0.01, Math.floor(i / 120) * 1.1]));
  }
  doc.createScene().addChild(root);
  return new NodeIO().writeBinary(doc);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A real, decodable PNG of side × side px, 1-bit greyscale (rows of zeros: black), so it stays small. */
export function hugePng(side = HUGE_TEXTURE_PX): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, filter 0, no interlace
  const row = 1 + Math.ceil(side / 8); // a filter byte, then the row's bits
  const raw = Buffer.alloc(row * side);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

async function hugeTextureGlb(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const texture = doc.createTexture('huge').setImage(new Uint8Array(hugePng())).setMimeType('image/png');
  const material = doc.createMaterial('pbr').setBaseColorTexture(texture);
  const position = new Float32Array([-0.5, 0, -0.5, 0.5, 0, -0.5, 0.5, 0, 0.5, -0.5, 0, 0.5]);
  const uv = new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(position).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array([0, 2, 1, 0, 3, 2])).setBuffer(buffer))
    .setMaterial(material);
  doc.createScene().addChild(doc.createNode('quad').setMesh(doc.createMesh('quad').addPrimitive(prim)));
  return new NodeIO().writeBinary(doc);
}

const built = new Map<HostileModel, Promise<Uint8Array>>();

/** The model's GLB (built once per process) and the simulator's usual preview. */
export function hostileFiles(model: HostileModel): () => Promise<{ glb: Uint8Array; preview: Buffer }> {
  return async () => {
    let glb = built.get(model);
    if (!glb) built.set(model, (glb = model === 'instanced' ? instancedGlb() : hugeTextureGlb()));
    return { glb: await glb, preview: PREVIEW_WEBP };
  };
}
