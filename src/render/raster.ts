// Rasterising: project the vertices, then fill a depth-tested visibility buffer with several samples per
// pixel at fixed sub-pixel positions: which triangle covers each sample, and where. Nothing is shaded
// here; aa.ts shades what the samples show.
import type { Camera } from './framing.js';
import type { RenderMesh, RenderScene } from './scene.js';
import { baseColorAt, type PointWeights } from './shading.js';

/**
 * Sample positions within a pixel (offsets from its centre, in pixels), by count: the standard MSAA
 * patterns (Direct3D's), whose rotated grids give every sample its own row and column, so that nearly
 * horizontal and nearly vertical edges get as many shades as there are samples.
 */
export const SAMPLE_PATTERNS: Record<number, readonly (readonly [number, number])[]> = {
  1: [[0, 0]],
  4: [[-2, -6], [6, -2], [-6, 2], [2, 6]].map(([x, y]) => [x! / 16, y! / 16] as const),
  8: [[1, -3], [-1, 3], [5, 1], [-3, -5], [-5, 5], [-7, -1], [3, 7], [7, -7]].map(([x, y]) => [x! / 16, y! / 16] as const),
};

/** Buffers reused from frame to frame of one model. Sample k of pixel p is entry p × samples + k. */
export interface SampleBuffers {
  /** Pixels across (and down). */
  size: number;
  samples: number;
  /** The pattern's x and y offsets. */
  offsetX: Float64Array;
  offsetY: Float64Array;
  /** 1/w of the nearest surface; 0 where nothing is drawn. Larger is nearer. */
  depth: Float32Array;
  /** Index of the mesh drawn at each sample, −1 for none. */
  mesh: Int32Array;
  /** Triangle (index of its first corner / 3) at each sample; −t − 1 when seen from behind. */
  triangle: Int32Array;
  /** Screen-space barycentrics of corners 1 and 2 at the sample. */
  bary1: Float32Array;
  bary2: Float32Array;
  /** Projected vertices per mesh: x, y in pixels and 1/w. */
  projected: { x: Float32Array; y: Float32Array; iw: Float32Array }[];
}

export function createSampleBuffers(scene: RenderScene, size: number, samples: number): SampleBuffers {
  const pattern = SAMPLE_PATTERNS[samples];
  if (!pattern) throw new Error(`no sample pattern for ${samples} samples (have ${Object.keys(SAMPLE_PATTERNS).join(', ')})`);
  const n = size * size * samples;
  return {
    size,
    samples,
    offsetX: Float64Array.from(pattern, (p) => p[0]),
    offsetY: Float64Array.from(pattern, (p) => p[1]),
    depth: new Float32Array(n),
    mesh: new Int32Array(n),
    triangle: new Int32Array(n),
    bary1: new Float32Array(n),
    bary2: new Float32Array(n),
    projected: scene.meshes.map((m) => {
      const c = m.positions.length / 3;
      return { x: new Float32Array(c), y: new Float32Array(c), iw: new Float32Array(c) };
    }),
  };
}

export function project(mesh: RenderMesh, camera: Camera, buf: SampleBuffers, index: number): void {
  const v = camera.view;
  const p = mesh.positions;
  const out = buf.projected[index]!;
  const half = buf.size / 2;
  const f = camera.focal * half;
  const v0 = v[0]!, v1 = v[1]!, v2 = v[2]!, v4 = v[4]!, v5 = v[5]!, v6 = v[6]!;
  const v8 = v[8]!, v9 = v[9]!, v10 = v[10]!, v12 = v[12]!, v13 = v[13]!, v14 = v[14]!;
  for (let i = 0, j = 0; j < out.iw.length; i += 3, j++) {
    const x = p[i]!, y = p[i + 1]!, z = p[i + 2]!;
    const cx = v0 * x + v4 * y + v8 * z + v12;
    const cy = v1 * x + v5 * y + v9 * z + v13;
    const cz = v2 * x + v6 * y + v10 * z + v14;
    // The camera sits outside the bounding sphere (framing.ts), so every vertex is in front of it (−cz > 0).
    const iw = 1 / -cz;
    out.iw[j] = iw;
    out.x[j] = half + cx * f * iw;
    out.y[j] = half - cy * f * iw;
  }
}

export function clear(buf: SampleBuffers): void {
  buf.depth.fill(0);
  buf.mesh.fill(-1);
}

/** A projected triangle's box of pixels that may hold a covered sample, its edge functions and orientation. */
export interface TriangleSetup {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** 1 / (twice the signed area). */
  inv: number;
  /** Seen from behind (clockwise on screen). */
  back: boolean;
}

const setup: TriangleSetup = { minX: 0, maxX: 0, minY: 0, maxY: 0, inv: 0, back: false };

/**
 * The triangle's setup (a shared object, valid until the next call), or null when it is degenerate,
 * culled (seen from behind and `cull`) or off screen. The box spans half a pixel beyond the triangle:
 * samples sit up to half a pixel from their pixel's centre.
 */
export function triangleSetup(x: Float32Array, y: Float32Array, a: number, b: number, c: number, size: number, cull: boolean): TriangleSetup | null {
  // Indices in, not coordinates: V8 boxes every double passed to a call it does not inline.
  const x0 = x[a]!, y0 = y[a]!, x1 = x[b]!, y1 = y[b]!, x2 = x[c]!, y2 = y[c]!;
  const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (!(area !== 0)) return null; // degenerate or NaN
  // Screen y points down, so glTF's counter-clockwise front faces have a negative area here.
  const back = area > 0;
  if (back && cull) return null;
  setup.minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
  setup.maxX = Math.min(size - 1, Math.floor(Math.max(x0, x1, x2)));
  setup.minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
  setup.maxY = Math.min(size - 1, Math.floor(Math.max(y0, y1, y2)));
  if (setup.minX > setup.maxX || setup.minY > setup.maxY) return null;
  setup.inv = 1 / area;
  setup.back = back;
  return setup;
}

