import { Readable } from 'node:stream';

/**
 * A valid glTF 2.0 binary (GLB): a unit cube with normals and one PBR material.
 * Larger sizes are made by growing the BIN chunk: the buffer's byteLength grows
 * with it and the extra bytes are simply not referenced by any buffer view, which
 * the spec allows. The padding is streamed, never held in memory.
 */

const GLB_MAGIC = 0x46546c67; // 'glTF'
const CHUNK_JSON = 0x4e4f534a; // 'JSON'
const CHUNK_BIN = 0x004e4942; // 'BIN\0'

function cubeMesh(): { bin: Buffer; json: (binLength: number) => object } {
  const faces: Array<{ n: [number, number, number]; v: Array<[number, number, number]> }> = [
    { n: [1, 0, 0], v: [[0.5, -0.5, -0.5], [0.5, 0.5, -0.5], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5]] },
    { n: [-1, 0, 0], v: [[-0.5, -0.5, 0.5], [-0.5, 0.5, 0.5], [-0.5, 0.5, -0.5], [-0.5, -0.5, -0.5]] },
    { n: [0, 1, 0], v: [[-0.5, 0.5, -0.5], [-0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, -0.5]] },
    { n: [0, -1, 0], v: [[-0.5, -0.5, 0.5], [-0.5, -0.5, -0.5], [0.5, -0.5, -0.5], [0.5, -0.5, 0.5]] },
    { n: [0, 0, 1], v: [[0.5, -0.5, 0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5], [-0.5, -0.5, 0.5]] },
    { n: [0, 0, -1], v: [[-0.5, -0.5, -0.5], [-0.5, 0.5, -0.5], [0.5, 0.5, -0.5], [0.5, -0.5, -0.5]] },
  ];
  const vertexCount = faces.length * 4;
  const indexCount = faces.length * 6;
  const indexBytes = indexCount * 2; // 72, already a multiple of 4
  const posBytes = vertexCount * 12;
  const bin = Buffer.alloc(indexBytes + posBytes * 2);
  let i = 0;
  faces.forEach((_, f) => {
    for (const k of [0, 1, 2, 0, 2, 3]) bin.writeUInt16LE(f * 4 + k, 2 * i++);
  });
  let p = indexBytes;
  for (const face of faces) for (const v of face.v) for (const c of v) (bin.writeFloatLE(c, p), (p += 4));
  for (const face of faces) for (let k = 0; k < 4; k++) for (const c of face.n) (bin.writeFloatLE(c, p), (p += 4));
  const json = (binLength: number) => ({
    asset: { version: '2.0', generator: 'model3d-bot DMXAPI simulator' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: 'model' }],
    meshes: [{ primitives: [{ attributes: { POSITION: 1, NORMAL: 2 }, indices: 0, material: 0, mode: 4 }] }],
    materials: [
      { name: 'pbr', pbrMetallicRoughness: { baseColorFactor: [0.8, 0.47, 0.16, 1], metallicFactor: 0.1, roughnessFactor: 0.7 } },
    ],
    buffers: [{ byteLength: binLength }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: indexBytes, target: 34963 },
      { buffer: 0, byteOffset: indexBytes, byteLength: posBytes, target: 34962 },
      { buffer: 0, byteOffset: indexBytes + posBytes, byteLength: posBytes, target: 34962 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5123, count: indexCount, type: 'SCALAR', min: [0], max: [vertexCount - 1] },
      { bufferView: 1, componentType: 5126, count: vertexCount, type: 'VEC3', min: [-0.5, -0.5, -0.5], max: [0.5, 0.5, 0.5] },
      { bufferView: 2, componentType: 5126, count: vertexCount, type: 'VEC3' },
    ],
  });
  return { bin, json };
}

const MESH = cubeMesh();

function jsonChunk(binLength: number): Buffer {
  const text = JSON.stringify(MESH.json(binLength));
  const padded = text + ' '.repeat((4 - (Buffer.byteLength(text) % 4)) % 4);
  return Buffer.from(padded, 'utf8');
}

/** Smallest GLB the simulator makes (no padding). */
export const NATURAL_GLB_BYTES = 12 + 8 + jsonChunk(MESH.bin.length).length + 8 + MESH.bin.length;

export interface GlbLayout {
  /** Everything but the trailing zero padding of the BIN chunk. */
  head: Buffer;
  /** Zero bytes that follow `head`. */
  padBytes: number;
  /** head.length + padBytes: the GLB's total length. */
  total: number;
}

/**
 * Layout of a GLB of `totalBytes` (rounded up to a multiple of 4, as GLB requires;
 * at least NATURAL_GLB_BYTES).
 */
export function glbLayout(totalBytes?: number): GlbLayout {
  const wanted = Math.max(NATURAL_GLB_BYTES, Math.ceil((totalBytes ?? 0) / 4) * 4);
  let binLength = MESH.bin.length;
  let json = jsonChunk(binLength);
  // The JSON holds the BIN length, which depends on the JSON length: iterate to a fixed point.
  for (let i = 0; i < 8; i++) {
    const candidate = wanted - 28 - json.length;
    if (candidate === binLength) break;
    binLength = candidate;
    json = jsonChunk(binLength);
  }
  if (12 + 8 + json.length + 8 + binLength !== wanted || binLength < MESH.bin.length) {
    // Cannot hit the size exactly with this JSON length: add 4 bytes and try again.
    return glbLayout(wanted + 4);
  }
  const header = Buffer.alloc(12);
  header.writeUInt32LE(GLB_MAGIC, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(wanted, 8);
  const jsonHeader = Buffer.alloc(8);
  jsonHeader.writeUInt32LE(json.length, 0);
  jsonHeader.writeUInt32LE(CHUNK_JSON, 4);
  const binHeader = Buffer.alloc(8);
  binHeader.writeUInt32LE(binLength, 0);
  binHeader.writeUInt32LE(CHUNK_BIN, 4);
  const head = Buffer.concat([header, jsonHeader, json, binHeader, MESH.bin]);
  return { head, padBytes: wanted - head.length, total: wanted };
}

/** The whole GLB in memory (fine for small sizes). */
export function buildGlb(totalBytes?: number): Buffer {
  const { head, padBytes } = glbLayout(totalBytes);
  return Buffer.concat([head, Buffer.alloc(padBytes)]);
}

const ZEROS = Buffer.alloc(64 * 1024);

/** The GLB as a stream: the head, then the padding in 64 KiB slices of one shared zero buffer. */
export function glbStream(totalBytes?: number): { stream: Readable; total: number } {
  const { head, padBytes, total } = glbLayout(totalBytes);
  function* parts(): Generator<Buffer> {
    yield head;
    let left = padBytes;
    while (left > 0) {
      const n = Math.min(left, ZEROS.length);
      yield n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n);
      left -= n;
    }
  }
  return { stream: Readable.from(parts(), { objectMode: false }), total };
}
