// One frame: project, rasterise into a depth-tested visibility buffer (which triangle covers each pixel,
// where), then shade each visible pixel once. Attributes are interpolated perspective-correctly.
import type { Camera } from './camera.js';
import type { RenderMesh, RenderScene } from './scene.js';
import { encodeSrgb8, SRGB8_TO_LINEAR } from './srgb.js';
import { sampleBilinear, sampleTexture } from './texture.js';

export interface Lighting {
  /** Direction towards the key light, in camera space (x right, y up, z towards the viewer). */
  keyDirection: [number, number, number];
  keyIntensity: number;
  ambient: number;
}

export interface FrameOptions {
  /** sRGB bytes of the background. */
  background: [number, number, number];
  lighting: Lighting;
  /** Render at n× the size and average n×n samples per pixel (in linear light). */
  supersample: number;
}

/** Neutral mid grey; the key light comes from the upper left, in front. Face-on to the key: ambient + key = 1. */
export const DEFAULT_FRAME_OPTIONS: FrameOptions = {
  background: [128, 128, 128],
  lighting: { keyDirection: [-0.55, 0.65, 0.5], keyIntensity: 0.75, ambient: 0.3 },
  supersample: 1,
};

/** Buffers reused from frame to frame of one model. */
export interface Framebuffer {
  size: number;
  /** Internal resolution (size × supersample). */
  width: number;
  supersample: number;
  /** 1/w of the nearest surface; 0 where nothing is drawn. Larger is nearer. */
  depth: Float32Array;
  /** Index of the mesh drawn at each pixel, −1 for background. */
  mesh: Int32Array;
  /** Triangle (index of its first corner / 3) drawn at each pixel; negative when seen from behind. */
  triangle: Int32Array;
  /** Screen-space barycentrics of corners 1 and 2. */
  bary1: Float32Array;
  bary2: Float32Array;
  /** Linear RGB at internal resolution. */
  color: Float32Array;
  /** Projected vertices per mesh: x, y in internal pixels and 1/w. */
  projected: { x: Float32Array; y: Float32Array; iw: Float32Array }[];
}

export function createFramebuffer(scene: RenderScene, size: number, supersample = 1): Framebuffer {
  const width = size * supersample;
  const n = width * width;
  return {
    size,
    width,
    supersample,
    depth: new Float32Array(n),
    mesh: new Int32Array(n),
    triangle: new Int32Array(n),
    bary1: new Float32Array(n),
    bary2: new Float32Array(n),
    color: new Float32Array(n * 3),
    projected: scene.meshes.map((m) => {
      const c = m.positions.length / 3;
      return { x: new Float32Array(c), y: new Float32Array(c), iw: new Float32Array(c) };
    }),
  };
}

/** Renders one frame as sRGB RGBA bytes (size × size × 4), row-major from the top-left. */
export function renderFrame(scene: RenderScene, camera: Camera, fb: Framebuffer, options: FrameOptions = DEFAULT_FRAME_OPTIONS): Uint8Array {
  fb.depth.fill(0);
  fb.mesh.fill(-1);
  for (let m = 0; m < scene.meshes.length; m++) {
    project(scene.meshes[m]!, camera, fb, m);
    rasterise(scene.meshes[m]!, fb, m);
  }
  shade(scene, camera, fb, options);
  return resolve(fb);
}

function project(mesh: RenderMesh, camera: Camera, fb: Framebuffer, index: number): void {
  const v = camera.view;
  const p = mesh.positions;
  const out = fb.projected[index]!;
  const half = fb.width / 2;
  const f = camera.focal * half;
  const v0 = v[0]!, v1 = v[1]!, v2 = v[2]!, v4 = v[4]!, v5 = v[5]!, v6 = v[6]!;
  const v8 = v[8]!, v9 = v[9]!, v10 = v[10]!, v12 = v[12]!, v13 = v[13]!, v14 = v[14]!;
  for (let i = 0, j = 0; j < out.iw.length; i += 3, j++) {
    const x = p[i]!, y = p[i + 1]!, z = p[i + 2]!;
    const cx = v0 * x + v4 * y + v8 * z + v12;
    const cy = v1 * x + v5 * y + v9 * z + v13;
    const cz = v2 * x + v6 * y + v10 * z + v14;
    // The camera sits outside the bounding sphere, so every vertex is in front of it (−cz > 0).
    const iw = 1 / -cz;
    out.iw[j] = iw;
    out.x[j] = half + cx * f * iw;
    out.y[j] = half - cy * f * iw;
  }
}

