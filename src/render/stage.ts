// What the model stands on: a gentle vertical gradient behind it and a soft contact shadow on an
// otherwise invisible floor at the model's lowest point. The shadow is a top-down map of how close the
// model comes to each spot of the floor, blurred: dark and tight where the model touches, fading for
// parts higher up. The model does not move (the camera turns round it), so one map serves every frame.
import type { Backdrop } from './aa.js';
import type { Camera, Framing } from './framing.js';
import type { RenderScene } from './scene.js';
import { SRGB8_TO_LINEAR } from './srgb.js';

export interface StageOptions {
  /** sRGB bytes of the background at the top and at the bottom of the frame. */
  top: [number, number, number];
  bottom: [number, number, number];
  /** How dark the shadow is where the model touches the floor (0: no shadow, 1: black). */
  shadow: number;
}

export const DEFAULT_STAGE: StageOptions = { top: [236, 237, 240], bottom: [196, 198, 203], shadow: 1 };

/** The map's cells across: the shadow is soft, so a coarse map is enough. */
const MAP = 96;

export interface Stage {
  options: StageOptions;
  /** The floor's height (the model's lowest point). */
  floorY: number;
  /** The map covers [x0, x0 + span] × [z0, z0 + span] of the floor. */
  x0: number;
  z0: number;
  span: number;
  /** Darkness 0…1 per cell, row-major (z rows, x columns). */
  shadow: Float32Array;
}

/** Box blur of radius r (cells) along rows, then columns, in place. */
function blur(map: Float32Array, n: number, r: number): void {
  const tmp = new Float32Array(n);
  for (const [stride, step] of [[n, 1], [1, n]] as const) {
    for (let line = 0; line < n; line++) {
      const base = line * stride;
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += map[base + Math.min(n - 1, Math.max(0, k)) * step]!;
      for (let i = 0; i < n; i++) {
        tmp[i] = sum / (2 * r + 1);
        sum += map[base + Math.min(n - 1, i + r + 1) * step]! - map[base + Math.max(0, i - r) * step]!;
      }
      for (let i = 0; i < n; i++) map[base + i * step] = tmp[i]!;
    }
  }
}

/** The stage for a scene framed by `framing`, or one without a shadow when options.shadow is 0. */
export function buildStage(scene: RenderScene, framing: Framing, options: StageOptions = DEFAULT_STAGE): Stage {
  let floorY = Infinity, topY = -Infinity, reach = 0;
  const [ax, , az] = framing.target;
  for (const m of scene.meshes) {
    const p = m.positions;
    for (let i = 0; i < p.length; i += 3) {
      const x = p[i]!, y = p[i + 1]!, z = p[i + 2]!;
      if (!Number.isFinite(x + y + z)) continue;
      if (y < floorY) floorY = y;
      if (y > topY) topY = y;
      reach = Math.max(reach, Math.hypot(x - ax, z - az));
    }
  }
  const height = Math.max(topY - floorY, 1e-9);
  const span = 2 * Math.max(reach, 1e-9) * 1.5;
  const stage: Stage = { options, floorY, x0: ax - span / 2, z0: az - span / 2, span, shadow: new Float32Array(MAP * MAP) };
  if (!(options.shadow > 0) || !Number.isFinite(floorY)) return stage;

  // Lowest point of the model above each cell, from its vertices and the triangles spanning cells.
  const low = new Float32Array(MAP * MAP).fill(Infinity);
  const cell = span / MAP;
  const put = (x: number, z: number, y: number) => {
    const i = Math.floor((x - stage.x0) / cell), j = Math.floor((z - stage.z0) / cell);
    if (i >= 0 && j >= 0 && i < MAP && j < MAP && y < low[j * MAP + i]!) low[j * MAP + i] = y;
  };
  for (const m of scene.meshes) {
    const p = m.positions, idx = m.indices;
    for (let i = 0; i < p.length; i += 3) put(p[i]!, p[i + 2]!, p[i + 1]!);
    for (let t = 0; t < idx.length; t += 3) {
      const a = idx[t]! * 3, b = idx[t + 1]! * 3, c = idx[t + 2]! * 3;
      const xa = p[a]!, za = p[a + 2]!, xb = p[b]!, zb = p[b + 2]!, xc = p[c]!, zc = p[c + 2]!;
      const area = (xb - xa) * (zc - za) - (xc - xa) * (zb - za);
      // Only triangles wider than a cell need filling in: the vertices cover the rest.
      if (!(Math.abs(area) > cell * cell)) continue;
      const i0 = Math.max(0, Math.floor((Math.min(xa, xb, xc) - stage.x0) / cell)), i1 = Math.min(MAP - 1, Math.floor((Math.max(xa, xb, xc) - stage.x0) / cell));
      const j0 = Math.max(0, Math.floor((Math.min(za, zb, zc) - stage.z0) / cell)), j1 = Math.min(MAP - 1, Math.floor((Math.max(za, zb, zc) - stage.z0) / cell));
      for (let j = j0; j <= j1; j++) {
        const z = stage.z0 + (j + 0.5) * cell;
        for (let i = i0; i <= i1; i++) {
          const x = stage.x0 + (i + 0.5) * cell;
          const wa = ((xb - x) * (zc - z) - (xc - x) * (zb - z)) / area;
          const wb = ((xc - x) * (za - z) - (xa - x) * (zc - z)) / area;
          const wc = 1 - wa - wb;
          if (wa < 0 || wb < 0 || wc < 0) continue;
          const y = wa * p[a + 1]! + wb * p[b + 1]! + wc * p[c + 1]!;
          if (y < low[j * MAP + i]!) low[j * MAP + i] = y;
        }
      }
    }
  }
  // Two layers: a dark one for what is near the floor, a fainter, wider one for the body above it.
  const contact = new Float32Array(MAP * MAP), body = new Float32Array(MAP * MAP);
  for (let i = 0; i < low.length; i++) {
    const h = (low[i]! - floorY) / height;
    if (!Number.isFinite(h)) continue;
    contact[i] = Math.max(0, 1 - h / 0.45) ** 2;
    body[i] = Math.max(0, 1 - h / 0.6);
  }
  // Blur radii in cells: 6 % of the model's height for the contact, 10 % for the body. (Tuned against
  // model-viewer's soft shadow on spheres and boxes: test/bench/turntable-reference.ts.)
  const cells = (share: number) => Math.max(1, Math.round((share * height) / cell));
  blur(contact, MAP, cells(0.06));
  blur(contact, MAP, cells(0.06));
  blur(body, MAP, cells(0.1));
  blur(body, MAP, cells(0.1));
  for (let i = 0; i < low.length; i++) stage.shadow[i] = 1 - (1 - 0.9 * contact[i]!) * (1 - 0.5 * body[i]!);
  return stage;
}

