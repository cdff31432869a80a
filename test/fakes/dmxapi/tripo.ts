import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { xorshift } from '../../helpers/noise.js';

/**
 * A model laid out like what Tripo returns (shared/reference/tripo-output.md): one 50,000-triangle
 * mesh with POSITION, NORMAL and TEXCOORD_0 and UNSIGNED_INT indices, about 0.95 units tall and
 * centred on the origin; one material with a Color map made from the member's picture, an ORM map
 * (occlusion R, roughness G, metalness B, referenced as metallicRoughnessTexture only) and a NormalGL
 * map. The shape is a figurine (head, body, a metal belt with rivets) so that highlights, normal detail
 * and occlusion show in a render.
 *
 * - `standard` is the real layout: three 4096² baseline JPEGs, about 3 MB in all.
 * - `detailed` is the heavy variant for the fitting path: the same maps as 4096 px PNGs with fine
 *   grain, 30–60 MB, which only shrinking fits under Discord's limit.
 * Each (picture, variant) is built once and cached on disk, so tests stay fast.
 */

export type TripoQuality = 'standard' | 'detailed';

export interface TripoVariant {
  /** Width and height of the three maps. */
  px: number;
  format: 'jpeg' | 'png';
  /** Fine grain added to the maps: 1 is the usual; more makes heavier PNGs of the same resolution. */
  grain: number;
}

export const TRIPO_VARIANTS: Record<TripoQuality, TripoVariant> = {
  standard: { px: 4096, format: 'jpeg', grain: 1 },
  detailed: { px: 4096, format: 'png', grain: 1 },
};

/** 250 segments × 101 rings, the pole rings as fans: 50,000 triangles, 25,602 vertices. */
const SEGMENTS = 250;
const RINGS = 101;
export const TRIPO_TRIANGLES = 2 * SEGMENTS * (RINGS - 1);
/** Half-extents at the widest (x, z) and the height (Y from −0.476 to +0.474, like the real files). */
const HALF_WIDTH = 0.3;
const HALF_DEPTH = 0.22;
const HALF_HEIGHT = 0.475;
/** Where the belt sits, as v (0 = top of the head, 1 = the base). */
const BELT = [0.6, 0.66] as const;
/** The maps are designed at this size, then upscaled (with grain) to the variant's. */
const DESIGN_PX = 1024;
const CACHE_VERSION = 2;

export const CACHE_DIR = join(tmpdir(), 'model3d-bot-sim-cache');

const gauss = (x: number, mu: number, sigma: number) => Math.exp(-(((x - mu) / sigma) ** 2));

/** Radius (0…1) of a round part: a circle of `radius` about height `centre`, in t units, stretched by `stretch`. */
const round = (t: number, centre: number, radius: number, stretch: number) => stretch * Math.sqrt(Math.max(0, radius * radius - (t - centre) ** 2));

/** The figurine's outline: horizontal radius (0…1) at height t (1 = the top, −1 = the bottom): head, neck, body, base. */
function profile(v: number): number {
  const t = 1 - 2 * v;
  const head = round(t, 0.65, 0.35, HALF_HEIGHT / HALF_WIDTH);
  const neck = t > 0.2 && t < 0.45 ? 0.22 : 0;
  const body = round(t, -0.25, 0.6, 1 / 0.6);
  const base = round(t, -0.92, 0.08, 0.75 / 0.08) ** 0.35 * 0.75 ** 0.65;
  const belt = v > BELT[0] && v < BELT[1] ? 0.04 : 0;
  return Math.max(head, neck, body, base) + belt;
}

/** A point of the surface at (u, v) in [0, 1]²: u goes round, the picture's middle (u = 0.5) faces +Z (the front), +u towards +X there. */
function point(u: number, v: number): [number, number, number] {
  const theta = 2 * Math.PI * u;
  const lump = 1 + 0.03 * Math.sin(5 * theta + 2 * Math.PI * v) * Math.sin(7 * Math.PI * v);
  const r = profile(v) * lump;
  return [-HALF_WIDTH * r * Math.sin(theta), HALF_HEIGHT * (1 - 2 * v), -HALF_DEPTH * r * Math.cos(theta)];
}

