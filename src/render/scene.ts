// A glTF document flattened into what the rasteriser needs: world-space triangles with their normals,
// base-colour UVs, vertex colours and material. Built once per render; every frame reuses it.
import type { Accessor, Document, Material, Node, Primitive, Texture as GltfTexture, TextureInfo } from '@gltf-transform/core';
import type { Transform } from '@gltf-transform/extensions';
import { det3, fromArray, normalMatrix, type Mat4 } from './math.js';
import type { Texture } from './texture.js';

export type Wrap = 'repeat' | 'clamp' | 'mirror';

export interface RenderMaterial {
  /** Linear RGBA. */
  baseColorFactor: [number, number, number, number];
  texture: Texture | null;
  wrapS: Wrap;
  wrapT: Wrap;
  doubleSided: boolean;
  /** Set for alphaMode MASK: fragments with alpha below it are discarded. BLEND renders opaque. */
  alphaCutoff: number | null;
}

export interface RenderMesh {
  /** World-space xyz per vertex. */
  positions: Float32Array;
  /** World-space unit normals per vertex. */
  normals: Float32Array;
  /** Base-colour UVs per vertex (texture transform applied), or null. */
  uvs: Float32Array | null;
  /** Linear RGBA per vertex (COLOR_0), or null. */
  colors: Float32Array | null;
  /** Triangle list, counter-clockwise front faces (mirrored nodes already flipped). */
  indices: Uint32Array;
  material: RenderMaterial;
}

export interface RenderScene {
  meshes: RenderMesh[];
  triangleCount: number;
  /** Why something renders plainer than the model (undecodable texture, skipped primitive mode…). */
  warnings: string[];
}

/** Decodes a glTF texture into a linear sampling copy, or null when it cannot be decoded. */
export type TextureLoader = (texture: GltfTexture) => Promise<Texture | null>;

const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

const WRAPS: Record<number, Wrap> = { 10497: 'repeat', 33071: 'clamp', 33648: 'mirror' };

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
  const materials = new Map<Material | null, Promise<RenderMaterial>>();
  const textures = new Map<GltfTexture, Promise<Texture | null>>();

  const materialFor = (m: Material | null): Promise<RenderMaterial> => {
    let p = materials.get(m);
    if (!p) {
      p = readMaterial(m, (t) => {
        let tp = textures.get(t);
        if (!tp) {
          tp = loadTexture(t).then((tex) => {
            if (!tex) warnings.push(`texture "${t.getName() || t.getURI() || 'unnamed'}" could not be decoded; using the colour factor`);
            return tex;
          });
          textures.set(t, tp);
        }
        return tp;
      });
      materials.set(m, p);
    }
    return p;
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
        const material = await materialFor(prim.getMaterial());
        const built = flatten(prim, world, material);
        if (built) meshes.push(built);
      }
    }
    for (const child of node.listChildren()) await visit(child);
  };
  for (const node of rootNodes(doc)) await visit(node);

  const triangleCount = meshes.reduce((n, m) => n + m.indices.length / 3, 0);
  return { meshes, triangleCount, warnings };
}

async function readMaterial(
  m: Material | null,
  texture: (t: GltfTexture) => Promise<Texture | null>,
): Promise<RenderMaterial> {
  if (!m) {
    return { baseColorFactor: [1, 1, 1, 1], texture: null, wrapS: 'repeat', wrapT: 'repeat', doubleSided: false, alphaCutoff: null };
  }
  // The factor is linear already (glTF spec); only texels are sRGB-encoded.
  const f = m.getBaseColorFactor();
  const t = m.getBaseColorTexture();
  const info = m.getBaseColorTextureInfo();
  return {
    baseColorFactor: [f[0], f[1], f[2], f[3]],
    texture: t ? await texture(t) : null,
    wrapS: WRAPS[info?.getWrapS() ?? 10497] ?? 'repeat',
    wrapT: WRAPS[info?.getWrapT() ?? 10497] ?? 'repeat',
    doubleSided: m.getDoubleSided(),
    alphaCutoff: m.getAlphaMode() === 'MASK' ? m.getAlphaCutoff() : null,
  };
}

/** An accessor's elements as floats (normalized integers decoded), `size` components each. */
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
  // A mirroring transform turns counter-clockwise triangles clockwise: swap two corners back.
  if (det3(world) < 0) {
    for (let i = 0; i < indices.length; i += 3) {
      const t = indices[i + 1]!;
      indices[i + 1] = indices[i + 2]!;
      indices[i + 2] = t;
    }
  }

  const normAcc = prim.getAttribute('NORMAL');
  let normals: Float32Array;
  if (normAcc && normAcc.getCount() === count) {
    const n = readFloats(normAcc, 3);
    const nm = normalMatrix(world);
    normals = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const x = n[i * 3]!, y = n[i * 3 + 1]!, z = n[i * 3 + 2]!;
      const wx = nm[0]! * x + nm[3]! * y + nm[6]! * z;
      const wy = nm[1]! * x + nm[4]! * y + nm[7]! * z;
      const wz = nm[2]! * x + nm[5]! * y + nm[8]! * z;
      const l = Math.hypot(wx, wy, wz) || 1;
      normals[i * 3] = wx / l;
      normals[i * 3 + 1] = wy / l;
      normals[i * 3 + 2] = wz / l;
    }
  } else {
    normals = computeNormals(positions, indices);
  }

  return {
    positions,
    normals,
    uvs: material.texture ? readUvs(prim, count, prim.getMaterial()?.getBaseColorTextureInfo() ?? null) : null,
    colors: readColors(prim.getAttribute('COLOR_0'), count),
    indices,
    material,
  };
}

/** Smooth normals: the area-weighted average of the faces around each vertex (world space). */
export function computeNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const n = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 3, b = indices[t + 1]! * 3, c = indices[t + 2]! * 3;
    const e1x = positions[b]! - positions[a]!, e1y = positions[b + 1]! - positions[a + 1]!, e1z = positions[b + 2]! - positions[a + 2]!;
    const e2x = positions[c]! - positions[a]!, e2y = positions[c + 1]! - positions[a + 1]!, e2z = positions[c + 2]! - positions[a + 2]!;
    // The cross product's length is twice the area: summing it unnormalised weights by area.
    const fx = e1y * e2z - e1z * e2y, fy = e1z * e2x - e1x * e2z, fz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      n[v] = n[v]! + fx;
      n[v + 1] = n[v + 1]! + fy;
      n[v + 2] = n[v + 2]! + fz;
    }
  }
  for (let i = 0; i < n.length; i += 3) {
    const l = Math.hypot(n[i]!, n[i + 1]!, n[i + 2]!) || 1;
    n[i] = n[i]! / l;
    n[i + 1] = n[i + 1]! / l;
    n[i + 2] = n[i + 2]! / l;
  }
  return n;
}

function readUvs(prim: Primitive, count: number, info: TextureInfo | null): Float32Array | null {
  const transform = info?.getExtension<Transform>('KHR_texture_transform') ?? null;
  const set = transform?.getTexCoord() ?? info?.getTexCoord() ?? 0;
  const acc = prim.getAttribute(`TEXCOORD_${set}`);
  if (!acc || acc.getCount() !== count) return null;
  const uv = Float32Array.from(readFloats(acc, 2));
  if (transform) {
    const [ox, oy] = transform.getOffset();
    const [sx, sy] = transform.getScale();
    const r = transform.getRotation();
    const c = Math.cos(r), s = Math.sin(r);
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
