// What a model may become before the bot expands it. A GLB of 1 MB can instance one mesh from
// thousands of nodes, declare a texture of 16,000 × 16,000 px or a sparse accessor of a billion
// elements: all of that is read here from the file's JSON, the accessors' counts and the images'
// headers, before anything is decoded, expanded or drawn. A model over a limit is shipped as the
// provider gave it, with one line that names the limit.
import { imageSize } from 'image-size';
import type { LimitExceeded, LimitName } from '../domain/model-info.js';
import { MODEL_LIMITS } from '../domain/model-limits.js';

export { DECODE_LIMITS, MODEL_LIMITS } from '../domain/model-limits.js';


/** What a model would become, measured without expanding it. */
export interface Complexity {
  triangles: number;
  nodes: number;
  largestAccessorBytes: number;
  accessorBytes: number;
  textures: number;
  largestTexturePixels: number;
  largestTextureDims: [number, number];
  texturePixels: number;
}

/** The model is over a limit (see MODEL_LIMITS): recognised before it is expanded. */
export class TooComplexError extends Error {
  override name = 'TooComplexError';
  constructor(readonly exceeded: LimitExceeded) {
    super(`over the model limit: ${exceeded.limit} ${exceeded.value} > ${exceeded.max}`);
  }
}

/** The file is not a GLB at all (header or chunks). */
export class NotGlbError extends Error {
  override name = 'NotGlbError';
}

// Only the fields this check reads; everything else in the JSON is left alone.
interface GltfJson {
  scene?: number;
  scenes?: { nodes?: number[] }[];
  nodes?: { mesh?: number; children?: number[]; extensions?: { EXT_mesh_gpu_instancing?: { attributes?: Record<string, number> } } }[];
  meshes?: { primitives?: { attributes?: Record<string, number>; indices?: number; mode?: number }[] }[];
  accessors?: { count?: number; type?: string; componentType?: number }[];
  bufferViews?: { buffer?: number; byteOffset?: number; byteLength?: number }[];
  images?: { bufferView?: number; uri?: string }[];
}

const GLB_MAGIC = 0x46546c67; // 'glTF'
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

/** The JSON and BIN chunks of a GLB (views into `glb`, nothing copied but the JSON text). */
export function parseGlb(glb: Uint8Array): { json: unknown; bin: Uint8Array | null } {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  if (glb.byteLength < 20 || view.getUint32(0, true) !== GLB_MAGIC) throw new NotGlbError('not a GLB file');
  if (view.getUint32(4, true) !== 2) throw new NotGlbError(`GLB version ${view.getUint32(4, true)}, not 2`);
  const end = Math.min(view.getUint32(8, true), glb.byteLength);
  let json: unknown;
  let bin: Uint8Array | null = null;
  for (let at = 12; at + 8 <= end; ) {
    const length = view.getUint32(at, true);
    const type = view.getUint32(at + 4, true);
    const data = glb.subarray(at + 8, at + 8 + length);
    if (data.byteLength < length) throw new NotGlbError('a GLB chunk runs past the end of the file');
    if (type === CHUNK_JSON && json === undefined) {
      try {
        json = JSON.parse(new TextDecoder().decode(data));
      } catch {
        throw new NotGlbError('the GLB JSON chunk is not JSON');
      }
    } else if (type === CHUNK_BIN && bin === null) {
      bin = data;
    }
    at += 8 + length + ((4 - (length % 4)) % 4);
  }
  if (json === undefined || json === null || typeof json !== 'object') throw new NotGlbError('the GLB has no JSON chunk');
  return { json, bin };
}

/** A count from the file: a positive finite number, else 0 (a malformed field is the reader's to refuse). */
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

const COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };

/** Triangles a primitive of `mode` draws with `n` vertices (indices); points and lines draw none. */
export function trianglesOf(mode: number, n: number): number {
  if (mode === 4) return Math.floor(n / 3);
  if (mode === 5 || mode === 6) return Math.max(0, n - 2);
  return 0;
}

function meshTriangles(gltf: GltfJson, meshIndex: number): number {
  let total = 0;
  for (const p of gltf.meshes?.[meshIndex]?.primitives ?? []) {
    const via = p.indices ?? p.attributes?.POSITION;
    const n = via === undefined ? 0 : count(gltf.accessors?.[via]?.count);
    total += trianglesOf(p.mode ?? 4, n);
  }
  return total;
}

/** Instances a node draws its mesh with: 1, or EXT_mesh_gpu_instancing's count. */
function instancesOf(gltf: GltfJson, node: NonNullable<GltfJson['nodes']>[number]): number {
  const attributes = node.extensions?.EXT_mesh_gpu_instancing?.attributes;
  if (!attributes) return 1;
  let n = 0;
  for (const a of Object.values(attributes)) n = Math.max(n, count(gltf.accessors?.[a]?.count));
  return Math.max(1, n);
}