function rasterise(mesh: RenderMesh, fb: Framebuffer, meshIndex: number): void {
  const { x: sx, y: sy, iw } = fb.projected[meshIndex]!;
  const idx = mesh.indices;
  const W = fb.width;
  const depth = fb.depth, meshBuf = fb.mesh, triBuf = fb.triangle, b1Buf = fb.bary1, b2Buf = fb.bary2;
  const cull = !mesh.material.doubleSided;
  const masked = mesh.material.alphaCutoff !== null;
  const EPS = -1e-6;
  for (let t = 0; t < idx.length; t += 3) {
    const a = idx[t]!, b = idx[t + 1]!, c = idx[t + 2]!;
    const x0 = sx[a]!, y0 = sy[a]!, x1 = sx[b]!, y1 = sy[b]!, x2 = sx[c]!, y2 = sy[c]!;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (!(area !== 0)) continue; // degenerate or NaN
    // Screen y points down, so glTF's counter-clockwise front faces have a negative area here.
    const back = area > 0;
    if (back && cull) continue;
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const maxX = Math.min(W - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(W - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    if (minX > maxX || minY > maxY) continue;
    const inv = 1 / area;
    // Barycentric of corner 0 (edge 1→2) and corner 1 (edge 2→0) as affine functions of the pixel centre.
    const a0x = -(y2 - y1) * inv;
    const a1x = -(y0 - y2) * inv;
    const iw0 = iw[a]!, iw1 = iw[b]!, iw2 = iw[c]!;
    const triId = back ? -(t / 3) - 1 : t / 3;
    for (let y = minY; y <= maxY; y++) {
      const py = y + 0.5;
      const px = minX + 0.5;
      let l0 = ((x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)) * inv;
      let l1 = ((x0 - x2) * (py - y2) - (y0 - y2) * (px - x2)) * inv;
      let row = y * W + minX;
      for (let x = minX; x <= maxX; x++, row++, l0 += a0x, l1 += a1x) {
        const l2 = 1 - l0 - l1;
        if (l0 < EPS || l1 < EPS || l2 < EPS) continue;
        const z = l0 * iw0 + l1 * iw1 + l2 * iw2;
        if (z <= depth[row]!) continue;
        if (masked && alphaAt(mesh, a, b, c, l0 * iw0, l1 * iw1, l2 * iw2) < mesh.material.alphaCutoff!) continue;
        depth[row] = z;
        meshBuf[row] = meshIndex;
        triBuf[row] = triId;
        b1Buf[row] = l1;
        b2Buf[row] = l2;
      }
    }
  }
}

const texel = new Float32Array(4);

/** Base-colour alpha at a point given by unnormalised perspective weights of the three corners. */
function alphaAt(mesh: RenderMesh, a: number, b: number, c: number, p0: number, p1: number, p2: number): number {
  const s = 1 / (p0 + p1 + p2);
  p0 *= s; p1 *= s; p2 *= s;
  let alpha = mesh.material.baseColorFactor[3];
  const col = mesh.colors;
  if (col) alpha *= col[a * 4 + 3]! * p0 + col[b * 4 + 3]! * p1 + col[c * 4 + 3]! * p2;
  const tex = mesh.material.texture, uv = mesh.uvs;
  if (tex && uv) {
    sampleBilinear(tex, uv[a * 2]! * p0 + uv[b * 2]! * p1 + uv[c * 2]! * p2, uv[a * 2 + 1]! * p0 + uv[b * 2 + 1]! * p1 + uv[c * 2 + 1]! * p2, mesh.material.wrapS, mesh.material.wrapT, texel);
    alpha *= texel[3]!;
  }
  return alpha;
}

function shade(scene: RenderScene, camera: Camera, fb: Framebuffer, options: FrameOptions): void {
  const { keyDirection: k, keyIntensity, ambient } = options.lighting;
  // Camera-space light → world space: the view's rotation is orthonormal, so its transpose inverts it.
  const v = camera.view;
  let lx = v[0]! * k[0] + v[1]! * k[1] + v[2]! * k[2];
  let ly = v[4]! * k[0] + v[5]! * k[1] + v[6]! * k[2];
  let lz = v[8]! * k[0] + v[9]! * k[1] + v[10]! * k[2];
  const ll = Math.hypot(lx, ly, lz) || 1;
  lx /= ll; ly /= ll; lz /= ll;

  const bg = options.background;
  const bgR = SRGB8_TO_LINEAR[bg[0]]!, bgG = SRGB8_TO_LINEAR[bg[1]]!, bgB = SRGB8_TO_LINEAR[bg[2]]!;
  const n = fb.width * fb.width;
  const color = fb.color;
  for (let i = 0; i < n; i++) {
    const mi = fb.mesh[i]!;
    const o = i * 3;
    if (mi < 0) {
      color[o] = bgR; color[o + 1] = bgG; color[o + 2] = bgB;
      continue;
    }
    const mesh = scene.meshes[mi]!;
    const proj = fb.projected[mi]!;
    let tri = fb.triangle[i]!;
    const back = tri < 0;
    if (back) tri = -tri - 1;
    const a = mesh.indices[tri * 3]!, b = mesh.indices[tri * 3 + 1]!, c = mesh.indices[tri * 3 + 2]!;
    const l1 = fb.bary1[i]!, l2 = fb.bary2[i]!, l0 = 1 - l1 - l2;
    // Perspective-correct weights: screen-space barycentrics divided by w, renormalised.
    let p0 = l0 * proj.iw[a]!, p1 = l1 * proj.iw[b]!, p2 = l2 * proj.iw[c]!;
    const s = 1 / (p0 + p1 + p2);
    p0 *= s; p1 *= s; p2 *= s;

    const nr = mesh.normals;
    const nx = nr[a * 3]! * p0 + nr[b * 3]! * p1 + nr[c * 3]! * p2;
    const ny = nr[a * 3 + 1]! * p0 + nr[b * 3 + 1]! * p1 + nr[c * 3 + 1]! * p2;
    const nz = nr[a * 3 + 2]! * p0 + nr[b * 3 + 2]! * p1 + nr[c * 3 + 2]! * p2;
    let nl = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (nl === 0) nl = 1;
    if (back) nl = -nl; // the back of a double-sided surface is lit as its own front
    const lambert = (nx * lx + ny * ly + nz * lz) / nl;
    const light = ambient + keyIntensity * (lambert > 0 ? lambert : 0);

    const f = mesh.material.baseColorFactor;
    let r = f[0], g = f[1], bl = f[2];
    const col = mesh.colors;
    if (col) {
      r *= col[a * 4]! * p0 + col[b * 4]! * p1 + col[c * 4]! * p2;
      g *= col[a * 4 + 1]! * p0 + col[b * 4 + 1]! * p1 + col[c * 4 + 1]! * p2;
      bl *= col[a * 4 + 2]! * p0 + col[b * 4 + 2]! * p1 + col[c * 4 + 2]! * p2;
    }
    const tex = mesh.material.texture, uv = mesh.uvs;
    if (tex && uv) {
      const u = uv[a * 2]! * p0 + uv[b * 2]! * p1 + uv[c * 2]! * p2;
      const w = uv[a * 2 + 1]! * p0 + uv[b * 2 + 1]! * p1 + uv[c * 2 + 1]! * p2;
      // Mip level from the triangle's texel area over its pixel area (one level per triangle).
      const ua = uv[a * 2]!, va = uv[a * 2 + 1]!;
      const texels = Math.abs((uv[b * 2]! - ua) * (uv[c * 2 + 1]! - va) - (uv[c * 2]! - ua) * (uv[b * 2 + 1]! - va)) * tex.width * tex.height;
      const xa = proj.x[a]!, ya = proj.y[a]!;
      const pixels = Math.abs((proj.x[b]! - xa) * (proj.y[c]! - ya) - (proj.x[c]! - xa) * (proj.y[b]! - ya));
      const lod = pixels > 0 && texels > pixels ? 0.5 * Math.log2(texels / pixels) : 0;
      sampleTexture(tex, u, w, lod, mesh.material.wrapS, mesh.material.wrapT, texel);
      r *= texel[0]!; g *= texel[1]!; bl *= texel[2]!;
    }
    color[o] = r * light;
    color[o + 1] = g * light;
    color[o + 2] = bl * light;
  }
}

/** Averages supersamples in linear light and encodes sRGB bytes (opaque). */
function resolve(fb: Framebuffer): Uint8Array {
  const { size, width, supersample: ss, color } = fb;
  const out = new Uint8Array(size * size * 4);
  if (ss === 1) {
    for (let i = 0, o = 0; o < out.length; i += 3, o += 4) {
      out[o] = encodeSrgb8(color[i]!);
      out[o + 1] = encodeSrgb8(color[i + 1]!);
      out[o + 2] = encodeSrgb8(color[i + 2]!);
      out[o + 3] = 255;
    }
    return out;
  }
  const norm = 1 / (ss * ss);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0;
      for (let sy = 0; sy < ss; sy++) {
        let o = ((y * ss + sy) * width + x * ss) * 3;
        for (let sx = 0; sx < ss; sx++, o += 3) {
          r += color[o]!; g += color[o + 1]!; b += color[o + 2]!;
        }
      }
      const q = (y * size + x) * 4;
      out[q] = encodeSrgb8(r * norm);
      out[q + 1] = encodeSrgb8(g * norm);
      out[q + 2] = encodeSrgb8(b * norm);
      out[q + 3] = 255;
    }
  }
  return out;
}
