// Framing: one camera set-up for the whole turn, fitted to what the model's silhouette spans over all
// frames (not its bounding sphere), so that the model fills the frame without pulsing or leaving it.
//
// The model turns about a vertical axis through its bounding box's centre; the camera looks at a point
// of that axis from `elevationDeg` above, at one distance for every frame. The distance and the point's
// height are solved so that, over the turn, the silhouette's extremes reach `1 − margin` of the frame's
// half-width or half-height (whichever is reached first) and are centred vertically.
import { lookAt, type Mat4, type Vec3 } from './math.js';
import type { RenderScene } from './scene.js';

export interface Camera {
  /** World → camera (camera looks down −Z, +Y up). */
  view: Mat4;
  /** 1 / tan(fov / 2): camera-space x/−z of 1 maps to the frame's edge. */
  focal: number;
  eye: Vec3;
}

export interface FramingOptions {
  /** Vertical (and horizontal: frames are square) field of view, degrees. */
  fovDeg: number;
  /** Camera height above the target, degrees. */
  elevationDeg: number;
  /** Share of the frame's half-size left free at the tightest frame, on each side. */
  margin: number;
  /** Azimuths fitted (evenly spaced over the turn): at least the frames rendered. */
  samples: number;
}

/**
 * 30° up: an elongated model seen end-on shows its length foreshortened in height, which fills the frame
 * where its width cannot (a 2:1 box spans 87 % of the frame over the turn, 83 % from 20° up); 4 % of
 * the half-frame free at the tightest view leaves the contact shadow room.
 */
export const DEFAULT_FRAMING_OPTIONS: FramingOptions = { fovDeg: 25, elevationDeg: 30, margin: 0.04, samples: 72 };

/** One camera set-up for every frame of the turn. */
export interface Framing {
  /** The point looked at, on the turning axis. */
  target: Vec3;
  distance: number;
  fovDeg: number;
  elevationDeg: number;
  /** The model's bounding radius (about its bounding box's centre): its scale, for tolerances. */
  radius: number;
}

/** The camera at `azimuthDeg` round the axis (0° looks at the model's front, from +Z, glTF's convention). */
export function cameraAt(f: Framing, azimuthDeg: number): Camera {
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (f.elevationDeg * Math.PI) / 180;
  const [cx, cy, cz] = f.target;
  const d = f.distance;
  const eye: Vec3 = [cx + d * Math.cos(el) * Math.sin(az), cy + d * Math.sin(el), cz + d * Math.cos(el) * Math.cos(az)];
  return { view: lookAt(eye, f.target, [0, 1, 0]), focal: 1 / Math.tan((f.fovDeg * Math.PI) / 360), eye };
}

export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** The screen bounds (normalised: −1…1 across the frame, y up) of points (xyz triples) seen by `camera`. */
export function projectedBounds(points: ArrayLike<number>, camera: Camera): Bounds {
  const v = camera.view, f = camera.focal;
  const b: Bounds = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  for (let i = 0; i + 2 < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    const iw = f / -(v[2]! * x + v[6]! * y + v[10]! * z + v[14]!);
    const px = (v[0]! * x + v[4]! * y + v[8]! * z + v[12]!) * iw;
    const py = (v[1]! * x + v[5]! * y + v[9]! * z + v[13]!) * iw;
    if (px < b.minX) b.minX = px;
    if (px > b.maxX) b.maxX = px;
    if (py < b.minY) b.minY = py;
    if (py > b.maxY) b.maxY = py;
  }
  return b;
}

/** Every finite vertex of the scene, world space, xyz triples. */
export function scenePoints(scene: RenderScene): Float64Array {
  const n = scene.meshes.reduce((s, m) => s + m.positions.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const m of scene.meshes) {
    const p = m.positions;
    for (let i = 0; i < p.length; i += 3) {
      const x = p[i]!, y = p[i + 1]!, z = p[i + 2]!;
      if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) {
        out[o++] = x; out[o++] = y; out[o++] = z;
      }
    }
  }
  return out.subarray(0, o);
}

