// Framing: one camera set-up for the whole turn that fills the frame (≥ 85 % on average for compact
// shapes and a 2:1 box), never lets the model leave it, and does not pulse from frame to frame.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from '@gltf-transform/core';
import { modelIO } from '../../src/model/io.js';
import { buildScene, type RenderScene } from '../../src/render/scene.js';
import { cameraAt, DEFAULT_FRAMING_OPTIONS, fitTurn, projectedBounds, scenePoints, turnCoverage, type Framing } from '../../src/render/framing.js';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { colouredCube, sphere } from './models.js';
import { BG, coverage, FLAT } from './images.js';

const scaled = (doc: Document, s: [number, number, number]) => {
  doc.getRoot().listNodes()[0]!.setScale(s);
  return doc;
};
const geometry = (doc: Document): Promise<RenderScene> => buildScene(doc, async () => null);

/** A snowman-like figure: two spheres stacked, off the origin. */
function figurine(): Document {
  const doc = sphere({ segments: 32 });
  const root = doc.getRoot();
  const body = root.listNodes()[0]!.setTranslation([3, 1, -2]).setScale([0.6, 0.55, 0.5]);
  const head = root.listScenes()[0]!;
  head.addChild(doc.createNode('head').setMesh(body.getMesh()).setTranslation([3, 1.8, -2]).setScale([0.3, 0.3, 0.3]));
  return doc;
}

const SHAPES: [string, () => Document][] = [
  ['a sphere', () => sphere({ segments: 32 })],
  ['a cube', () => colouredCube()],
  ['a tall box (1 × 3 × 1)', () => scaled(colouredCube(), [1, 3, 1])],
  ['a wide box (1.5 × 1 × 1)', () => scaled(colouredCube(), [1.5, 1, 1])],
  ['an elongated box (2 × 1 × 1)', () => scaled(colouredCube(), [2, 1, 1])],
  ['a flat disc (3 × 0.3 × 3, round)', () => scaled(sphere({ segments: 32 }), [3, 0.3, 3])],
  ['a figurine off the origin', figurine],
];

/** Between the fitted azimuths too (every degree), every vertex stays inside the frame. */
function expectInFrame(scene: RenderScene, f: Framing): void {
  const points = scenePoints(scene);
  for (let a = 0; a < 360; a++) {
    const b = projectedBounds(points, cameraAt(f, a));
    expect(Math.max(-b.minX, b.maxX, -b.minY, b.maxY), `at ${a}°`).toBeLessThan(1);
  }
}

describe('fitTurn', () => {
  for (const [name, make] of SHAPES) {
    it(`${name}: averaged over the turn, its bounding box spans ≥ 85 % of the frame, and it never leaves the frame`, async () => {
      const scene = await geometry(make());
      const f = fitTurn(scene)!;
      expect(turnCoverage(scene, f, 36)).toBeGreaterThanOrEqual(0.85);
      expectInFrame(scene, f);
    });
  }

  it("a vendor's controller (Valve Index, long and flat): never leaves the frame, and fills what one framing can", async () => {
    const glb = readFileSync(new URL('../../node_modules/@webxr-input-profiles/assets/dist/profiles/valve-index/left.glb', import.meta.url));
    const scene = await geometry(await (await modelIO()).readBinary(new Uint8Array(glb)));
    const f = fitTurn(scene)!;
    // End-on it is about 60 % as wide as at its widest and flat: with one camera for the whole turn (no zoom), 77 % is
    // its ceiling here (76 % from 20° up with a 5 % margin).
    expect(turnCoverage(scene, f, 36)).toBeGreaterThanOrEqual(0.765);
    expectInFrame(scene, f);
  });

  it('is tight: at the widest view the model reaches the margin, and over the turn it is centred vertically', async () => {
    const scene = await geometry(figurine());
    const f = fitTurn(scene)!;
    const points = scenePoints(scene);
    let maxX = 0, minY = Infinity, maxY = -Infinity;
    for (let k = 0; k < DEFAULT_FRAMING_OPTIONS.samples; k++) {
      const b = projectedBounds(points, cameraAt(f, (k * 360) / DEFAULT_FRAMING_OPTIONS.samples));
      maxX = Math.max(maxX, -b.minX, b.maxX);
      minY = Math.min(minY, b.minY);
      maxY = Math.max(maxY, b.maxY);
    }
    expect(Math.max(maxX, (maxY - minY) / 2)).toBeCloseTo(1 - DEFAULT_FRAMING_OPTIONS.margin, 3);
    expect(minY + maxY).toBeCloseTo(0, 3);
  });

  it('uses one camera distance and target for every frame: a sphere covers the same pixels all the way round', async () => {
    const scene = await prepareScene(sphere({ segments: 48, colour: [0.9, 0.1, 0.1, 1] }), 64);
    const counts = [0, 45, 90, 135, 180, 270].map((azimuthDeg) => coverage({ width: 64, height: 64, data: renderStill(scene, { size: 64, azimuthDeg, frame: FLAT }) }, BG).count);
    for (const c of counts) expect(Math.abs(c - counts[0]!)).toBeLessThanOrEqual(counts[0]! * 0.01);
    const f = fitTurn(scene)!;
    const eye = (a: number) => cameraAt(f, a).eye;
    const dist = (p: number[]) => Math.hypot(p[0]! - f.target[0], p[1]! - f.target[1], p[2]! - f.target[2]);
    for (const a of [0, 90, 200]) expect(dist(eye(a))).toBeCloseTo(f.distance, 9);
  });

  it('keeps the camera outside the model whatever its shape (every vertex in front of it)', async () => {
    // A long needle: the widest view alone would pull the camera in close.
    const scene = await geometry(scaled(colouredCube(), [0.01, 0.01, 5]));
    const f = fitTurn(scene)!;
    expect(f.distance).toBeGreaterThan(f.radius);
  });

  it('gives null for a scene with no finite vertex', async () => {
    const doc = colouredCube();
    const pos = doc.getRoot().listAccessors()[0]!.getArray() as Float32Array;
    pos.fill(NaN);
    expect(fitTurn(await geometry(doc))).toBeNull();
  });
});
