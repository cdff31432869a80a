// Anti-aliasing: rotated-grid samples, resolved by shading each surface of a pixel once.
import { describe, expect, it } from 'vitest';
import { resolvePixels, sampleOrder, surfaceGap } from '../../src/render/aa.js';
import { fitTurn, cameraAt } from '../../src/render/framing.js';
import { clear, createSampleBuffers, project, rasterise, SAMPLE_PATTERNS } from '../../src/render/raster.js';
import { buildScene, type RenderScene } from '../../src/render/scene.js';
import { colouredCube, sphere, texturedQuad } from './models.js';

/** Rasterises `scene` from the front and resolves it with a shader that counts calls and paints mesh m with colour m. */
function resolveCounting(scene: RenderScene, size: number, samples: number) {
  const f = fitTurn(scene)!;
  const cam = cameraAt(f, 0);
  const buf = createSampleBuffers(scene, size, samples);
  clear(buf);
  scene.meshes.forEach((m, i) => {
    project(m, cam, buf, i);
    rasterise(m, buf, i);
  });
  let shades = 0;
  const out = new Float32Array(size * size * 3);
  resolvePixels(scene, buf, (m, _t, _at, o) => {
    shades++;
    o[0] = m === 0 ? 1 : 0;
    o[1] = m === 1 ? 1 : 0;
    o[2] = 0;
  }, (_x, _y, o) => o.fill(0), surfaceGap(f, size), out);
  return { shades, out, pixelsWithModel: out.reduce((n, v, i) => n + (i % 3 === 0 && (v > 0 || out[i + 1]! > 0) ? 1 : 0), 0) };
}

describe('sample patterns', () => {
  it('give every sample its own row and column (rotated grids), within the pixel', () => {
    for (const n of [4, 8]) {
      const p = SAMPLE_PATTERNS[n]!;
      expect(p).toHaveLength(n);
      expect(new Set(p.map((s) => s[0])).size).toBe(n);
      expect(new Set(p.map((s) => s[1])).size).toBe(n);
      for (const [x, y] of p) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThan(0.5);
    }
  });

  it('are visited nearest the centre first (where a surface is shaded when its triangle misses the centre)', async () => {
    const buf = createSampleBuffers(await buildScene(texturedQuad(null), async () => null), 4, 8);
    const order = [...sampleOrder(buf)];
    const d = (k: number) => Math.hypot(buf.offsetX[k]!, buf.offsetY[k]!);
    for (let i = 1; i < order.length; i++) expect(d(order[i]!)).toBeGreaterThanOrEqual(d(order[i - 1]!));
  });
});

describe('resolvePixels', () => {
  it('shades a finely tessellated surface about once per pixel, not once per sample', async () => {
    const scene = await buildScene(sphere({ segments: 256 }), async () => null);
    expect(scene.triangleCount).toBeGreaterThan(60_000);
    const { shades, pixelsWithModel } = resolveCounting(scene, 64, 4);
    expect(shades).toBeLessThan(pixelsWithModel * 1.1);
    expect(shades).toBeGreaterThanOrEqual(pixelsWithModel);
  });

  it('anti-aliases creases within one mesh: along a cube edge, pixels mix the two faces', async () => {
    const scene = await buildScene(colouredCube(), async () => null);
    const size = 48;
    const f = fitTurn(scene)!;
    const buf = createSampleBuffers(scene, size, 4);
    clear(buf);
    project(scene.meshes[0]!, cameraAt(f, 30), buf, 0);
    rasterise(scene.meshes[0]!, buf, 0);
    const out = new Float32Array(size * size * 3);
    // Colour by the triangle's face: red for +X (the right side), blue for +Z (the front).
    resolvePixels(scene, buf, (_m, t, _at, o) => {
      const fn = scene.meshes[0]!.faceNormals;
      o[0] = fn[t * 3]! > 0.5 ? 1 : 0;
      o[1] = 0;
      o[2] = fn[t * 3 + 2]! > 0.5 ? 1 : 0;
    }, (_x, _y, o) => o.fill(0), surfaceGap(f, size), out);
    let mixed = 0;
    for (let i = 0; i < out.length; i += 3) if (out[i]! > 0.2 && out[i + 2]! > 0.2 && out[i]! + out[i + 2]! > 0.95) mixed++;
    expect(mixed).toBeGreaterThan(size / 3);
  });

  it('shades each surface of a pixel where two overlap, and mixes them by the samples each covers', async () => {
    // A small square in front of a large one: along the small one's edges, pixels hold both.
    const doc = texturedQuad(null);
    const mesh = doc.getRoot().listMeshes()[0]!;
    const copy = mesh.clone();
    doc.getRoot().listScenes()[0]!.addChild(doc.createNode('back').setMesh(copy).setTranslation([0, 0, -0.5]).setScale([2.2, 2.2, 1]));
    const { shades, out, pixelsWithModel } = resolveCounting(await buildScene(doc, async () => null), 64, 4);
    expect(shades).toBeGreaterThan(pixelsWithModel + 40);
    let mixed = 0;
    for (let i = 0; i < out.length; i += 3) if (out[i]! > 0.1 && out[i]! < 0.9 && out[i]! + out[i + 1]! > 0.99) mixed++;
    expect(mixed).toBeGreaterThan(40);
  });
});
