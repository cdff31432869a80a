// The studio the model stands in: a key, a fill and a rim light and a soft sky over a dim floor. Each
// light is a spherical Gaussian (SG) lobe and the sky is linear in height, so both the diffuse
// irradiance and the GGX-prefiltered reflection (the split-sum "prefiltered environment map") have
// closed forms: no environment map to build or sample, and the same values at any resolution.
//
// Directions are in the studio's frame: +z towards the viewer, +x to the viewer's right, +y up. The
// studio turns with the camera (the model turns on a turntable under fixed lights). These exact values
// are baked once into small maps (envmap.ts) that the shader reads.

export interface Lobe {
  /** Unit direction towards the light. */
  axis: [number, number, number];
  /** exp(sharpness · (cos θ − 1)): 60 is a softbox about 17° across at half height. */
  sharpness: number;
  /** Linear RGB radiance at the lobe's centre. */
  color: [number, number, number];
}

export interface Environment {
  lobes: Lobe[];
  /** Radiance = ambient + gradient · y (y the direction's height, −1…1). */
  ambient: [number, number, number];
  gradient: [number, number, number];
}

const unit = (x: number, y: number, z: number): [number, number, number] => {
  const l = Math.hypot(x, y, z);
  return [x / l, y / l, z / l];
};

/**
 * Lights as area lights of radiance L and solid angle Ω become lobes of sharpness λ = 2π/Ω·(L/a), with
 * a = L·Ω·λ/2π: the same energy, spread a little wider than the light itself when λ is capped.
 */
function arealight(direction: [number, number, number], radiance: number, solidAngle: number, maxSharpness = 150): Lobe {
  const sharpness = Math.min(maxSharpness, (2 * Math.PI) / solidAngle);
  return { axis: unit(...direction), sharpness, color: Array(3).fill((radiance * solidAngle * sharpness) / (2 * Math.PI)) as [number, number, number] };
}

/**
 * A neutral studio laid out like model-viewer's "neutral" room (its lights' directions, sizes and
 * radiances as seen from the model): a key at the upper left in front, a large soft fill on the right,
 * a frontal fill behind the camera, rims behind, and the room's grey walls as a soft, nearly even sky.
 */
export const STUDIO: Environment = {
  lobes: [
    arealight([-0.8, 0.37, 0.46], 80, 0.0166), // key: upper left, in front
    arealight([0.854, 0.52, 0], 23, 0.0797), // fill: right, large and soft
    arealight([0, 0.366, 0.93], 16, 0.103), // front fill, behind the camera
    arealight([-0.78, 0.59, -0.22], 80, 0.0151), // rim: behind, upper left
    arealight([0.43, 0.276, -0.86], 80, 0.0202), // rim: behind, right
    arealight([-0.35, 0.625, -0.7], 80, 0.0109), // rim: behind, high
  ],
  ambient: [0.54, 0.54, 0.54],
  gradient: [0.04, 0.04, 0.04],
};

/** Radiance arriving from direction d (unit, studio frame). */
export function radiance(env: Environment, d: [number, number, number]): [number, number, number] {
  const out: [number, number, number] = [env.ambient[0] + env.gradient[0] * d[1], env.ambient[1] + env.gradient[1] * d[1], env.ambient[2] + env.gradient[2] * d[1]];
  for (const l of env.lobes) {
    const g = Math.exp(l.sharpness * (l.axis[0] * d[0] + l.axis[1] * d[1] + l.axis[2] * d[2] - 1));
    out[0] += l.color[0] * g;
    out[1] += l.color[1] * g;
    out[2] += l.color[2] * g;
  }
  return out;
}

/** The environment packed for evaluation: per lobe its axis, sharpness, colour and the constants of its irradiance fit. */
export interface PackedEnvironment {
  count: number;
  /** xyz per lobe. */
  axes: Float64Array;
  sharpness: Float64Array;
  /** rgb per lobe. */
  colors: Float64Array;
  /** Per lobe: the fit's scale, bias, x = √(1 − scale) and the lobe's integral over the sphere. */
  fit: Float64Array;
  ambient: [number, number, number];
  gradient: [number, number, number];
  /** Per lobe: its weight in the evaluation under way (gather). */
  weights: Float64Array;
}

/** ambient + gradient · gy + Σ colour · weight over the lobes, into out: what both closed forms sum. */
function gather(env: PackedEnvironment, gy: number, out: Float64Array): void {
  let r = env.ambient[0] + env.gradient[0] * gy;
  let g = env.ambient[1] + env.gradient[1] * gy;
  let b = env.ambient[2] + env.gradient[2] * gy;
  const col = env.colors, w = env.weights;
  for (let i = 0; i < env.count; i++) {
    r += col[i * 3]! * w[i]!;
    g += col[i * 3 + 1]! * w[i]!;
    b += col[i * 3 + 2]! * w[i]!;
  }
  out[0] = r;
  out[1] = g;
  out[2] = b;
}

/** ∫ exp(λ (cos θ − 1)) over the sphere. */
const sgIntegral = (lambda: number) => (2 * Math.PI * (1 - Math.exp(-2 * lambda))) / lambda;

