import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { xorshift } from '../../helpers/noise.js';

/**
 * A model that looks like what Tripo returns: one ~20k-triangle mesh with POSITION, NORMAL and
 * TEXCOORD_0, one PBR material with base-colour (made from the member's picture), normal and
 * metallic-roughness textures as PNG, 2048 px for `standard` and 4096 px for `detailed`.
 * Like Tripo's real maps the textures carry fine detail, so PNG cannot shrink them much: a
 * standard model weighs 10–20 MB and a detailed one 30–60 MB. Each (picture, quality) is built
 * once and cached on disk, so tests stay fast.
 */

export type TripoQuality = 'standard' | 'detailed';
export const TEXTURE_PX: Record<TripoQuality, number> = { standard: 2048, detailed: 4096 };
/** 100 segments × 100 rings: 19,800 triangles, as in a typical Tripo result. */
const SEGMENTS = 100;
const RINGS = 100;
/** A figurine's proportions (glTF units, Y up). */
const DIMS = [1.2, 1.9, 1.1] as const;
const CACHE_VERSION = 1;

export const CACHE_DIR = join(tmpdir(), 'model3d-bot-sim-cache');

/** Deterministic noise, so a cached model and a fresh one are byte-identical. */
const noise = xorshift;

/** A lumpy sphere scaled to DIMS: positions, normals (of the lumpy surface) and equirectangular UVs. */
function mesh(): { position: Float32Array; normal: Float32Array; uv: Float32Array; indices: Uint16Array } {
  const cols = SEGMENTS + 1;
  const rows = RINGS + 1;
  const position = new Float32Array(cols * rows * 3);
  const normal = new Float32Array(cols * rows * 3);
  const uv = new Float32Array(cols * rows * 2);
  const r = (theta: number, phi: number) => 1 + 0.06 * Math.sin(5 * theta) * Math.sin(4 * phi);
  const point = (theta: number, phi: number): [number, number, number] => {
    const k = r(theta, phi);
    return [
      (DIMS[0] / 2) * k * Math.sin(phi) * Math.cos(theta),
      (DIMS[1] / 2) * k * Math.cos(phi),
      (DIMS[2] / 2) * k * Math.sin(phi) * Math.sin(theta),
    ];
  };
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const theta = (i / SEGMENTS) * 2 * Math.PI;
      const phi = (j / RINGS) * Math.PI;
      const v = j * cols + i;
      const p = point(theta, phi);
      position.set(p, v * 3);
      // Normal from the surface's partial derivatives; at the poles, straight up or down.
      const e = 1e-4;
      const a = point(theta + e, phi);
      const b = point(theta, Math.min(Math.PI, phi + e));
      const ta = [a[0] - p[0], a[1] - p[1], a[2] - p[2]];
      const tb = [b[0] - p[0], b[1] - p[1], b[2] - p[2]];
      let n = [ta[1]! * tb[2]! - ta[2]! * tb[1]!, ta[2]! * tb[0]! - ta[0]! * tb[2]!, ta[0]! * tb[1]! - ta[1]! * tb[0]!];
      let len = Math.hypot(n[0]!, n[1]!, n[2]!);
      if (len < 1e-12 || j === 0 || j === RINGS) n = [0, j === RINGS ? -1 : 1, 0];
      len = Math.hypot(n[0]!, n[1]!, n[2]!);
      // Point outwards.
      const out = n[0]! * p[0] + n[1]! * p[1] + n[2]! * p[2] < 0 ? -1 : 1;
      normal.set([(out * n[0]!) / len, (out * n[1]!) / len, (out * n[2]!) / len], v * 3);
      uv.set([i / SEGMENTS, j / RINGS], v * 2);
    }
  }
  const indices = new Uint16Array(SEGMENTS * (RINGS - 1) * 6);
  let k = 0;
  for (let j = 0; j < RINGS; j++) {
    for (let i = 0; i < SEGMENTS; i++) {
      const a = j * cols + i;
      const b = a + cols;
      // The pole rings are fans: one triangle per segment there.
      if (j !== 0) indices.set([a, a + 1, b], (k += 3) - 3);
      if (j !== RINGS - 1) indices.set([a + 1, b + 1, b], (k += 3) - 3);
    }
  }
  return { position, normal, uv, indices: indices.subarray(0, k) };
}

