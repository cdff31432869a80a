// A glTF document flattened into what the rasteriser needs: world-space triangles with their normals,
// tangent frames (for normal maps), the UVs of each texture slot, vertex colours and material. Built
// once per render; every frame reuses it.
import type { Accessor, Document, Material, Node, Primitive, Texture as GltfTexture } from '@gltf-transform/core';
import { det3, fromArray, normalMatrix, type Mat4 } from './math.js';
import { readMaterial, SLOTS, type PerSlot, type RenderMaterial, type TextureLoader, type UvSource } from './material.js';
import type { Texture, Wrap } from './texture.js';

export type { RenderMaterial, TextureLoader } from './material.js';

export interface RenderMesh {
  /** World-space xyz per vertex. */
  positions: Float32Array;
  /** World-space unit normals per vertex. */
  normals: Float32Array;
  /** World-space tangents (xyz, w = bitangent sign) per vertex, from TANGENT, when the material has a normal map. */
  tangents: Float32Array | null;
  /**
   * Without TANGENT, a normal-mapped mesh's tangent frame per triangle (tangent xyz, bitangent xyz,
   * unit length), from its positions and the normal map's UVs: what a GPU gets from derivatives.
   */
  triangleFrames: Float32Array | null;
  /** Each texture slot's texture with its UVs per vertex (texture transform applied); null without either. */
  maps: PerSlot<BoundMap | null>;
  /** Linear RGBA per vertex (COLOR_0), or null. */
  colors: Float32Array | null;
  /** Triangle list, counter-clockwise front faces (mirrored nodes already flipped). */
  indices: Uint32Array;
  /** Unit normal of each triangle's plane (world space): where a surface folds, for anti-aliasing. */
  faceNormals: Float32Array;
  material: RenderMaterial;
}

/** A material's texture bound to one mesh's UVs. */
export interface BoundMap {
  texture: Texture;
  uv: Float32Array;
  wrapS: Wrap;
  wrapT: Wrap;
}

export interface RenderScene {
  meshes: RenderMesh[];
  triangleCount: number;
  /** Why something renders plainer than the model (undecodable texture, skipped primitive mode…). */
  warnings: string[];
}

const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

/** The nodes to draw: the default scene (or the first), else every root node. */
function rootNodes(doc: Document): Node[] {
  const root = doc.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (scene) return scene.listChildren();
  return root.listNodes().filter((n) => !n.getParentNode());
}

export async function buildScene(doc: Document, loadTexture: TextureLoader): Promise<RenderScene> {
  const meshes: RenderMesh[] = [];
  const warnings: string[] = [];
  const materials = new Map<Material | null, RenderMaterial>();
  const textures = new Map<string, Promise<Texture | null>>();
  const ids = new Map<GltfTexture, number>();

  const load = (t: GltfTexture, srgb: boolean): Promise<Texture | null> => {
    if (!ids.has(t)) ids.set(t, ids.size);
    const key = `${ids.get(t)}:${srgb}`;
    let p = textures.get(key);
    if (!p) {
      p = loadTexture(t, srgb).then((tex) => {
        if (!tex) warnings.push(`texture "${t.getName() || t.getURI() || 'unnamed'}" could not be decoded; using the material's factors`);
        return tex;
      });
      textures.set(key, p);
    }
    return p;
  };
  const materialFor = async (m: Material | null): Promise<RenderMaterial> => {
    let r = materials.get(m);
    if (!r) materials.set(m, (r = await readMaterial(m, load)));
    return r;
  };

  const visit = async (node: Node): Promise<void> => {
    const mesh = node.getMesh();
    if (mesh) {
      const world = fromArray(node.getWorldMatrix());
      for (const prim of mesh.listPrimitives()) {
        const mode = prim.getMode();
        if (mode !== TRIANGLES && mode !== TRIANGLE_STRIP && mode !== TRIANGLE_FAN) {
          warnings.push(`skipped a primitive of mode ${mode} (points or lines)`);
          continue;
        }
        const built = flatten(prim, world, await materialFor(prim.getMaterial()));
        if (built) meshes.push(built);
      }
    }
    for (const child of node.listChildren()) await visit(child);
  };
  for (const node of rootNodes(doc)) await visit(node);

  const triangleCount = meshes.reduce((n, m) => n + m.indices.length / 3, 0);
  return { meshes, triangleCount, warnings };
}

