// Shading one visible point: glTF's metallic-roughness model lit by the studio (environment.ts). Diffuse
// is Lambert on the irradiance; specular is the split sum: the GGX-prefiltered environment times the
// directional albedo of GGX with Schlick's Fresnel (Karis' analytic fit of the BRDF lookup table). Then
// normal maps, occlusion, emission, and Khronos' PBR Neutral tone mapping (model-viewer's default).
import { irradianceAt, prefilteredAt, type OrientedEnvironment } from './envmap.js';
import type { RenderMaterial } from './material.js';
import type { BoundMap, RenderMesh } from './scene.js';
import { sampleTexture } from './texture.js';

/**
 * GGX's directional albedo split as F0·a + b (Karis, "Physically Based Shading on Mobile", 2014): how
 * much light a surface reflects specularly towards a viewer at n·v, Fresnel included. At grazing angles
 * (n·v → 0) a smooth surface reflects almost everything, whatever its F0.
 */
export function envBrdf(nDotV: number, roughness: number, out: Float64Array): void {
  const rx = roughness * -1 + 1, ry = roughness * -0.0275 + 0.0425, rz = roughness * -0.572 + 1.04, rw = roughness * 0.022 - 0.04;
  const a004 = Math.min(rx * rx, Math.exp(-9.28 * Math.LN2 * nDotV)) * rx + ry;
  out[0] = -1.04 * a004 + rz;
  out[1] = 1.04 * a004 + rw;
}

/** Khronos PBR Neutral: colours up to about 0.8 pass nearly unchanged, brighter ones roll off towards white. */
export function toneMapNeutral(c: Float64Array): void {
  const start = 0.8 - 0.04, desaturation = 0.15;
  let r = c[0]!, g = c[1]!, b = c[2]!;
  const x = Math.min(r, g, b);
  const offset = x < 0.08 ? x - 6.25 * x * x : 0.04;
  r -= offset;
  g -= offset;
  b -= offset;
  const peak = Math.max(r, g, b);
  if (peak >= start) {
    const d = 1 - start;
    const newPeak = 1 - (d * d) / (peak + d - start);
    const s = newPeak / peak;
    const w = 1 - 1 / (desaturation * (peak - newPeak) + 1);
    r = r * s * (1 - w) + newPeak * w;
    g = g * s * (1 - w) + newPeak * w;
    b = b * s * (1 - w) + newPeak * w;
  }
  c[0] = r;
  c[1] = g;
  c[2] = b;
}

export interface ShadeContext {
  env: OrientedEnvironment;
  eye: [number, number, number];
  /** Base colour only, no light and no tone mapping (tests of the texture and colour paths). */
  unlit: boolean;
}

/** The surface's inputs at one point, as the shader uses them. */
export interface Surface {
  /** Linear RGBA. */
  base: Float64Array;
  metallic: number;
  roughness: number;
  occlusion: number;
  /** Linear RGB. */
  emissive: Float64Array;
  /** Unit shading normal (normal map applied) and unit direction towards the eye. */
  n: Float64Array;
  v: Float64Array;
}

export function createSurface(): Surface {
  return { base: new Float64Array(4), metallic: 0, roughness: 1, occlusion: 1, emissive: new Float64Array(3), n: new Float64Array(3), v: new Float64Array(3) };
}

const brdf = new Float64Array(2);
const irr = new Float64Array(3);
/** The reflected direction and the roughness, for prefilteredAt. */
const reflected = new Float64Array(4);
const spec = new Float64Array(3);

const single = new Float64Array(3), multi = new Float64Array(3);

/**
 * Light leaving the surface towards the eye (linear RGB, before tone mapping) into out[0..2], as three.js
 * lights a standard material with an environment: the single-scattering split sum plus Fdez-Agüera's
 * multiple-scattering term (rough metals keep the energy their microfacets bounce between them), the
 * diffuse part reduced by what the specular takes, occlusion on both (on specular by Lagarde's fit).
 */
export function lightSurface(s: Surface, env: OrientedEnvironment, out: Float64Array): void {
  const n = s.n, v = s.v, base = s.base;
  const nv = n[0]! * v[0]! + n[1]! * v[1]! + n[2]! * v[2]!;
  const nDotV = nv > 1e-4 ? nv : 1e-4;
  const m = s.metallic, rough = s.roughness;
  reflected[0] = 2 * nv * n[0]! - v[0]!;
  reflected[1] = 2 * nv * n[1]! - v[1]!;
  reflected[2] = 2 * nv * n[2]! - v[2]!;
  reflected[3] = rough;
  envBrdf(nDotV, rough, brdf);
  irradianceAt(env, n, irr);
  prefilteredAt(env, reflected, spec);
  const a = brdf[0]!, b = brdf[1]!;
  const ems = 1 - (a + b);
  let total = 0;
  for (let k = 0; k < 3; k++) {
    const f0 = 0.04 + (base[k]! - 0.04) * m;
    const fssEss = f0 * a + b;
    const fAvg = f0 + (1 - f0) / 21;
    const fms = (fssEss * fAvg) / (1 - ems * fAvg);
    single[k] = fssEss;
    multi[k] = fms * ems;
    total = Math.max(total, fssEss + fms * ems);
  }
  const ao = s.occlusion;
  const specAo = ao < 1 ? Math.min(1, Math.max(0, (nDotV + ao) ** 2 ** (-16 * rough - 1) - 1 + ao)) : 1;
  for (let k = 0; k < 3; k++) {
    const diffuse = base[k]! * (1 - m) * (1 - total);
    out[k] = (diffuse + multi[k]!) * irr[k]! * ao + single[k]! * spec[k]! * specAo + s.emissive[k]!;
  }
}