/**
 * The points that are extreme in one of `count` directions spread over the sphere (a Fibonacci
 * lattice): vertices of (nearly) the convex hull, which is all a projected bounding box depends on.
 */
export function supportPoints(points: Float64Array, count = 128): Float64Array {
  const n = points.length / 3;
  const best = new Int32Array(count).fill(-1);
  const bestDot = new Float64Array(count).fill(-Infinity);
  const golden = Math.PI * (3 - Math.sqrt(5));
  const dirs = new Float64Array(count * 3);
  for (let k = 0; k < count; k++) {
    const y = 1 - (2 * (k + 0.5)) / count, r = Math.sqrt(1 - y * y);
    dirs.set([r * Math.cos(golden * k), y, r * Math.sin(golden * k)], k * 3);
  }
  for (let i = 0; i < n; i++) {
    const x = points[i * 3]!, y = points[i * 3 + 1]!, z = points[i * 3 + 2]!;
    for (let k = 0; k < count; k++) {
      const d = dirs[k * 3]! * x + dirs[k * 3 + 1]! * y + dirs[k * 3 + 2]! * z;
      if (d > bestDot[k]!) {
        bestDot[k] = d;
        best[k] = i;
      }
    }
  }
  const chosen = [...new Set(best)].filter((i) => i >= 0).sort((a, b) => a - b);
  const out = new Float64Array(chosen.length * 3);
  chosen.forEach((i, j) => out.set(points.subarray(i * 3, i * 3 + 3), j * 3));
  return out;
}

function turnBounds(points: ArrayLike<number>, f: Framing, samples: number): Bounds {
  const all: Bounds = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  for (let k = 0; k < samples; k++) {
    const b = projectedBounds(points, cameraAt(f, (k * 360) / samples));
    all.minX = Math.min(all.minX, b.minX);
    all.maxX = Math.max(all.maxX, b.maxX);
    all.minY = Math.min(all.minY, b.minY);
    all.maxY = Math.max(all.maxY, b.maxY);
  }
  return all;
}

/** Solves distance and target height for `points` (see the file's comment); `start` gives the axis. */
function solve(points: Float64Array, start: Framing, o: FramingOptions, minDistance: number): Framing {
  const f: Framing = { ...start, target: [...start.target] };
  const tanHalf = Math.tan((o.fovDeg * Math.PI) / 360);
  const cosEl = Math.cos((o.elevationDeg * Math.PI) / 180);
  const fill = 1 - o.margin;
  for (let i = 0; i < 40; i++) {
    const b = turnBounds(points, f, o.samples);
    const mid = (b.minY + b.maxY) / 2;
    const span = Math.max(Math.abs(b.minX), Math.abs(b.maxX), (b.maxY - b.minY) / 2);
    // Moving camera and target up by δ moves the image down by about δ·cos(el)/(d·tan(fov/2)).
    f.target[1] += (mid * f.distance * tanHalf) / cosEl;
    const scale = span / fill;
    f.distance = Math.max(minDistance, f.distance * scale);
    if (Math.abs(scale - 1) < 1e-5 && Math.abs(mid) < 1e-5) break;
    if (f.distance === minDistance && Math.abs(mid) < 1e-5) break;
  }
  return f;
}

/**
 * Adds to `extremes` the offsets (into `points`) of the vertices that `camera` projects furthest left,
 * right, up and down: whatever else is in the fit, these decide the view's bounds.
 */
