// The studio baked into small octahedral maps, once per environment: one of irradiance and a stack of
// GGX-prefiltered radiance, one level per roughness step, filled from the closed forms of environment.ts.
// A lookup is a fold of the direction onto a square and a bilinear read: cheaper per pixel than summing
// the lobes, and the same for every frame (the camera's turn is a rotation of the lookup direction).
import { irradiance as exactIrradiance, pack, prefiltered as exactPrefiltered, type Environment } from './environment.js';

/** Texels across each map. */
const SIZE = 64;
/** Roughness levels 0, 1/(LEVELS−1), …, 1 (denser would blur less between them; the lobes change smoothly). */
const LEVELS = 16;

export interface BakedEnvironment {
  /** Irradiance / π, rgb per texel. */
  irradiance: Float32Array;
  /** LEVELS maps of prefiltered radiance, rgb per texel. */
  specular: Float32Array;
}

/** The unit direction of texel centre (i, j) of an octahedral map (y up: the upper hemisphere is the inner diamond). */
export function octahedralDirection(i: number, j: number, size: number): [number, number, number] {
  let x = ((i + 0.5) / size) * 2 - 1, z = ((j + 0.5) / size) * 2 - 1;
  const y = 1 - Math.abs(x) - Math.abs(z);
  if (y < 0) {
    const fx = (1 - Math.abs(z)) * Math.sign(x), fz = (1 - Math.abs(x)) * Math.sign(z);
    x = fx;
    z = fz;
  }
  const l = Math.hypot(x, y, z);
  return [x / l, y / l, z / l];
}

const baked = new WeakMap<Environment, BakedEnvironment>();

export function bake(env: Environment): BakedEnvironment {
  let b = baked.get(env);
  if (b) return b;
  const packed = pack(env);
  const texels = SIZE * SIZE;
  b = { irradiance: new Float32Array(texels * 3), specular: new Float32Array(LEVELS * texels * 3) };
  const out = new Float64Array(3);
  for (let j = 0; j < SIZE; j++) {
    for (let i = 0; i < SIZE; i++) {
      const [x, y, z] = octahedralDirection(i, j, SIZE);
      const t = (j * SIZE + i) * 3;
      exactIrradiance(packed, x, y, z, out);
      b.irradiance.set(out, t);
      for (let l = 0; l < LEVELS; l++) {
        exactPrefiltered(packed, x, y, z, l / (LEVELS - 1), out);
        b.specular.set(out, l * texels * 3 + t);
      }
    }
  }
  baked.set(env, b);
  return b;
}

/** The baked studio seen by a camera at some azimuth: world directions are turned into the studio's frame. */
export interface OrientedEnvironment {
  maps: BakedEnvironment;
  cos: number;
  sin: number;
}

export function orient(env: Environment, azimuthDeg: number): OrientedEnvironment {
  const a = (azimuthDeg * Math.PI) / 180;
  return { maps: bake(env), cos: Math.cos(a), sin: Math.sin(a) };
}

/** A read's studio direction (x, y, z) and weight. */
const dir = new Float64Array(4);
/** The public entry points' arguments, as the array forms take them. */
const args = new Float64Array(4);

/**
 * Bilinear read of `map` (one level: SIZE² rgb texels from `offset`) at the fold of studio direction
 * d[0..2], times d[3]. (Arrays, not arguments: V8 boxes every double passed to a call it does not inline.)
 */
function read(map: Float32Array, offset: number, d: Float64Array, out: Float64Array, add: boolean): void {
  const x = d[0]!, y = d[1]!, z = d[2]!, w = d[3]!;
  const s = 1 / (Math.abs(x) + Math.abs(y) + Math.abs(z));
  let u = x * s, v = z * s;
  if (y < 0) {
    const fu = (1 - Math.abs(v)) * (u < 0 ? -1 : 1), fv = (1 - Math.abs(u)) * (v < 0 ? -1 : 1);
    u = fu;
    v = fv;
  }
  let fx = (u * 0.5 + 0.5) * SIZE - 0.5, fy = (v * 0.5 + 0.5) * SIZE - 0.5;
  fx = fx < 0 ? 0 : fx > SIZE - 1 ? SIZE - 1 : fx;
  fy = fy < 0 ? 0 : fy > SIZE - 1 ? SIZE - 1 : fy;
  const i = Math.min(SIZE - 2, Math.floor(fx)), j = Math.min(SIZE - 2, Math.floor(fy));
  const tx = fx - i, ty = fy - j;
  const a = offset + (j * SIZE + i) * 3, b = a + 3, c = a + SIZE * 3, e = c + 3;
  const w00 = (1 - tx) * (1 - ty) * w, w10 = tx * (1 - ty) * w, w01 = (1 - tx) * ty * w, w11 = tx * ty * w;
  const r = map[a]! * w00 + map[b]! * w10 + map[c]! * w01 + map[e]! * w11;
  const g = map[a + 1]! * w00 + map[b + 1]! * w10 + map[c + 1]! * w01 + map[e + 1]! * w11;
  const bl = map[a + 2]! * w00 + map[b + 2]! * w10 + map[c + 2]! * w01 + map[e + 2]! * w11;
  if (add) {
    out[0] = out[0]! + r;
    out[1] = out[1]! + g;
    out[2] = out[2]! + bl;
  } else {
    out[0] = r;
    out[1] = g;
    out[2] = bl;
  }
}

/** Irradiance / π at world normal n (unit): what a white Lambertian surface reflects. */
export function irradianceAt(o: OrientedEnvironment, n: Float64Array, out: Float64Array): void {
  const nx = n[0]!, nz = n[2]!;
  dir[0] = nx * o.cos - nz * o.sin;
  dir[1] = n[1]!;
  dir[2] = nx * o.sin + nz * o.cos;
  dir[3] = 1;
  read(o.maps.irradiance, 0, dir, out, false);
}

/**
 * The studio seen in world direction r[0..2] (unit) through a GGX lobe of perceptual roughness r[3]
 * (split-sum prefiltered).
 */
export function prefilteredAt(o: OrientedEnvironment, r: Float64Array, out: Float64Array): void {
  const rx = r[0]!, rz = r[2]!, roughness = r[3]!;
  dir[0] = rx * o.cos - rz * o.sin;
  dir[1] = r[1]!;
  dir[2] = rx * o.sin + rz * o.cos;
  const f = (roughness > 0 ? (roughness < 1 ? roughness : 1) : 0) * (LEVELS - 1);
  const l = Math.min(LEVELS - 2, Math.floor(f)), t = f - l;
  const level = SIZE * SIZE * 3;
  // On a level (roughness 0 or 1, glTF's default, and every 1/15th between), that level alone.
  dir[3] = 1;
  if (t === 0 || t === 1) return read(o.maps.specular, (l + t) * level, dir, out, false);
  dir[3] = 1 - t;
  read(o.maps.specular, l * level, dir, out, false);
  dir[3] = t;
  read(o.maps.specular, (l + 1) * level, dir, out, true);
}

/** irradianceAt with the normal's components as arguments. */
export function irradiance(o: OrientedEnvironment, nx: number, ny: number, nz: number, out: Float64Array): void {
  args[0] = nx; args[1] = ny; args[2] = nz;
  irradianceAt(o, args, out);
}

/** prefilteredAt with the direction's components and the roughness as arguments. */
export function prefiltered(o: OrientedEnvironment, rx: number, ry: number, rz: number, roughness: number, out: Float64Array): void {
  args[0] = rx; args[1] = ry; args[2] = rz; args[3] = roughness;
  prefilteredAt(o, args, out);
}
