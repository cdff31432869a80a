// Anti-aliasing by surface-aware supersampling: visibility is resolved at several samples per pixel
// (raster.ts), but a pixel is shaded once per distinct surface among its samples, not once per sample.
// Samples belong to the same surface when they show the same mesh, from the same side, at nearly the
// same depth, on triangles that do not fold against each other: across the small triangles of one
// smooth surface a pixel is shaded once (as a GPU shades once per pixel), while silhouettes, creases,
// overlapping parts and the background mix in proportion to the samples they cover.
import type { Framing } from './framing.js';
import type { SampleBuffers } from './raster.js';
import type { RenderScene } from './scene.js';
import type { PointWeights } from './shading.js';

/**
 * Shades a visible point into out[0..3] (linear RGB, alpha): mesh index, triangle (negative: back), and
 * `at`: the perspective-correct weights of its corners and the triangle's area in pixels (PointWeights).
 */
export type PointShader = (mesh: number, triangle: number, at: PointWeights, out: Float64Array) => void;

/** Linear RGB of the background behind the centre of pixel (x, y) (column and row, from the top-left). */
export type Backdrop = (x: number, y: number, out: Float64Array) => void;

/**
 * The depth difference beyond which two samples of one mesh are different surfaces: a fiftieth of the
 * model's size, or four pixels' worth of depth at the model's distance (a surface seen at a slant climbs
 * that much across a pixel), whichever is more.
 */
export function surfaceGap(f: Framing, size: number): number {
  const pixel = (2 * f.distance * Math.tan((f.fovDeg * Math.PI) / 360)) / size;
  return Math.max(0.02 * f.radius, 4 * pixel);
}

/** Sample indices, the one nearest the pixel's centre first (ties in pattern order). */
export function sampleOrder(buf: SampleBuffers): Int32Array {
  const order = Array.from({ length: buf.samples }, (_, k) => k);
  const d = (k: number) => Math.hypot(buf.offsetX[k]!, buf.offsetY[k]!);
  order.sort((a, b) => d(a) - d(b) || a - b);
  return Int32Array.from(order);
}

/** Triangles of one mesh folding by more than this (30°) are different surfaces. */
const COS_FOLD = Math.cos(Math.PI / 6);

const colour = new Float64Array(4);
const bg = new Float64Array(3);
/** Where a surface is shaded: screen barycentrics (corners 1, 2) at the pixel's centre, or at its first sample. */
const at = new Float64Array(2);
const point: PointWeights = new Float64Array(4);

/**
 * Screen barycentrics of corners 1 and 2 of a triangle at the centre of pixel (px, py) into `at`, when the
 * centre is inside it; otherwise those of sample s (its barycentrics in b1, b2).
 */
function shadingPosition(x: Float32Array, y: Float32Array, a: number, b: number, c: number, px: number, py: number, b1: Float32Array, b2: Float32Array, s: number): void {
  const x0 = x[a]!, y0 = y[a]!, x1 = x[b]!, y1 = y[b]!, x2 = x[c]!, y2 = y[c]!;
  const inv = 1 / ((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0));
  const cx = px + 0.5, cy = py + 0.5;
  const c1 = ((x0 - x2) * (cy - y2) - (y0 - y2) * (cx - x2)) * inv;
  const c2 = ((x1 - x0) * (cy - y0) - (y1 - y0) * (cx - x0)) * inv;
  const inside = c1 >= 0 && c2 >= 0 && 1 - c1 - c2 >= 0;
  at[0] = inside ? c1 : b1[s]!;
  at[1] = inside ? c2 : b2[s]!;
}

/**
 * Resolves every pixel into `out` (linear RGB, size × size × 3): background and surfaces weighted by the
 * samples they cover. `gap` is the depth difference (camera space) beyond which two samples of one
 * mesh are different surfaces.
 */