function extremesOf(points: Float64Array, camera: Camera, extremes: Set<number>): void {
  const v = camera.view, f = camera.focal;
  const v0 = v[0]!, v1 = v[1]!, v2 = v[2]!, v4 = v[4]!, v5 = v[5]!, v6 = v[6]!, v8 = v[8]!, v9 = v[9]!, v10 = v[10]!, v12 = v[12]!, v13 = v[13]!, v14 = v[14]!;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, i0 = 0, i1 = 0, i2 = 0, i3 = 0;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    const iw = f / -(v2 * x + v6 * y + v10 * z + v14);
    const px = (v0 * x + v4 * y + v8 * z + v12) * iw;
    const py = (v1 * x + v5 * y + v9 * z + v13) * iw;
    if (px < minX) { minX = px; i0 = i; }
    if (px > maxX) { maxX = px; i1 = i; }
    if (py < minY) { minY = py; i2 = i; }
    if (py > maxY) { maxY = py; i3 = i; }
  }
  extremes.add(i0).add(i1).add(i2).add(i3);
}

/** The same bounds to within this share of the frame: the fit has converged. */
const SAME_BOUNDS = 1e-6;

/**
 * The framing for `scene`, or null when it has no finite vertex. Fitted on the support points, then
 * checked against every vertex: each view's extreme vertices join the fit, which is solved again until
 * they add nothing that moves the bounds (a few rounds at most).
 */
export function fitTurn(scene: RenderScene, options: Partial<FramingOptions> = {}): Framing | null {
  const o = { ...DEFAULT_FRAMING_OPTIONS, ...options };
  const all = scenePoints(scene);
  if (all.length === 0) return null;
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < all.length; i++) {
    const k = i % 3;
    if (all[i]! < min[k]!) min[k] = all[i]!;
    if (all[i]! > max[k]!) max[k] = all[i]!;
  }
  const centre: Vec3 = [(min[0]! + max[0]!) / 2, (min[1]! + max[1]!) / 2, (min[2]! + max[2]!) / 2];
  let r2 = 0;
  for (let i = 0; i < all.length; i += 3) r2 = Math.max(r2, (all[i]! - centre[0]) ** 2 + (all[i + 1]! - centre[1]) ** 2 + (all[i + 2]! - centre[2]) ** 2);
  const radius = Math.sqrt(r2) || 1;
  // Outside the bounding sphere, with room: every vertex stays in front of the camera.
  const minDistance = radius * 1.05;
  let points = supportPoints(all);
  let f: Framing = { target: centre, distance: radius / Math.sin((o.fovDeg * Math.PI) / 360), fovDeg: o.fovDeg, elevationDeg: o.elevationDeg, radius };
  for (let round = 0; ; round++) {
    f = solve(points, f, o, minDistance + Math.abs(f.target[1] - centre[1]));
    if (round === 4) break;
    const fitted = turnBounds(points, f, o.samples);
    const extremes = new Set<number>();
    for (let k = 0; k < o.samples; k++) extremesOf(all, cameraAt(f, (k * 360) / o.samples), extremes);
    const extra = [...extremes].sort((a, b) => a - b).flatMap((i) => [all[i]!, all[i + 1]!, all[i + 2]!]);
    const exact = turnBounds(extra, f, o.samples);
    const wider = exact.minX < fitted.minX - SAME_BOUNDS || exact.maxX > fitted.maxX + SAME_BOUNDS || exact.minY < fitted.minY - SAME_BOUNDS || exact.maxY > fitted.maxY + SAME_BOUNDS;
    if (!wider) break;
    points = Float64Array.from([...points, ...extra]);
  }
  return f;
}

/**
 * How much of the frame the model spans, averaged over `frames` views of the turn: per view the larger of
 * its screen bounding box's width and height, as a share of the frame's.
 */
export function turnCoverage(scene: RenderScene, f: Framing, frames = 36): number {
  const points = scenePoints(scene);
  let sum = 0;
  for (let k = 0; k < frames; k++) {
    const b = projectedBounds(points, cameraAt(f, (k * 360) / frames));
    sum += Math.max(b.maxX - b.minX, b.maxY - b.minY) / 2;
  }
  return sum / frames;
}