function mesh(): { position: Float32Array; normal: Float32Array; uv: Float32Array; indices: Uint32Array } {
  const cols = SEGMENTS + 1;
  const rows = RINGS + 1;
  const position = new Float32Array(cols * rows * 3);
  const normal = new Float32Array(cols * rows * 3);
  const uv = new Float32Array(cols * rows * 2);
  const e = 1e-4;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const u = i / SEGMENTS, v = j / RINGS;
      const k = j * cols + i;
      const p = point(u, v);
      position.set(p, k * 3);
      // The normal from the surface's partial derivatives (∂p/∂v × ∂p/∂u points outwards); straight up or down at the poles.
      const a = point(u + e, v), b = point(u, Math.min(1, v + e));
      const tu = [a[0] - p[0], a[1] - p[1], a[2] - p[2]], tv = [b[0] - p[0], b[1] - p[1], b[2] - p[2]];
      let n = [tv[1]! * tu[2]! - tv[2]! * tu[1]!, tv[2]! * tu[0]! - tv[0]! * tu[2]!, tv[0]! * tu[1]! - tv[1]! * tu[0]!];
      if (j === 0 || j === RINGS || Math.hypot(n[0]!, n[1]!, n[2]!) < 1e-14) n = [0, j === RINGS ? -1 : 1, 0];
      const len = Math.hypot(n[0]!, n[1]!, n[2]!);
      normal.set([n[0]! / len, n[1]! / len, n[2]! / len], k * 3);
      uv.set([u, v], k * 2);
    }
  }
  const indices = new Uint32Array(TRIPO_TRIANGLES * 3);
  let t = 0;
  for (let j = 0; j < RINGS; j++) {
    for (let i = 0; i < SEGMENTS; i++) {
      const a = j * cols + i, b = a + cols;
      // Counter-clockwise seen from outside; the pole rings are fans.
      if (j !== 0) indices.set([a, b, a + 1], (t += 3) - 3);
      if (j !== RINGS - 1) indices.set([a + 1, b, b + 1], (t += 3) - 3);
    }
  }
  return { position, normal, uv, indices };
}

/** Relief of the surface in texels (design size): panel grooves, the raised belt with rivets, a fabric weave. */
function height(x: number, y: number): number {
  const u = x / DESIGN_PX, v = y / DESIGN_PX;
  let h = 0.4 * Math.sin(2 * Math.PI * 60 * u) * Math.sin(2 * Math.PI * 45 * v);
  // Grooves round the body and down its front and back.
  for (const g of [0.3, 0.45, 0.8]) h -= 5 * gauss(v, g, 0.004);
  for (const g of [0.25, 0.75]) if (v > 0.3 && v < 0.9) h -= 4 * gauss(u, g, 0.003);
  if (v > BELT[0] && v < BELT[1]) {
    const edge = Math.min(v - BELT[0], BELT[1] - v) * DESIGN_PX;
    h += 6 * Math.min(1, edge / 4);
    // Rivets: domes every 1/40 of the way round.
    const du = ((u * 40) % 1) - 0.5, dv = (v - (BELT[0] + BELT[1]) / 2) * 40;
    const d2 = du * du + dv * dv;
    if (d2 < 0.09) h += 8 * Math.sqrt(0.09 - d2);
  }
  return h;
}

const inBelt = (y: number) => y / DESIGN_PX > BELT[0] && y / DESIGN_PX < BELT[1];