/**
 * Triangles of the scene a viewer shows (the default scene, else all scenes, as the bot's own
 * readers): the node tree is walked, each node once (a node reached twice, as in a cycle, is not
 * counted again), and each mesh counts once per node that uses it.
 */
function sceneTriangles(gltf: GltfJson): number {
  const nodes = gltf.nodes ?? [];
  const scenes = gltf.scene !== undefined && gltf.scenes?.[gltf.scene] ? [gltf.scenes[gltf.scene]!] : (gltf.scenes ?? []);
  const perMesh = new Map<number, number>();
  let total = 0;
  for (const scene of scenes) {
    const seen = new Set<number>();
    const stack = [...(scene.nodes ?? [])];
    while (stack.length) {
      const i = stack.pop()!;
      const node = nodes[i];
      if (!node || seen.has(i)) continue;
      seen.add(i);
      if (node.mesh !== undefined) {
        let t = perMesh.get(node.mesh);
        if (t === undefined) perMesh.set(node.mesh, (t = meshTriangles(gltf, node.mesh)));
        total += t * instancesOf(gltf, node);
      }
      for (const c of node.children ?? []) stack.push(c);
    }
  }
  return total;
}

/** An image's bytes when they are in the GLB (a buffer view of the BIN chunk, or a data: URI); null otherwise. */
function imageBytes(gltf: GltfJson, bin: Uint8Array | null, image: NonNullable<GltfJson['images']>[number]): Uint8Array | null {
  if (image.bufferView !== undefined) {
    const bv = gltf.bufferViews?.[image.bufferView];
    if (!bv || !bin || (bv.buffer ?? 0) !== 0) return null;
    const start = count(bv.byteOffset);
    return bin.subarray(start, start + count(bv.byteLength));
  }
  const m = image.uri ? /^data:[^,]*;base64,/.exec(image.uri) : null;
  // The header is in the first bytes: decode only enough base64 for it (JPEG's may sit after some EXIF).
  return m ? new Uint8Array(Buffer.from(image.uri!.slice(m[0].length, m[0].length + 256 * 1024), 'base64')) : null;
}

/** Width and height from an image's header, or null when the header cannot be read (the decoder then refuses it). */
function headerDims(bytes: Uint8Array): [number, number] | null {
  try {
    const { width, height } = imageSize(bytes);
    return width && height ? [width, height] : null;
  } catch {
    return null;
  }
}

/** What the model would become, read from its JSON and headers only. */
export function measureComplexity(json: unknown, bin: Uint8Array | null): Complexity {
  const gltf = json as GltfJson;
  let largestAccessorBytes = 0;
  let accessorBytes = 0;
  for (const a of gltf.accessors ?? []) {
    const bytes = count(a.count) * (COMPONENTS[a.type ?? ''] ?? 16) * (COMPONENT_BYTES[a.componentType ?? 0] ?? 4);
    largestAccessorBytes = Math.max(largestAccessorBytes, bytes);
    accessorBytes += bytes;
  }
  let largestTexturePixels = 0;
  let largestTextureDims: [number, number] = [0, 0];
  let texturePixels = 0;
  for (const image of gltf.images ?? []) {
    const bytes = imageBytes(gltf, bin, image);
    const dims = bytes ? headerDims(bytes) : null;
    if (!dims) continue;
    const px = dims[0] * dims[1];
    texturePixels += px;
    if (px > largestTexturePixels) {
      largestTexturePixels = px;
      largestTextureDims = dims;
    }
  }
  return {
    triangles: sceneTriangles(gltf),
    nodes: gltf.nodes?.length ?? 0,
    largestAccessorBytes,
    accessorBytes,
    textures: gltf.images?.length ?? 0,
    largestTexturePixels,
    largestTextureDims,
    texturePixels,
  };
}

/** The first limit the model is over (in MODEL_LIMITS order), or null. */
export function firstExceeded(c: Complexity, limits: Record<LimitName, number> = MODEL_LIMITS): LimitExceeded | null {
  const figures: Record<LimitName, number> = {
    triangles: c.triangles,
    nodes: c.nodes,
    accessorBytes: c.largestAccessorBytes,
    totalAccessorBytes: c.accessorBytes,
    textures: c.textures,
    texturePixels: c.largestTexturePixels,
    totalTexturePixels: c.texturePixels,
  };
  for (const limit of Object.keys(MODEL_LIMITS) as LimitName[]) {
    if (figures[limit] > limits[limit]) {
      return { limit, value: figures[limit], max: limits[limit], ...(limit === 'texturePixels' ? { dims: c.largestTextureDims } : {}) };
    }
  }
  return null;
}

/** Throws TooComplexError when the GLB is over a limit, NotGlbError when it is no GLB; fast either way. */
export function assertWithinLimits(glb: Uint8Array): Complexity {
  const { json, bin } = parseGlb(glb);
  const c = measureComplexity(json, bin);
  const over = firstExceeded(c);
  if (over) throw new TooComplexError(over);
  return c;
}