/** An accessor's elements as floats (normalized integers decoded), `size` components each (missing ones 1). */
function readFloats(a: Accessor, size: number): Float32Array {
  const count = a.getCount();
  const src = a.getArray();
  if (src instanceof Float32Array && a.getElementSize() === size) return src;
  const out = new Float32Array(count * size);
  const el: number[] = [];
  const have = a.getElementSize();
  for (let i = 0; i < count; i++) {
    a.getElement(i, el);
    for (let k = 0; k < size; k++) out[i * size + k] = k < have ? el[k]! : 1;
  }
  return out;
}

function triangleIndices(prim: Primitive, vertexCount: number): Uint32Array {
  const idx = prim.getIndices();
  const list = idx ? Uint32Array.from(idx.getArray() ?? []) : Uint32Array.from({ length: vertexCount }, (_, i) => i);
  const mode = prim.getMode();
  if (mode === TRIANGLES) return list.subarray(0, list.length - (list.length % 3));
  const n = Math.max(0, list.length - 2);
  const out = new Uint32Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (mode === TRIANGLE_FAN) out.set([list[0]!, list[i + 1]!, list[i + 2]!], i * 3);
    // Strips alternate winding; odd triangles swap their first two vertices to stay counter-clockwise.
    else if (i % 2 === 0) out.set([list[i]!, list[i + 1]!, list[i + 2]!], i * 3);
    else out.set([list[i + 1]!, list[i]!, list[i + 2]!], i * 3);
  }
  return out;
}

function flatten(prim: Primitive, world: Mat4, material: RenderMaterial): RenderMesh | null {
  const posAcc = prim.getAttribute('POSITION');
  if (!posAcc || posAcc.getCount() === 0) return null;
  const local = readFloats(posAcc, 3);
  const count = posAcc.getCount();
  const indices = triangleIndices(prim, count);
  if (indices.length === 0) return null;
  for (let i = 0; i < indices.length; i++) if (indices[i]! >= count) indices[i] = 0;

  const positions = new Float32Array(count * 3);
  const w = world;
  for (let i = 0; i < count; i++) {
    const x = local[i * 3]!, y = local[i * 3 + 1]!, z = local[i * 3 + 2]!;
    positions[i * 3] = w[0]! * x + w[4]! * y + w[8]! * z + w[12]!;
    positions[i * 3 + 1] = w[1]! * x + w[5]! * y + w[9]! * z + w[13]!;
    positions[i * 3 + 2] = w[2]! * x + w[6]! * y + w[10]! * z + w[14]!;
  }
  const mirrored = det3(world) < 0;
  // A mirroring transform turns counter-clockwise triangles clockwise: swap two corners back.
  if (mirrored) {
    for (let i = 0; i < indices.length; i += 3) {
      const t = indices[i + 1]!;
      indices[i + 1] = indices[i + 2]!;
      indices[i + 2] = t;
    }
  }

  const normAcc = prim.getAttribute('NORMAL');
  const normals = normAcc && normAcc.getCount() === count ? transformNormals(readFloats(normAcc, 3), world) : computeNormals(positions, indices);

  const uvCache = new Map<string, Float32Array | null>();
  const maps = {} as PerSlot<BoundMap | null>;
  for (const slot of SLOTS) {
    const t = material.textures[slot];
    const key = t ? JSON.stringify(t.uv) : '';
    if (t && !uvCache.has(key)) uvCache.set(key, readUvs(prim, count, t.uv));
    const uv = t ? uvCache.get(key) : null;
    maps[slot] = t && uv ? { texture: t.texture, uv, wrapS: t.wrapS, wrapT: t.wrapT } : null;
  }

  let tangents: Float32Array | null = null;
  let triangleFrames: Float32Array | null = null;
  if (maps.normal) {
    const tanAcc = prim.getAttribute('TANGENT');
    if (tanAcc && tanAcc.getCount() === count && tanAcc.getElementSize() === 4) tangents = transformTangents(readFloats(tanAcc, 4), world, mirrored);
    else triangleFrames = computeTriangleFrames(positions, maps.normal.uv, indices);
  }

  return { positions, normals, tangents, triangleFrames, maps, colors: readColors(prim.getAttribute('COLOR_0'), count), indices, faceNormals: computeFaceNormals(positions, indices), material };
}

