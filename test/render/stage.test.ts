// The stage: a gradient backdrop and a soft contact shadow where the model meets the floor.
import { describe, expect, it } from 'vitest';
import { buildScene } from '../../src/render/scene.js';
import { fitTurn } from '../../src/render/framing.js';
import { buildStage, DEFAULT_STAGE, shadowAt } from '../../src/render/stage.js';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { colouredCube, sphere } from './models.js';
import { pixel, type Image } from './images.js';
import { encodeSrgb8, SRGB8_TO_LINEAR } from '../../src/render/srgb.js';

describe('buildStage', () => {
  it('puts the floor at the lowest point; the shadow is darkest under the contact and fades out with distance', async () => {
    const scene = await buildScene(sphere({ segments: 48 }), async () => null);
    const stage = buildStage(scene, fitTurn(scene)!);
    expect(stage.floorY).toBeCloseTo(-1, 6);
    const at = (r: number) => shadowAt(stage, r, 0);
    expect(at(0)).toBeGreaterThan(0.5);
    expect(at(0)).toBeGreaterThan(at(0.5));
    expect(at(0.5)).toBeGreaterThan(at(1));
    expect(at(1)).toBeGreaterThan(at(1.5));
    expect(at(10)).toBe(0);
  });

  it('a flat-bottomed model casts a wider contact than a ball (it touches the floor all over its base)', async () => {
    const ball = await buildScene(sphere({ segments: 48 }), async () => null);
    const box = await buildScene(colouredCube(), async () => null);
    const sBall = buildStage(ball, fitTurn(ball)!), sBox = buildStage(box, fitTurn(box)!);
    expect(shadowAt(sBox, 0.9, 0)).toBeGreaterThan(shadowAt(sBall, 0.9, 0) + 0.2);
  });

  it('shadow 0 turns it off', async () => {
    const scene = await buildScene(sphere({ segments: 16 }), async () => null);
    const stage = buildStage(scene, fitTurn(scene)!, { ...DEFAULT_STAGE, shadow: 0 });
    expect(shadowAt(stage, 0, 0)).toBe(0);
  });
});

describe('the rendered stage', () => {
  it('a gradient from light above to darker below, and the floor darkened beside the model where it stands', async () => {
    const size = 96;
    const doc = colouredCube();
    const img: Image = { width: size, height: size, data: renderStill(await prepareScene(doc, size), { size, azimuthDeg: 0 }) };
    const top = pixel(img, 2, 2), bottom = pixel(img, 2, size - 3);
    for (let k = 0; k < 3; k++) expect(top[k]).toBeGreaterThan(bottom[k]! + 20);
    // Interpolated in linear light, row by row.
    const t = 2.5 / size;
    expect(top).toEqual(DEFAULT_STAGE.top.map((c, k) => encodeSrgb8(SRGB8_TO_LINEAR[c]! * (1 - t) + SRGB8_TO_LINEAR[DEFAULT_STAGE.bottom[k]!]! * t)));
    // Beside the cube's bottom edge: the shadow. Far from it on the same row: the plain gradient.
    let row = size - 1;
    while (row > 0 && pixel(img, size / 2, row)[0] > 120) row--; // the cube's lowest row (its blue front has little red)
    const near = pixel(img, size / 2, row + 2), far = pixel(img, 1, row + 2);
    expect(near[0]).toBeLessThan(far[0] - 15);
  });
});
