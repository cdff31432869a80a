// Column-major 4×4 matrices (glTF's layout) and the few vector operations the renderer needs.

export type Mat4 = Float64Array;

export function identity(): Mat4 {
  const m = new Float64Array(16);
  m[0] = m[5] = m[10] = m[15] = 1;
  return m;
}

export function fromArray(values: ArrayLike<number>): Mat4 {
  const m = new Float64Array(16);
  for (let i = 0; i < 16; i++) m[i] = values[i] ?? 0;
  return m;
}

/** a × b (apply b first, then a). */
export function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Float64Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + row]! * b[col * 4 + k]!;
      out[col * 4 + row] = s;
    }
  }
  return out;
}

/** Determinant of the upper-left 3×3: negative when a transform mirrors (and so flips winding). */
export function det3(m: Mat4): number {
  const [a, b, c, , d, e, f, , g, h, i] = m as unknown as number[];
  return a! * (e! * i! - f! * h!) - d! * (b! * i! - c! * h!) + g! * (b! * f! - c! * e!);
}

/**
 * The matrix that transforms normals: inverse-transpose of the upper-left 3×3, as 9 numbers column-major.
 * Singular matrices (a zero scale) give the plain 3×3; their triangles are degenerate anyway.
 */
export function normalMatrix(m: Mat4): Float64Array {
  const a = m[0]!, b = m[1]!, c = m[2]!;
  const d = m[4]!, e = m[5]!, f = m[6]!;
  const g = m[8]!, h = m[9]!, i = m[10]!;
  const det = det3(m);
  const out = new Float64Array(9);
  if (Math.abs(det) < 1e-30) {
    out.set([a, b, c, d, e, f, g, h, i]);
    return out;
  }
  const inv = 1 / det;
  // Transpose of the inverse == cofactor matrix / det, laid out column-major.
  out[0] = (e * i - f * h) * inv;
  out[1] = (f * g - d * i) * inv;
  out[2] = (d * h - e * g) * inv;
  out[3] = (c * h - b * i) * inv;
  out[4] = (a * i - c * g) * inv;
  out[5] = (b * g - a * h) * inv;
  out[6] = (b * f - c * e) * inv;
  out[7] = (c * d - a * f) * inv;
  out[8] = (a * e - b * d) * inv;
  return out;
}

export type Vec3 = [number, number, number];

export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export function normalize(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]);
  return l > 0 ? [a[0] / l, a[1] / l, a[2] / l] : [0, 0, 0];
}

/** World → camera matrix for a camera at `eye` looking at `target` (right-handed, camera looks down −Z). */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3): Mat4 {
  const z = normalize(sub(eye, target));
  let x = normalize(cross(up, z));
  if (x[0] === 0 && x[1] === 0 && x[2] === 0) x = [1, 0, 0];
  const y = cross(z, x);
  const m = identity();
  m[0] = x[0]; m[4] = x[1]; m[8] = x[2];
  m[1] = y[0]; m[5] = y[1]; m[9] = y[2];
  m[2] = z[0]; m[6] = z[1]; m[10] = z[2];
  m[12] = -dot(x, eye);
  m[13] = -dot(y, eye);
  m[14] = -dot(z, eye);
  return m;
}