const texel = new Float32Array(4);
/** u, v and mip level of a texture read. */
const texCoord = new Float64Array(3);

/**
 * Where on a triangle a point is: perspective-correct weights of its corners (summing to 1) and the
 * triangle's area in pixels (for the mip level), as [p0, p1, p2, screenArea]. An array rather than four
 * arguments: V8 boxes every double passed to a call it does not inline, and these run for every pixel.
 */
export type PointWeights = Float64Array;

/** |UV area / screen area| of a triangle, for one UV set; 0 when unknown. */
export function uvAreaRatio(uv: Float32Array, a: number, b: number, c: number, screenArea: number): number {
  if (!(screenArea > 0)) return 0;
  const ua = uv[a * 2]!, va = uv[a * 2 + 1]!;
  return Math.abs((uv[b * 2]! - ua) * (uv[c * 2 + 1]! - va) - (uv[c * 2]! - ua) * (uv[b * 2 + 1]! - va)) / screenArea;
}

/** Samples a bound map at the point into `texel`; false when there is none. */
function sample(map: BoundMap | null, a: number, b: number, c: number, w: PointWeights): boolean {
  if (map === null) return false;
  const uv = map.uv, t = map.texture;
  const p0 = w[0]!, p1 = w[1]!, p2 = w[2]!;
  texCoord[0] = uv[a * 2]! * p0 + uv[b * 2]! * p1 + uv[c * 2]! * p2;
  texCoord[1] = uv[a * 2 + 1]! * p0 + uv[b * 2 + 1]! * p1 + uv[c * 2 + 1]! * p2;
  // Log2 of texels per pixel: the triangle's UV area per pixel of screen area, in texels.
  const texels = uvAreaRatio(uv, a, b, c, w[3]!) * t.width * t.height;
  texCoord[2] = texels > 1 ? 0.5 * Math.log2(texels) : 0;
  sampleTexture(t, texCoord, map.wrapS, map.wrapT, texel);
  return true;
}

/** Base colour and alpha at point `w` of triangle (a, b, c): factor × vertex colour × texture. */
export function baseColorAt(mesh: RenderMesh, a: number, b: number, c: number, w: PointWeights, out: Float64Array): void {
  const f = mesh.material.baseColorFactor;
  out[0] = f[0];
  out[1] = f[1];
  out[2] = f[2];
  out[3] = f[3];
  const col = mesh.colors;
  if (col) {
    const p0 = w[0]!, p1 = w[1]!, p2 = w[2]!;
    for (let k = 0; k < 4; k++) out[k] = out[k]! * (col[a * 4 + k]! * p0 + col[b * 4 + k]! * p1 + col[c * 4 + k]! * p2);
  }
  if (sample(mesh.maps.baseColor, a, b, c, w)) {
    for (let k = 0; k < 4; k++) out[k] = out[k]! * texel[k]!;
  }
}

/**
 * Fills `s` for point `w` of triangle `tri` of `mesh`; `back` when the triangle is seen from behind
 * (double-sided materials: lit as their own front).
 */