/** Raw RGB pixels plus fine grain, like the detail in a generated texture. */
async function grainy(raw: Buffer, px: number, amplitude: number, seed: number): Promise<Uint8Array> {
  const rand = noise(seed);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]! + Math.round((rand() - 0.5) * 2 * amplitude);
    // Strong grain wraps around instead of clipping, so it stays as dense as it is meant to be.
    out[i] = amplitude >= 64 ? v & 255 : v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return new Uint8Array(await sharp(out, { raw: { width: px, height: px, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer());
}

async function textures(picture: Buffer, px: number, grain: number) {
  const base = await sharp(picture).resize(px, px, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  const flatNormal = Buffer.alloc(px * px * 3);
  for (let i = 0; i < flatNormal.length; i += 3) flatNormal.set([128, 128, 255], i);
  // glTF metallic-roughness: G = roughness, B = metalness.
  const mr = Buffer.alloc(px * px * 3);
  for (let i = 0; i < mr.length; i += 3) mr.set([0, 180, 20], i);
  return {
    baseColor: await grainy(base, px, 3 * grain, 1),
    normal: await grainy(flatNormal, px, 2 * grain, 2),
    metallicRoughness: await grainy(mr, px, 2 * grain, 3),
  };
}

/**
 * Builds the GLB (no cache). `grain` scales the textures' fine detail: 1 gives Tripo's usual
 * weight; more makes heavier files of the same resolution (the benchmark's 35 MB at 2048 px).
 */
export async function buildTripoGlb(picture: Buffer, quality: TripoQuality, grain = 1): Promise<Uint8Array> {
  const px = TEXTURE_PX[quality];
  const m = mesh();
  const t = await textures(picture, px, grain);
  const doc = new Document();
  doc.getRoot().getAsset().generator = 'model3d-bot DMXAPI simulator (Tripo-like)';
  const buffer = doc.createBuffer();
  const acc = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint16Array) =>
    doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const tex = (name: string, image: Uint8Array) => doc.createTexture(name).setImage(image).setMimeType('image/png').setURI(`${name}.png`);
  const material = doc
    .createMaterial('tripo_pbr')
    .setBaseColorTexture(tex('base_color', t.baseColor))
    .setNormalTexture(tex('normal', t.normal))
    .setMetallicRoughnessTexture(tex('metallic_roughness', t.metallicRoughness))
    .setMetallicFactor(1)
    .setRoughnessFactor(1);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', acc('VEC3', m.position))
    .setAttribute('NORMAL', acc('VEC3', m.normal))
    .setAttribute('TEXCOORD_0', acc('VEC2', m.uv))
    .setIndices(acc('SCALAR', m.indices))
    .setMaterial(material);
  const node = doc.createNode('tripo_model').setMesh(doc.createMesh('tripo_mesh').addPrimitive(prim));
  doc.createScene('scene').addChild(node);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]!);
  return new NodeIO().writeBinary(doc);
}

const memory = new Map<string, Promise<Uint8Array>>();

/** The model for this picture and quality, built once per machine (cached in the temp directory). */
export function tripoGlb(picture: Buffer, quality: TripoQuality, grain = 1): Promise<Uint8Array> {
  const key = `${createHash('sha256').update(picture).digest('hex').slice(0, 16)}-${quality}-g${grain}-v${CACHE_VERSION}`;
  let p = memory.get(key);
  if (!p) {
    p = (async () => {
      const file = join(CACHE_DIR, `${key}.glb`);
      try {
        return new Uint8Array(readFileSync(file));
      } catch {
        const glb = await buildTripoGlb(picture, quality, grain);
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