/**
 * Unit directions (xyz in the first three of every `stride` values) through the 3 × 3 part of `m`, whose
 * columns start `column` values apart (3: a 3 × 3 matrix, 4: a 4 × 4 one), into a new array.
 */
function transformDirections(src: Float32Array, stride: number, m: ArrayLike<number>, column: number): Float32Array {
  const out = new Float32Array(src.length);
  const c1 = column, c2 = 2 * column;
  for (let i = 0; i < src.length; i += stride) {
    const x = src[i]!, y = src[i + 1]!, z = src[i + 2]!;
    const wx = m[0]! * x + m[c1]! * y + m[c2]! * z;
    const wy = m[1]! * x + m[c1 + 1]! * y + m[c2 + 1]! * z;
    const wz = m[2]! * x + m[c1 + 2]! * y + m[c2 + 2]! * z;
    const l = Math.hypot(wx, wy, wz) || 1;
    out[i] = wx / l;
    out[i + 1] = wy / l;
    out[i + 2] = wz / l;
  }
  return out;
}

function transformNormals(n: Float32Array, world: Mat4): Float32Array {
  return transformDirections(n, 3, normalMatrix(world), 3);
}

/** Tangents follow the surface (the model matrix, not its inverse transpose); a mirror flips the bitangent's sign. */
function transformTangents(t: Float32Array, w: Mat4, mirrored: boolean): Float32Array {
  const out = transformDirections(t, 4, w, 4);
  for (let i = 3; i < t.length; i += 4) out[i] = (t[i]! < 0 ? -1 : 1) * (mirrored ? -1 : 1);
  return out;
}

/**
 * Per triangle (xyz at 3 × its index), the cross product of its edges: its normal (counter-clockwise
 * front) scaled by twice its area.
 */
function faceCrosses(positions: Float32Array, indices: Uint32Array): Float64Array {
  const out = new Float64Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 3, b = indices[t + 1]! * 3, c = indices[t + 2]! * 3;
    const e1x = positions[b]! - positions[a]!, e1y = positions[b + 1]! - positions[a + 1]!, e1z = positions[b + 2]! - positions[a + 2]!;
    const e2x = positions[c]! - positions[a]!, e2y = positions[c + 1]! - positions[a + 1]!, e2z = positions[c + 2]! - positions[a + 2]!;
    out[t] = e1y * e2z - e1z * e2y;
    out[t + 1] = e1z * e2x - e1x * e2z;
    out[t + 2] = e1x * e2y - e1y * e2x;
  }
  return out;
}

/** Unit xyz triples of `v`, into `out` (a zero vector stays zero). */
function normalise(v: ArrayLike<number>, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 3) {
    const l = Math.hypot(v[i]!, v[i + 1]!, v[i + 2]!) || 1;
    out[i] = v[i]! / l;
    out[i + 1] = v[i + 1]! / l;
    out[i + 2] = v[i + 2]! / l;
  }
  return out;
}

export function computeFaceNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  return normalise(faceCrosses(positions, indices), new Float32Array(indices.length));
}

