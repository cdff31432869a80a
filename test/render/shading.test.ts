// The shading model in isolation: GGX directional albedo with Fresnel, metal against dielectric, the
// studio's light, and the tone mapper.
import { describe, expect, it } from 'vitest';
import { createSurface, envBrdf, lightSurface, toneMapNeutral } from '../../src/render/shading.js';
import { irradiance, orient, prefiltered } from '../../src/render/envmap.js';
import { STUDIO } from '../../src/render/environment.js';

const brdf = new Float64Array(2);
/** Specular reflectance F0·a + b towards a viewer at n·v. */
const reflectance = (nDotV: number, roughness: number, f0 = 0.04) => {
  envBrdf(nDotV, roughness, brdf);
  return f0 * brdf[0]! + brdf[1]!;
};

describe('envBrdf (GGX with Schlick Fresnel, split-sum)', () => {
  it('at normal incidence a dielectric reflects about its F0 (4 %); at grazing angles a smooth one reflects nearly everything', () => {
    expect(Math.abs(reflectance(1, 0) - 0.04)).toBeLessThan(0.01);
    expect(Math.abs(reflectance(1, 0.5) - 0.04)).toBeLessThan(0.01);
    expect(reflectance(0.001, 0)).toBeGreaterThan(0.95);
    expect(reflectance(0.001, 0)).toBeLessThan(1.06);
    // Fresnel grows towards grazing, monotonically.
    const curve = [1, 0.8, 0.6, 0.4, 0.2, 0.05].map((c) => reflectance(c, 0.1));
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeGreaterThan(curve[i - 1]!);
  });

  it('roughness damps the grazing peak (microfacets shadow each other), and a metal reflects its colour head-on', () => {
    expect(reflectance(0.05, 1)).toBeLessThan(0.5 * reflectance(0.05, 0));
    expect(reflectance(1, 0.2, 0.9)).toBeGreaterThan(0.75);
    expect(reflectance(1, 0.2, 0.9)).toBeLessThan(0.95);
  });
});

describe('lightSurface in the studio', () => {
  const env = orient(STUDIO, 0);
  const facing = (n: [number, number, number], base: [number, number, number], metallic: number, roughness: number) => {
    const s = createSurface();
    s.base.set([...base, 1]);
    s.metallic = metallic;
    s.roughness = roughness;
    s.n.set(n);
    s.v.set([0, 0, 1]);
    const out = new Float64Array(3);
    lightSurface(s, env, out);
    return out;
  };

  it('a metal has no diffuse part: head-on, a red metal reflects (almost) no green or blue', () => {
    const c = facing([0, 0, 1], [1, 0, 0], 1, 0.5);
    expect(c[0]).toBeGreaterThan(0.1);
    // Only Fresnel's white rim term remains, tiny head-on.
    expect(c[1]).toBeLessThan(0.02 * c[0]!);
    expect(c[2]).toBeLessThan(0.02 * c[0]!);
    const plastic = facing([0, 0, 1], [1, 0, 0], 0, 0.5);
    // A red plastic reflects the light itself (white, 4 %) on top of its red.
    expect(plastic[1]).toBeGreaterThan(10 * c[1]!);
  });

  it('a white rough dielectric is its irradiance, less what the specular lobe takes, plus the lobe (three.js standard material)', () => {
    const c = facing([0, 0, 1], [1, 1, 1], 0, 1);
    const e = new Float64Array(3), p = new Float64Array(3);
    irradiance(env, 0, 0, 1, e);
    prefiltered(env, 0, 0, 1, 1, p);
    envBrdf(1, 1, brdf);
    const [a, b] = [brdf[0]!, brdf[1]!];
    const fssEss = 0.04 * a + b, ems = 1 - a - b, fAvg = 0.04 + 0.96 / 21;
    const multi = ((fssEss * fAvg) / (1 - ems * fAvg)) * ems;
    expect(c[0]).toBeCloseTo((1 - fssEss - multi + multi) * e[0]! + fssEss * p[0]!, 9);
  });

  it('rough metals keep their energy (multiple scattering): a white rough metal is about as bright as white matte', () => {
    const metal = facing([0, 0, 1], [1, 1, 1], 1, 1)[1]!, matte = facing([0, 0, 1], [1, 1, 1], 0, 1)[1]!;
    expect(Math.abs(metal / matte - 1)).toBeLessThan(0.1);
    // Single scattering alone would lose about half of it.
    envBrdf(1, 1, brdf);
    expect(brdf[0]! + brdf[1]!).toBeLessThan(0.6);
  });

  it('the key light is up and to the left: a surface facing it is lit more than one facing away, and more than one facing right', () => {
    const towards = facing([-0.55, 0.6, 0.6], [0.8, 0.8, 0.8], 0, 0.6)[1]!;
    const right = facing([0.55, 0.6, 0.6], [0.8, 0.8, 0.8], 0, 0.6)[1]!;
    const down = facing([0, -0.8, 0.6], [0.8, 0.8, 0.8], 0, 0.6)[1]!;
    expect(towards).toBeGreaterThan(right);
    expect(right).toBeGreaterThan(down);
  });

  it('at a grazing view, a smooth dielectric shows the environment (Fresnel): brighter than head-on', () => {
    const s = createSurface();
    s.base.set([0.02, 0.02, 0.02, 1]);
    s.metallic = 0;
    s.roughness = 0.1;
    s.n.set([0, 1, 0]);
    const out = new Float64Array(3);
    s.v.set([0, 1, 0]);
    lightSurface(s, env, out);
    const headOn = out[1]!;
    s.v.set([0, Math.sin(0.05), Math.cos(0.05)]);
    lightSurface(s, env, out);
    expect(out[1]!).toBeGreaterThan(3 * headOn);
  });
});

describe('toneMapNeutral (Khronos PBR Neutral)', () => {
  const map = (r: number, g: number, b: number) => {
    const c = new Float64Array([r, g, b]);
    toneMapNeutral(c);
    return [...c];
  };

  it('keeps mid tones (less a small black offset), rolls bright ones off below white, keeps the order of brightness', () => {
    expect(map(0.5, 0.5, 0.5)[0]).toBeCloseTo(0.46, 6);
    expect(map(0.02, 0.02, 0.02)[0]).toBeCloseTo(0.02 - (0.02 - 6.25 * 0.02 * 0.02), 9);
    const values = [0.2, 0.6, 0.8, 1, 2, 8, 100].map((v) => map(v, v, v)[0]!);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
    expect(values.at(-1)!).toBeLessThan(1);
  });

  it('desaturates what is too bright to show, towards white', () => {
    const [r, g, b] = map(4, 1, 0.2);
    expect(r).toBeLessThan(1);
    expect(g! / r!).toBeGreaterThan(1 / 4);
    expect(b!).toBeGreaterThan(0);
  });
});