/** The three maps at the design size, raw RGB. */
async function designMaps(picture: Buffer): Promise<{ color: Buffer; orm: Buffer; normal: Buffer }> {
  const n = DESIGN_PX;
  const color = await sharp(picture).resize(n, n, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  const orm = Buffer.alloc(n * n * 3);
  const normal = Buffer.alloc(n * n * 3);
  const h = new Float32Array((n + 1) * (n + 1));
  for (let y = 0; y <= n; y++) for (let x = 0; x <= n; x++) h[y * (n + 1) + x] = height(x, y);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const o = (y * n + x) * 3;
      const here = h[y * (n + 1) + x]!;
      const dx = h[y * (n + 1) + x + 1]! - here, dy = h[(y + 1) * (n + 1) + x]! - here;
      // Tangent space, OpenGL convention: +X along +u, +Y towards the image's top (−v), as glTF expects.
      const nx = -dx, ny = dy, nz = 2;
      const l = Math.hypot(nx, ny, nz);
      normal[o] = Math.round((nx / l + 1) * 127.5);
      normal[o + 1] = Math.round((ny / l + 1) * 127.5);
      normal[o + 2] = Math.round((nz / l + 1) * 127.5);
      const metal = inBelt(y);
      // Occlusion darkens the grooves; roughness varies a little; the belt is polished metal, gold-coloured.
      const ao = Math.max(0.35, Math.min(1, 1 + here / 10));
      orm[o] = Math.round(255 * ao);
      orm[o + 1] = metal ? 70 : 160 + Math.round(50 * Math.sin(x / 37) * Math.sin(y / 53));
      orm[o + 2] = metal ? 255 : 0;
      if (metal) color.set([232, 185, 95], o);
    }
  }
  return { color, orm, normal };
}

/** Fine grain, the same every run: a megabyte of noise in [−amplitude, amplitude], repeated. */
function grainTable(amplitude: number, seed: number): Int16Array {
  const rand = xorshift(seed);
  return Int16Array.from({ length: 1 << 20 }, () => Math.round((rand() - 0.5) * 2 * amplitude));
}

/** A design map upscaled to `px` with fine grain, encoded as the variant says. */
async function encodeMap(raw: Buffer, variant: TripoVariant, amplitude: number, seed: number): Promise<Uint8Array> {
  const { px } = variant;
  const big = await sharp(raw, { raw: { width: DESIGN_PX, height: DESIGN_PX, channels: 3 } }).resize(px, px, { kernel: 'linear' }).raw().toBuffer();
  const a = amplitude * variant.grain;
  const table = grainTable(a, seed);
  // Strong grain wraps around (a Uint8Array stores modulo 256) instead of clipping, so it stays as dense as it is meant to be.
  const pixels = a >= 64 ? new Uint8Array(big.buffer, big.byteOffset, big.length) : new Uint8ClampedArray(big.buffer, big.byteOffset, big.length);
  for (let o = 0; o < pixels.length; o += table.length) {
    const n = Math.min(table.length, pixels.length - o);
    for (let k = 0; k < n; k++) pixels[o + k] = pixels[o + k]! + table[k]!;
  }
  const image = sharp(big, { raw: { width: px, height: px, channels: 3 } });
  const out = variant.format === 'jpeg' ? image.jpeg({ quality: 88, chromaSubsampling: '4:2:0' }) : image.png({ compressionLevel: 6 });
  return new Uint8Array(await out.toBuffer());
}

/**
 * The document as Tripo writes it: no samplers (gltf-transform always writes one; the defaults are
 * the same), and the material's factors spelled out.
 */
function likeTripoWritesIt(glb: Uint8Array): Uint8Array {
  const b = Buffer.from(glb.buffer, glb.byteOffset, glb.byteLength);
  const jsonLength = b.readUInt32LE(12);
  const json = JSON.parse(b.subarray(20, 20 + jsonLength).toString('utf8')) as {
    samplers?: unknown;
    textures?: { sampler?: number }[];
    materials?: { pbrMetallicRoughness?: Record<string, unknown>; doubleSided?: boolean }[];
  };
  delete json.samplers;
  for (const t of json.textures ?? []) delete t.sampler;
  for (const m of json.materials ?? []) {
    m.pbrMetallicRoughness = { baseColorFactor: [1, 1, 1, 1], metallicFactor: 1, roughnessFactor: 1, ...m.pbrMetallicRoughness };
    m.doubleSided = false;
  }
  let text = JSON.stringify(json);
  text += ' '.repeat((4 - (Buffer.byteLength(text) % 4)) % 4);
  const chunk = Buffer.from(text, 'utf8');
  const bin = b.subarray(20 + jsonLength);
  const head = Buffer.alloc(20);
  head.writeUInt32LE(0x46546c67, 0); // 'glTF'
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(20 + chunk.length + bin.length, 8);
  head.writeUInt32LE(chunk.length, 12);
  head.writeUInt32LE(0x4e4f534a, 16); // 'JSON'
  return new Uint8Array(Buffer.concat([head, chunk, bin]));
}