export function surfaceAt(mesh: RenderMesh, tri: number, back: boolean, w: PointWeights, eye: [number, number, number], s: Surface): void {
  const m: RenderMaterial = mesh.material;
  const idx = mesh.indices;
  const a = idx[tri * 3]!, b = idx[tri * 3 + 1]!, c = idx[tri * 3 + 2]!;
  const p0 = w[0]!, p1 = w[1]!, p2 = w[2]!;
  baseColorAt(mesh, a, b, c, w, s.base);

  const pos = mesh.positions;
  let vx = eye[0] - (pos[a * 3]! * p0 + pos[b * 3]! * p1 + pos[c * 3]! * p2);
  let vy = eye[1] - (pos[a * 3 + 1]! * p0 + pos[b * 3 + 1]! * p1 + pos[c * 3 + 1]! * p2);
  let vz = eye[2] - (pos[a * 3 + 2]! * p0 + pos[b * 3 + 2]! * p1 + pos[c * 3 + 2]! * p2);
  const vl = Math.sqrt(vx * vx + vy * vy + vz * vz) || 1;
  vx /= vl; vy /= vl; vz /= vl;
  s.v[0] = vx; s.v[1] = vy; s.v[2] = vz;

  const nr = mesh.normals;
  let nx = nr[a * 3]! * p0 + nr[b * 3]! * p1 + nr[c * 3]! * p2;
  let ny = nr[a * 3 + 1]! * p0 + nr[b * 3 + 1]! * p1 + nr[c * 3 + 1]! * p2;
  let nz = nr[a * 3 + 2]! * p0 + nr[b * 3 + 2]! * p1 + nr[c * 3 + 2]! * p2;
  let nl = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
  if (back) nl = -nl;
  nx /= nl; ny /= nl; nz /= nl;

  if (sample(mesh.maps.normal, a, b, c, w)) {
    let tx = 0, ty = 0, tz = 0, bx = 0, by = 0, bz = 0;
    if (mesh.tangents) {
      const t = mesh.tangents;
      tx = t[a * 4]! * p0 + t[b * 4]! * p1 + t[c * 4]! * p2;
      ty = t[a * 4 + 1]! * p0 + t[b * 4 + 1]! * p1 + t[c * 4 + 1]! * p2;
      tz = t[a * 4 + 2]! * p0 + t[b * 4 + 2]! * p1 + t[c * 4 + 2]! * p2;
      const handed = t[a * 4 + 3]!;
      // glTF: bitangent = cross(normal, tangent) · w (the unflipped normal: a back face flips all three below).
      const sn = back ? -1 : 1;
      bx = (sn * (ny * tz - nz * ty)) * handed; by = (sn * (nz * tx - nx * tz)) * handed; bz = (sn * (nx * ty - ny * tx)) * handed;
    } else if (mesh.triangleFrames) {
      const f = mesh.triangleFrames, o = tri * 6;
      tx = f[o]!; ty = f[o + 1]!; tz = f[o + 2]!; bx = f[o + 3]!; by = f[o + 4]!; bz = f[o + 5]!;
    }
    if (back) {
      tx = -tx; ty = -ty; tz = -tz; bx = -bx; by = -by; bz = -bz;
    }
    // Gram–Schmidt against the interpolated normal.
    const td = tx * nx + ty * ny + tz * nz, bd = bx * nx + by * ny + bz * nz;
    tx -= td * nx; ty -= td * ny; tz -= td * nz;
    bx -= bd * nx; by -= bd * ny; bz -= bd * nz;
    const tl = Math.sqrt(tx * tx + ty * ty + tz * tz), bl = Math.sqrt(bx * bx + by * by + bz * bz);
    if (tl > 1e-12 && bl > 1e-12) {
      const k = m.normalScale;
      const mx = (texel[0]! * 2 - 1) * k, my = (texel[1]! * 2 - 1) * k, mz = texel[2]! * 2 - 1;
      const px = (tx / tl) * mx + (bx / bl) * my + nx * mz;
      const py = (ty / tl) * mx + (by / bl) * my + ny * mz;
      const pz = (tz / tl) * mx + (bz / bl) * my + nz * mz;
      const pl = Math.sqrt(px * px + py * py + pz * pz);
      if (pl > 1e-12) {
        nx = px / pl; ny = py / pl; nz = pz / pl;
      }
    }
  }
  s.n[0] = nx; s.n[1] = ny; s.n[2] = nz;

  s.metallic = m.metallicFactor;
  s.roughness = m.roughnessFactor;
  if (sample(mesh.maps.metallicRoughness, a, b, c, w)) {
    s.roughness *= texel[1]!;
    s.metallic *= texel[2]!;
  }
  s.occlusion = 1;
  if (sample(mesh.maps.occlusion, a, b, c, w)) s.occlusion = 1 + m.occlusionStrength * (texel[0]! - 1);
  const e = m.emissiveFactor;
  s.emissive[0] = e[0]; s.emissive[1] = e[1]; s.emissive[2] = e[2];
  if ((e[0] > 0 || e[1] > 0 || e[2] > 0) && sample(mesh.maps.emissive, a, b, c, w)) {
    s.emissive[0] = e[0] * texel[0]!; s.emissive[1] = e[1] * texel[1]!; s.emissive[2] = e[2] * texel[2]!;
  }
}

const surface = createSurface();

/** The colour (linear RGB, tone-mapped) and alpha of visible point `w` of triangle `tri`, into out[0..3]. */
export function shadePoint(mesh: RenderMesh, tri: number, back: boolean, w: PointWeights, ctx: ShadeContext, out: Float64Array): void {
  surfaceAt(mesh, tri, back, w, ctx.eye, surface);
  out[3] = surface.base[3]!;
  if (ctx.unlit) {
    out[0] = surface.base[0]!; out[1] = surface.base[1]!; out[2] = surface.base[2]!;
    return;
  }
  if (mesh.material.unlit) {
    out[0] = surface.base[0]!; out[1] = surface.base[1]!; out[2] = surface.base[2]!;
  } else {
    lightSurface(surface, ctx.env, out);
  }
  toneMapNeutral(out);
}
