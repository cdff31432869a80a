// Framing: a perspective camera orbiting the model's bounding sphere, so that any model, whatever its
// size or position, fills about the same share of the frame.
import { lookAt, type Mat4, type Vec3 } from './math.js';
import type { RenderScene } from './scene.js';

export interface Sphere {
  center: Vec3;
  radius: number;
}

export interface Camera {
  /** World → camera (camera looks down −Z, +Y up). */
  view: Mat4;
  /** 1 / tan(fov / 2): camera-space x/−z of 1 maps to the frame's edge. */
  focal: number;
  eye: Vec3;
}

export interface Framing {
  /** Vertical (and horizontal: frames are square) field of view, degrees. */
  fovDeg: number;
  /** Share of the frame's width the bounding sphere's silhouette spans. */
  fill: number;
  /** Camera height above the sphere's equator, degrees. */
  elevationDeg: number;
}

export const DEFAULT_FRAMING: Framing = { fovDeg: 30, fill: 0.8, elevationDeg: 20 };

/** Centre of the world-space bounding box, radius reaching the farthest vertex. */
export function boundingSphere(scene: RenderScene): Sphere | null {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const m of scene.meshes) {
    const p = m.positions;
    for (let i = 0; i < p.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        const v = p[i + k]!;
        if (v < min[k]!) min[k] = v;
        if (v > max[k]!) max[k] = v;
      }
    }
  }
  if (!(min[0] <= max[0]) || !Number.isFinite(min[0] + min[1] + min[2] + max[0] + max[1] + max[2])) return null;
  const center: Vec3 = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  let r2 = 0;
  for (const m of scene.meshes) {
    const p = m.positions;
    for (let i = 0; i < p.length; i += 3) {
      const dx = p[i]! - center[0], dy = p[i + 1]! - center[1], dz = p[i + 2]! - center[2];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > r2) r2 = d2;
    }
  }
  return { center, radius: Math.sqrt(r2) };
}

/**
 * The camera at `azimuthDeg` around the vertical axis through the sphere's centre (0° looks at the
 * model's front, from +Z, glTF's convention). The distance makes the sphere's silhouette span `fill`
 * of the frame: a sphere seen from distance d has angular radius asin(r / d).
 */
export function orbitCamera(sphere: Sphere, azimuthDeg: number, framing: Framing = DEFAULT_FRAMING): Camera {
  const halfFov = (framing.fovDeg * Math.PI) / 360;
  const tanAlpha = framing.fill * Math.tan(halfFov);
  const sinAlpha = tanAlpha / Math.sqrt(1 + tanAlpha * tanAlpha);
  const radius = sphere.radius > 0 ? sphere.radius : 1;
  const distance = radius / sinAlpha;
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (framing.elevationDeg * Math.PI) / 180;
  const [cx, cy, cz] = sphere.center;
  const eye: Vec3 = [
    cx + distance * Math.cos(el) * Math.sin(az),
    cy + distance * Math.sin(el),
    cz + distance * Math.cos(el) * Math.cos(az),
  ];
  return { view: lookAt(eye, sphere.center, [0, 1, 0]), focal: 1 / Math.tan(halfFov), eye };
}