export function resolvePixels(scene: RenderScene, buf: SampleBuffers, shade: PointShader, backdrop: Backdrop, gap: number, out: Float32Array): void {
  const { size, samples: S } = buf;
  const order = sampleOrder(buf);
  const norm = 1 / S;
  const repMesh = new Int32Array(S), repTri = new Int32Array(S), repSample = new Int32Array(S), repWeight = new Int32Array(S);
  const repDepth = new Float64Array(S);
  const meshBuf = buf.mesh, triBuf = buf.triangle, depth = buf.depth;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0, reps = 0;
      const first = (py * size + px) * S;
      // Most pixels show one triangle or none in all their samples.
      const m0 = meshBuf[first]!, t0 = triBuf[first]!;
      let uniform = true;
      for (let k = 1; k < S && uniform; k++) uniform = meshBuf[first + k] === m0 && (m0 < 0 || triBuf[first + k] === t0);
      if (uniform) {
        if (m0 < 0) background = S;
        else {
          repMesh[0] = m0;
          repTri[0] = t0;
          repSample[0] = first + order[0]!;
          repWeight[0] = S;
          reps = 1;
        }
      }
      for (let k = 0; k < S && !uniform; k++) {
        const s = first + order[k]!;
        const m = meshBuf[s]!;
        if (m < 0) {
          background++;
          continue;
        }
        const tri = triBuf[s]!;
        let r = 0, z = -1;
        for (; r < reps; r++) {
          if (repMesh[r] !== m) continue;
          if (repTri[r] === tri) break;
          // Another triangle of the same mesh: the same surface if it faces the same way, at about the same
          // depth, less than 30° from the representative's plane.
          if (repTri[r]! < 0 !== tri < 0) continue;
          if (z < 0) z = 1 / depth[s]!;
          if (Math.abs(repDepth[r]! - z) > gap) continue;
          const fn = scene.meshes[m]!.faceNormals, i = (tri < 0 ? -tri - 1 : tri) * 3, j = (repTri[r]! < 0 ? -repTri[r]! - 1 : repTri[r]!) * 3;
          if (fn[i]! * fn[j]! + fn[i + 1]! * fn[j + 1]! + fn[i + 2]! * fn[j + 2]! >= COS_FOLD) break;
        }
        if (r < reps) repWeight[r]!++;
        else {
          repMesh[reps] = m;
          repTri[reps] = tri;
          repSample[reps] = s;
          repDepth[reps] = z < 0 ? 1 / depth[s]! : z;
          repWeight[reps] = 1;
          reps++;
        }
      }
      let cr = 0, cg = 0, cb = 0;
      if (background > 0) {
        backdrop(px, py, bg);
        cr = bg[0]! * background;
        cg = bg[1]! * background;
        cb = bg[2]! * background;
      }
      for (let r = 0; r < reps; r++) {
        const m = repMesh[r]!, s = repSample[r]!;
        let tri = repTri[r]!;
        if (tri < 0) tri = -tri - 1;
        const mesh = scene.meshes[m]!;
        const a = mesh.indices[tri * 3]!, b = mesh.indices[tri * 3 + 1]!, c = mesh.indices[tri * 3 + 2]!;
        const { x, y, iw } = buf.projected[m]!;
        shadingPosition(x, y, a, b, c, px, py, buf.bary1, buf.bary2, s);
        const l1 = at[0]!, l2 = at[1]!;
        // Perspective-correct weights: screen-space barycentrics divided by w, renormalised.
        const p0 = (1 - l1 - l2) * iw[a]!, p1 = l1 * iw[b]!, p2 = l2 * iw[c]!;
        const sum = 1 / (p0 + p1 + p2);
        point[0] = p0 * sum;
        point[1] = p1 * sum;
        point[2] = p2 * sum;
        point[3] = Math.abs((x[b]! - x[a]!) * (y[c]! - y[a]!) - (x[c]! - x[a]!) * (y[b]! - y[a]!)) / 2;
        shade(m, repTri[r]!, point, colour);
        const w = repWeight[r]!;
        cr += colour[0]! * w;
        cg += colour[1]! * w;
        cb += colour[2]! * w;
      }
      const o = (py * size + px) * 3;
      out[o] = cr * norm;
      out[o + 1] = cg * norm;
      out[o + 2] = cb * norm;
    }
  }
}