/** A UUID made from the picture's hash, so that names are stable like the rest of the file. */
function uuidOf(picture: Buffer): string {
  const h = createHash('sha256').update(picture).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Builds the GLB (no cache). */
export async function buildTripoGlb(picture: Buffer, variant: TripoQuality | TripoVariant): Promise<Uint8Array> {
  const v = typeof variant === 'string' ? TRIPO_VARIANTS[variant] : variant;
  const m = mesh();
  const maps = await designMaps(picture);
  // One after another: three 4096² maps at once would triple the peak memory for nothing.
  const color = await encodeMap(maps.color, v, 2, 1);
  const orm = await encodeMap(maps.orm, v, 1.5, 3);
  const normal = await encodeMap(maps.normal, v, 0.3, 2);
  const id = uuidOf(picture);
  const doc = new Document();
  doc.getRoot().getAsset().generator = 'https://tripo3d.ai';
  const buffer = doc.createBuffer();
  const acc = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint32Array) => doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const mime = v.format === 'jpeg' ? 'image/jpeg' : 'image/png';
  const tex = (name: string, image: Uint8Array) => doc.createTexture(`${name}_${id}`).setImage(image).setMimeType(mime);
  const material = doc
    .createMaterial(`tripo_material_${id}`)
    .setBaseColorTexture(tex('Color', color))
    .setMetallicRoughnessTexture(tex('ORM', orm))
    .setNormalTexture(tex('NormalGL', normal))
    .setMetallicFactor(1)
    .setRoughnessFactor(1);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', acc('VEC3', m.position))
    .setAttribute('NORMAL', acc('VEC3', m.normal))
    .setAttribute('TEXCOORD_0', acc('VEC2', m.uv))
    .setIndices(acc('SCALAR', m.indices))
    .setMaterial(material);
  const mesh_ = doc.createMesh(`tripo_mesh_${id}`).addPrimitive(prim).setExtras({ name: `tripo_mesh_${id}` });
  doc.createScene().addChild(doc.createNode(`tripo_node_${id}`).setMesh(mesh_));
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]!);
  return likeTripoWritesIt(await new NodeIO().writeBinary(doc));
}

const memory = new Map<string, Promise<Uint8Array>>();

/** The model for this picture and variant, built once per machine (cached in the temp directory). */
export function tripoGlb(picture: Buffer, variant: TripoQuality | TripoVariant): Promise<Uint8Array> {
  const v = typeof variant === 'string' ? TRIPO_VARIANTS[variant] : variant;
  const key = `${createHash('sha256').update(picture).digest('hex').slice(0, 16)}-${v.format}${v.px}-g${v.grain}-v${CACHE_VERSION}`;
  let p = memory.get(key);
  if (!p) {
    p = (async () => {
      const file = join(CACHE_DIR, `${key}.glb`);
      try {
        return new Uint8Array(readFileSync(file));
      } catch {
        const glb = await buildTripoGlb(picture, v);
        mkdirSync(CACHE_DIR, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, glb);
        renameSync(tmp, file);
        return glb;
      }
    })();
    memory.set(key, p);
    p.catch(() => memory.delete(key));
  }
  return p;
}

/** A preview made from the picture, as the provider's rendered image is: 512 px WebP on a studio grey. */
export async function tripoPreview(picture: Buffer): Promise<Buffer> {
  const subject = await sharp(picture).resize(420, 420, { fit: 'inside' }).toBuffer();
  return sharp({ create: { width: 512, height: 512, channels: 3, background: '#3a3d44' } })
    .composite([{ input: subject, gravity: 'center' }])
    .webp({ quality: 80 })
    .toBuffer();
}