const cellAt = (stage: Stage, i: number, j: number) => (i >= 0 && j >= 0 && i < MAP && j < MAP ? stage.shadow[j * MAP + i]! : 0);

/** Shadow darkness (0…1) at floor point (x, z), bilinear. */
export function shadowAt(stage: Stage, x: number, z: number): number {
  floorPoint[0] = x;
  floorPoint[1] = z;
  return shadowAtPoint(stage, floorPoint);
}

const floorPoint = new Float64Array(2);

/** shadowAt of floor point (p[0], p[1]): the backdrop's form, which passes no doubles (V8 boxes them in calls). */
function shadowAtPoint(stage: Stage, p: Float64Array): number {
  const fx = ((p[0]! - stage.x0) / stage.span) * MAP - 0.5, fz = ((p[1]! - stage.z0) / stage.span) * MAP - 0.5;
  const i = Math.floor(fx), j = Math.floor(fz);
  if (!(i >= -1 && j >= -1 && i < MAP && j < MAP)) return 0;
  const tx = fx - i, tz = fz - j;
  return (cellAt(stage, i, j) * (1 - tx) + cellAt(stage, i + 1, j) * tx) * (1 - tz) + (cellAt(stage, i, j + 1) * (1 - tx) + cellAt(stage, i + 1, j + 1) * tx) * tz;
}

/**
 * The background of one frame: call `at(x, y)` for a pixel (column and row, from the top-left) to get the
 * linear RGB at its centre: the gradient of its row, darkened by the shadow where its ray meets the floor.
 */
export function backdrop(stage: Stage, camera: Camera, size: number): Backdrop {
  const { top, bottom, shadow: strength } = stage.options;
  const rows = new Float64Array(size * 3);
  for (let y = 0; y < size; y++) {
    const t = (y + 0.5) / size;
    for (let k = 0; k < 3; k++) rows[y * 3 + k] = SRGB8_TO_LINEAR[top[k]!]! * (1 - t) + SRGB8_TO_LINEAR[bottom[k]!]! * t;
  }
  const v = camera.view, f = camera.focal, e = camera.eye;
  const half = size / 2;
  return (x, y, out) => {
    const row = Math.min(size - 1, Math.max(0, y)) * 3;
    let dark = 0;
    if (strength > 0) {
      const px = x + 0.5, py = y + 0.5;
      // The pixel's ray in camera space, turned to world space by the view's transpose.
      const cx = (px - half) / (half * f), cy = (half - py) / (half * f);
      const dy = v[4]! * cx + v[5]! * cy - v[6]!;
      if (dy < 0) {
        const dx = v[0]! * cx + v[1]! * cy - v[2]!, dz = v[8]! * cx + v[9]! * cy - v[10]!;
        const t = (stage.floorY - e[1]) / dy;
        floorPoint[0] = e[0] + t * dx;
        floorPoint[1] = e[2] + t * dz;
        dark = strength * shadowAtPoint(stage, floorPoint);
      }
    }
    out[0] = rows[row]! * (1 - dark);
    out[1] = rows[row + 1]! * (1 - dark);
    out[2] = rows[row + 2]! * (1 - dark);
  };
}