const base = new Float64Array(4);
const point: PointWeights = new Float64Array(4);

/** Rasterises the opaque and alpha-masked triangles of `mesh` into the visibility buffer. BLEND is drawn later. */
export function rasterise(mesh: RenderMesh, buf: SampleBuffers, meshIndex: number): void {
  const mat = mesh.material;
  if (mat.alphaMode === 'BLEND') return;
  const { x: sx, y: sy, iw } = buf.projected[meshIndex]!;
  const idx = mesh.indices;
  const size = buf.size, S = buf.samples, ox = buf.offsetX, oy = buf.offsetY;
  const depth = buf.depth, meshBuf = buf.mesh, triBuf = buf.triangle, b1Buf = buf.bary1, b2Buf = buf.bary2;
  const cull = !mat.doubleSided;
  const masked = mat.alphaMode === 'MASK';
  const EPS = -1e-6;
  const d0 = new Float64Array(S), d1 = new Float64Array(S);
  for (let t = 0; t < idx.length; t += 3) {
    const a = idx[t]!, b = idx[t + 1]!, c = idx[t + 2]!;
    const x0 = sx[a]!, y0 = sy[a]!, x1 = sx[b]!, y1 = sy[b]!, x2 = sx[c]!, y2 = sy[c]!;
    const s = triangleSetup(sx, sy, a, b, c, size, cull);
    if (!s) continue;
    const { minX, maxX, minY, maxY, inv, back } = s;
    // Barycentrics of corner 0 (edge 1→2) and corner 1 (edge 2→0) are affine in the position.
    const a0x = -(y2 - y1) * inv, a0y = (x2 - x1) * inv;
    const a1x = -(y0 - y2) * inv, a1y = (x0 - x2) * inv;
    const a2x = -a0x - a1x, a2y = -a0y - a1y;
    for (let k = 0; k < S; k++) {
      d0[k] = a0x * ox[k]! + a0y * oy[k]!;
      d1[k] = a1x * ox[k]! + a1y * oy[k]!;
    }
    // How far a sample's barycentric can be from its pixel centre's, per edge.
    const r0 = 0.5 * (Math.abs(a0x) + Math.abs(a0y)), r1 = 0.5 * (Math.abs(a1x) + Math.abs(a1y)), r2 = 0.5 * (Math.abs(a2x) + Math.abs(a2y));
    const iw0 = iw[a]!, iw1 = iw[b]!, iw2 = iw[c]!;
    const triId = back ? -(t / 3) - 1 : t / 3;
    const screenArea = Math.abs(1 / inv) / 2;
    for (let y = minY; y <= maxY; y++) {
      const py = y + 0.5, px = minX + 0.5;
      const e0 = ((x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)) * inv;
      const e1 = ((x0 - x2) * (py - y2) - (y0 - y2) * (px - x2)) * inv;
      // The pixels of this row whose centre is within reach of all three edges (each barycentric is linear in x).
      let lo = minX, hi = maxX;
      const f0 = e0 + r0, f1 = e1 + r1, f2 = 1 - e0 - e1 + r2;
      if (a0x > 0) lo = Math.max(lo, Math.ceil(minX + (EPS - f0) / a0x - 1e-9));
      else if (a0x < 0) hi = Math.min(hi, Math.floor(minX + (EPS - f0) / a0x + 1e-9));
      else if (f0 < EPS) continue;
      if (a1x > 0) lo = Math.max(lo, Math.ceil(minX + (EPS - f1) / a1x - 1e-9));
      else if (a1x < 0) hi = Math.min(hi, Math.floor(minX + (EPS - f1) / a1x + 1e-9));
      else if (f1 < EPS) continue;
      if (a2x > 0) lo = Math.max(lo, Math.ceil(minX + (EPS - f2) / a2x - 1e-9));
      else if (a2x < 0) hi = Math.min(hi, Math.floor(minX + (EPS - f2) / a2x + 1e-9));
      else if (f2 < EPS) continue;
      let c0 = e0 + a0x * (lo - minX);
      let c1 = e1 + a1x * (lo - minX);
      for (let x = lo; x <= hi; x++, c0 += a0x, c1 += a1x) {
        const first = (y * size + x) * S;
        for (let k = 0; k < S; k++) {
          const l0 = c0 + d0[k]!, l1 = c1 + d1[k]!, l2 = 1 - l0 - l1;
          if (l0 < EPS || l1 < EPS || l2 < EPS) continue;
          const z = l0 * iw0 + l1 * iw1 + l2 * iw2;
          const i = first + k;
          if (z <= depth[i]!) continue;
          if (masked) {
            const q0 = (l0 * iw0) / z, q1 = (l1 * iw1) / z;
            point[0] = q0;
            point[1] = q1;
            point[2] = 1 - q0 - q1;
            point[3] = screenArea;
            baseColorAt(mesh, a, b, c, point, base);
            if (base[3]! < mat.alphaCutoff) continue;
          }
          depth[i] = z;
          meshBuf[i] = meshIndex;
          triBuf[i] = triId;
          b1Buf[i] = l1;
          b2Buf[i] = l2;
        }
      }
    }
  }
}
