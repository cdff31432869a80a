// The studio's closed forms against brute-force integration over the sphere, and the baked maps the
// shader reads against the closed forms.
import { describe, expect, it } from 'vitest';
import { irradiance as exactIrradiance, pack, prefiltered as exactPrefiltered, radiance, STUDIO } from '../../src/render/environment.js';
import { irradiance, orient, prefiltered } from '../../src/render/envmap.js';

type V = [number, number, number];
const unit = (v: V): V => {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
};

/** ∫ f over the sphere, midpoint rule in (θ, φ). */
function integrate(f: (d: V) => number, n = 240): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const th = ((i + 0.5) / n) * Math.PI;
    for (let j = 0; j < 2 * n; j++) {
      const ph = ((j + 0.5) / (2 * n)) * 2 * Math.PI;
      s += f([Math.sin(th) * Math.cos(ph), Math.cos(th), Math.sin(th) * Math.sin(ph)]) * Math.sin(th);
    }
  }
  return s * (Math.PI / n) ** 2;
}

const NORMALS: V[] = [[0, 1, 0], [0, 0, 1], unit([-0.55, 0.6, 0.6]), [1, 0, 0], [0, -1, 0], [0, 0, -1], unit([0.3, -0.2, -0.9])];
const packed = pack(STUDIO);
const out = new Float64Array(3);

describe('the studio, in closed form', () => {
  it('irradiance matches the integral of radiance × cosine over the hemisphere, within 4 %', () => {
    for (const n of NORMALS) {
      exactIrradiance(packed, n[0], n[1], n[2], out);
      const ref = integrate((d) => radiance(STUDIO, d)[1] * Math.max(0, d[0] * n[0] + d[1] * n[1] + d[2] * n[2])) / Math.PI;
      expect(Math.abs(out[1]! - ref) / ref, `n = ${n.map((c) => c.toFixed(2))}`).toBeLessThan(0.04);
    }
  });

  it('the prefiltered reflection is the sharp environment when smooth and its blur when rough', () => {
    const key = STUDIO.lobes[0]!.axis;
    exactPrefiltered(packed, ...key, 0.05, out);
    const sharp = out[1]!;
    expect(sharp).toBeGreaterThan(0.8 * radiance(STUDIO, key)[1]);
    exactPrefiltered(packed, ...key, 1, out);
    expect(out[1]!).toBeLessThan(0.2 * sharp);
    // Rough, every direction sees a blur of the whole studio: the sky above brighter than the floor, by a few times.
    exactPrefiltered(packed, 0, 1, 0, 1, out);
    const up = out[1]!;
    exactPrefiltered(packed, 0, -1, 0, 1, out);
    expect(up / out[1]!).toBeLessThan(6);
    expect(up / out[1]!).toBeGreaterThan(1);
  });
});

describe('the baked studio (octahedral maps)', () => {
  const baked = orient(STUDIO, 0);
  it('reads back the closed forms: irradiance within 2 %, prefiltered radiance within 5 % at and between the roughness levels', () => {
    for (const n of NORMALS) {
      exactIrradiance(packed, n[0], n[1], n[2], out);
      const want = out[1]!;
      irradiance(baked, n[0], n[1], n[2], out);
      expect(Math.abs(out[1]! - want) / want).toBeLessThan(0.02);
      for (const r of [0.35, 0.5, 0.6, 0.9, 1]) {
        exactPrefiltered(packed, n[0], n[1], n[2], r, out);
        const w = out[1]!;
        prefiltered(baked, n[0], n[1], n[2], r, out);
        expect(Math.abs(out[1]! - w) / w, `n = ${n.map((c) => c.toFixed(2))}, roughness ${r}`).toBeLessThan(0.05);
      }
    }
  });

  it('is continuous in roughness where a level is read alone (0, each 1/15, and 1: glTF\'s default)', () => {
    const below = new Float64Array(3);
    for (const n of NORMALS) {
      for (const r of [0, 9 / 15, 1]) {
        prefiltered(baked, n[0], n[1], n[2], r, out);
        prefiltered(baked, n[0], n[1], n[2], r === 0 ? 1e-9 : r - 1e-9, below);
        for (let k = 0; k < 3; k++) expect(out[k], `roughness ${r}`).toBeCloseTo(below[k]!, 6);
      }
    }
  });

  it('turns with the camera: at azimuth 90° a world normal along +X sees what the studio has in front (+Z)', () => {
    const turned = orient(STUDIO, 90);
    irradiance(turned, 1, 0, 0, out);
    const side = out[1]!;
    irradiance(baked, 0, 0, 1, out);
    expect(side).toBeCloseTo(out[1]!, 6);
  });
});
