import type { Document } from '@gltf-transform/core';
import { meshNodes } from './stats.js';
import { det3, transformPoint, triangleIndices } from './triangles.js';

export const STL_HEADER_BYTES = 84;
export const STL_TRIANGLE_BYTES = 50;

/**
 * A binary STL for printing: every node's world transform applied, glTF's Y-up turned into
 * Z-up, scaled so the height (glTF Y, STL Z) is `heightMm`, resting on Z = 0, facet normals written.
 */
export function toStl(doc: Document, heightMm: number): Uint8Array {
  // World-space triangles, already in Z-up: (x, y, z)gltf → (x, −z, y).
  const coords: number[] = [];
  for (const node of meshNodes(doc)) {
    const m = node.getWorldMatrix();
    const flip = det3(m) < 0;
    for (const p of node.getMesh()!.listPrimitives()) {
      const pos = p.getAttribute('POSITION');
      if (!pos) continue;
      const tri = triangleIndices(p);
      const v: number[] = [0, 0, 0];
      for (let i = 0; i < tri.length; i += 3) {
        const order = flip ? [0, 2, 1] : [0, 1, 2];
        for (const k of order) {
          pos.getElement(tri[i + k]!, v);
          const [x, y, z] = transformPoint(m, v[0]!, v[1]!, v[2]!);
          coords.push(x, -z, y);
        }
      }
    }
  }
  const n = coords.length / 9;
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxZ = -Infinity;
  for (let i = 0; i < coords.length; i += 3) {
    minX = Math.min(minX, coords[i]!);
    minY = Math.min(minY, coords[i + 1]!);
    minZ = Math.min(minZ, coords[i + 2]!);
    maxZ = Math.max(maxZ, coords[i + 2]!);
  }
  const height = maxZ - minZ;
  const scale = height > 0 ? heightMm / height : 1;

  const out = new Uint8Array(STL_HEADER_BYTES + STL_TRIANGLE_BYTES * n);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(`model3d-bot STL, ${heightMm} mm tall, Z up`).subarray(0, 80));
  view.setUint32(80, n, true);
  let o = STL_HEADER_BYTES;
  const vtx = (t: number, k: number, axis: number) => {
    const min = axis === 0 ? minX : axis === 1 ? minY : minZ;
    return (coords[t * 9 + k * 3 + axis]! - (n ? min : 0)) * scale;
  };
  for (let t = 0; t < n; t++) {
    const a = [0, 1, 2].map((ax) => vtx(t, 0, ax));
    const b = [0, 1, 2].map((ax) => vtx(t, 1, ax));
    const c = [0, 1, 2].map((ax) => vtx(t, 2, ax));
    const u = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!];
    const w = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
    const nx = u[1]! * w[2]! - u[2]! * w[1]!;
    const ny = u[2]! * w[0]! - u[0]! * w[2]!;
    const nz = u[0]! * w[1]! - u[1]! * w[0]!;
    const len = Math.hypot(nx, ny, nz) || 1;
    for (const f of [nx / len, ny / len, nz / len, ...a, ...b, ...c]) {
      view.setFloat32(o, f, true);
      o += 4;
    }
    view.setUint16(o, 0, true);
    o += 2;
  }
  return out;
}