/** Smooth normals: the area-weighted average of the faces around each vertex (world space). */
export function computeNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const n = new Float64Array(positions.length);
  // The cross product's length is twice the area: summing it unnormalised weights by area.
  const f = faceCrosses(positions, indices);
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const v = indices[t + k]! * 3;
      n[v] = n[v]! + f[t]!;
      n[v + 1] = n[v + 1]! + f[t + 1]!;
      n[v + 2] = n[v + 2]! + f[t + 2]!;
    }
  }
  return normalise(n, new Float32Array(positions.length));
}

/**
 * Per triangle, the directions in which u grows (tangent) and v shrinks (bitangent: glTF's v runs down
 * the image, and normal maps' green points up it), solved from the triangle's edges and UV deltas.
 * A triangle with no UV area gets zeros (the shader then ignores the normal map there).
 */
export function computeTriangleFrames(positions: Float32Array, uv: Float32Array, indices: Uint32Array): Float32Array {
  const out = new Float32Array((indices.length / 3) * 6);
  for (let t = 0, o = 0; t < indices.length; t += 3, o += 6) {
    const a = indices[t]!, b = indices[t + 1]!, c = indices[t + 2]!;
    const e1x = positions[b * 3]! - positions[a * 3]!, e1y = positions[b * 3 + 1]! - positions[a * 3 + 1]!, e1z = positions[b * 3 + 2]! - positions[a * 3 + 2]!;
    const e2x = positions[c * 3]! - positions[a * 3]!, e2y = positions[c * 3 + 1]! - positions[a * 3 + 1]!, e2z = positions[c * 3 + 2]! - positions[a * 3 + 2]!;
    const du1 = uv[b * 2]! - uv[a * 2]!, dv1 = uv[b * 2 + 1]! - uv[a * 2 + 1]!;
    const du2 = uv[c * 2]! - uv[a * 2]!, dv2 = uv[c * 2 + 1]! - uv[a * 2 + 1]!;
    const det = du1 * dv2 - du2 * dv1;
    if (!(Math.abs(det) > 1e-20)) continue;
    const r = 1 / det;
    const tx = (e1x * dv2 - e2x * dv1) * r, ty = (e1y * dv2 - e2y * dv1) * r, tz = (e1z * dv2 - e2z * dv1) * r;
    // ∂P/∂v, negated.
    const bx = -(e2x * du1 - e1x * du2) * r, by = -(e2y * du1 - e1y * du2) * r, bz = -(e2z * du1 - e1z * du2) * r;
    const tl = Math.hypot(tx, ty, tz) || 1, bl = Math.hypot(bx, by, bz) || 1;
    out[o] = tx / tl;
    out[o + 1] = ty / tl;
    out[o + 2] = tz / tl;
    out[o + 3] = bx / bl;
    out[o + 4] = by / bl;
    out[o + 5] = bz / bl;
  }
  return out;
}

function readUvs(prim: Primitive, count: number, source: UvSource): Float32Array | null {
  const acc = prim.getAttribute(`TEXCOORD_${source.set}`);
  if (!acc || acc.getCount() !== count) return null;
  const uv = Float32Array.from(readFloats(acc, 2));
  const t = source.transform;
  if (t) {
    const [ox, oy] = t.offset;
    const [sx, sy] = t.scale;
    const c = Math.cos(t.rotation), s = Math.sin(t.rotation);
    for (let i = 0; i < uv.length; i += 2) {
      const u = uv[i]! * sx, v = uv[i + 1]! * sy;
      uv[i] = c * u + s * v + ox;
      uv[i + 1] = -s * u + c * v + oy;
    }
  }
  return uv;
}

function readColors(acc: Accessor | null, count: number): Float32Array | null {
  if (!acc || acc.getCount() !== count) return null;
  // COLOR_0 is linear per the spec; VEC3 colours get alpha 1.
  return Float32Array.from(readFloats(acc, 4));
}