export function pack(env: Environment): PackedEnvironment {
  const n = env.lobes.length;
  const o: PackedEnvironment = {
    count: n,
    axes: new Float64Array(n * 3),
    sharpness: new Float64Array(n),
    colors: new Float64Array(n * 3),
    fit: new Float64Array(n * 4),
    ambient: env.ambient,
    gradient: env.gradient,
    weights: new Float64Array(n),
  };
  env.lobes.forEach((l, i) => {
    o.axes.set(l.axis, i * 3);
    o.sharpness[i] = l.sharpness;
    o.colors.set(l.color, i * 3);
    const eml = Math.exp(-l.sharpness), em2l = eml * eml, rl = 1 / l.sharpness;
    const scale = 1 + 2 * em2l - rl;
    const bias = (eml - em2l) * rl - em2l;
    o.fit.set([scale, bias, Math.sqrt(Math.max(0, 1 - scale)), sgIntegral(l.sharpness)], i * 4);
  });
  return o;
}

/**
 * Irradiance / π at a surface with unit normal n: what a white Lambertian surface reflects. The lobes use
 * Stephen Hill's fit of an SG convolved with the clamped cosine (as in Matt Pettineo's "SG series"); the
 * gradient is exact: ∫ (A + B·y) cos = π (A + ⅔ B nᵧ).
 */
export function irradiance(env: PackedEnvironment, nx: number, ny: number, nz: number, out: Float64Array): void {
  const ax = env.axes, f = env.fit;
  for (let i = 0; i < env.count; i++) {
    const mu = ax[i * 3]! * nx + ax[i * 3 + 1]! * ny + ax[i * 3 + 2]! * nz;
    const scale = f[i * 4]!, bias = f[i * 4 + 1]!, x = f[i * 4 + 2]!;
    const x0 = 0.36 * mu, x1 = x / (4 * 0.36);
    let y = mu > 0 ? (mu < 1 ? mu : 1) : 0;
    if (Math.abs(x0) <= x1) {
      const s = x0 + x1;
      y = (s * s) / x;
    }
    const e = ((scale * y + bias) * f[i * 4 + 3]!) / Math.PI;
    env.weights[i] = e > 0 ? e : 0;
  }
  gather(env, (2 / 3) * ny, out);
}

/** Perceptual roughness below this is a mirror for our purposes (and keeps the lobe's numbers finite). */
const MIN_ROUGHNESS = 0.03;
const LUT_STEPS = 1024;

/**
 * Per roughness step: the reflection lobe's sharpness λw, its normalisation λw / (1 − e^{−2λw}) and its
 * mean cosine (how much of a linear gradient survives the blur). GGX is approximated by an SG of
 * sharpness 2/α² around the half vector, which warps to 1/(2α²) around the reflection; + 2 keeps the
 * roughest lobes from reaching far below the horizon (a GGX lobe at α = 1 is about a cosine lobe).
 */
const LOBES = (() => {
  const lut = new Float64Array((LUT_STEPS + 1) * 3);
  for (let i = 0; i <= LUT_STEPS; i++) {
    const rough = Math.max(MIN_ROUGHNESS, i / LUT_STEPS);
    const alpha = rough * rough;
    const lw = 1 / (2 * alpha * alpha) + 2;
    lut[i * 3] = lw;
    lut[i * 3 + 1] = lw / (1 - Math.exp(-2 * lw));
    lut[i * 3 + 2] = 1 / Math.tanh(lw) - 1 / lw;
  }
  return lut;
})();

/**
 * The environment seen in direction (rx, ry, rz) through a GGX lobe of perceptual `roughness`: the
 * split-sum prefiltered radiance (with n = v = r). SG ⊛ SG is again an SG, in closed form.
 */
export function prefiltered(env: PackedEnvironment, rx: number, ry: number, rz: number, roughness: number, out: Float64Array): void {
  const step = Math.round((roughness > 0 ? (roughness < 1 ? roughness : 1) : 0) * LUT_STEPS) * 3;
  const lw = LOBES[step]!, norm = LOBES[step + 1]!, meanCos = LOBES[step + 2]!;
  const ax = env.axes, sh = env.sharpness;
  for (let i = 0; i < env.count; i++) {
    const l = sh[i]!;
    const mx = l * ax[i * 3]! + lw * rx, my = l * ax[i * 3 + 1]! + lw * ry, mz = l * ax[i * 3 + 2]! + lw * rz;
    const m = Math.sqrt(mx * mx + my * my + mz * mz);
    // ∫ e^{λ(μ·x−1)} · λw e^{λw(r·x−1)} / (2π(1 − e^{−2λw})) dx = norm · e^{m−λ−λw} (1 − e^{−2m}) / m, m = |λμ + λw r|.
    const exponent = m - l - lw;
    env.weights[i] = exponent < -40 ? 0 : (norm * Math.exp(exponent) * (m < 12 ? 1 - Math.exp(-2 * m) : 1)) / m;
  }
  gather(env, ry * meanCos, out);
}
