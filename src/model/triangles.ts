import { Primitive } from '@gltf-transform/core';

/** A primitive's triangles as vertex index triples (strips and fans unrolled); none for points and lines. */
export function triangleIndices(p: Primitive): Uint32Array {
  const count = p.getIndices()?.getCount() ?? p.getAttribute('POSITION')?.getCount() ?? 0;
  const idx = p.getIndices()?.getArray();
  const at = (i: number) => (idx ? Number(idx[i]) : i);
  const mode = p.getMode();
  if (mode === Primitive.Mode.TRIANGLES) {
    const n = Math.floor(count / 3) * 3;
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = at(i);
    return out;
  }
  if (mode === Primitive.Mode.TRIANGLE_STRIP || mode === Primitive.Mode.TRIANGLE_FAN) {
    const tris = Math.max(0, count - 2);
    const out = new Uint32Array(tris * 3);
    for (let i = 0; i < tris; i++) {
      if (mode === Primitive.Mode.TRIANGLE_FAN) out.set([at(0), at(i + 1), at(i + 2)], i * 3);
      else if (i % 2 === 0) out.set([at(i), at(i + 1), at(i + 2)], i * 3);
      else out.set([at(i + 1), at(i), at(i + 2)], i * 3);
    }
    return out;
  }
  return new Uint32Array();
}

/** Determinant of the upper 3×3 of a column-major 4×4 matrix: negative when it mirrors (winding flips). */
export function det3(m: ArrayLike<number>): number {
  const a = m[0]!, b = m[4]!, c = m[8]!, d = m[1]!, e = m[5]!, f = m[9]!, g = m[2]!, h = m[6]!, i = m[10]!;
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

export function transformPoint(m: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  return [
    m[0]! * x + m[4]! * y + m[8]! * z + m[12]!,
    m[1]! * x + m[5]! * y + m[9]! * z + m[13]!,
    m[2]! * x + m[6]! * y + m[10]! * z + m[14]!,
  ];
}
