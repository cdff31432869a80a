// Golden images: three small scenes at a fixed angle, compared pixel by pixel with committed PNGs.
// Regenerate with UPDATE_GOLDEN=1 after an intended change, and look at the images before committing.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { colouredCube, sphere, texturedQuad } from './models.js';
import { compareGolden, pixel, type Image } from './images.js';

const SIZE = 64;
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.png`, import.meta.url));
// Rasterising is plain float arithmetic and the texture is not resized: a tolerance covers only
// last-bit differences between machines, and a few pixels along edges.
const TOLERANCE = 3;

async function still(doc: Parameters<typeof prepareScene>[0], azimuthDeg: number): Promise<Image> {
  const data = renderStill(await prepareScene(doc), { size: SIZE, azimuthDeg });
  return { width: SIZE, height: SIZE, data };
}

const dominant = (p: [number, number, number]) => p.indexOf(Math.max(...p));

describe('golden images', () => {
  it('cube with six coloured faces, seen from 30° right and 20° above', async () => {
    const img = await still(colouredCube(), 30);
    expect(compareGolden(img, golden('cube'), TOLERANCE)).toBeNull();
    // What the golden shows: the front (+Z, blue) on the left, the right side (+X, red) on the right,
    // the top (+Y, green) above; the back faces are culled or hidden.
    expect(dominant(pixel(img, 26, 36))).toBe(2);
    expect(dominant(pixel(img, 45, 36))).toBe(0);
    expect(dominant(pixel(img, 32, 17))).toBe(1);
  });

  it('textured quad, straight on', async () => {
    const img = await still(texturedQuad(), 0);
    expect(compareGolden(img, golden('quad'), TOLERANCE)).toBeNull();
    // UV (0,0) is the image's top-left: red top left, green top right, blue bottom left, white bottom right.
    expect(dominant(pixel(img, 24, 24))).toBe(0);
    expect(dominant(pixel(img, 40, 24))).toBe(1);
    expect(dominant(pixel(img, 24, 40))).toBe(2);
    expect(Math.min(...pixel(img, 40, 40))).toBeGreaterThan(150);
  });

  it('lit sphere: brighter towards the key light (upper left), ambient on the far side', async () => {
    const img = await still(sphere({ segments: 48 }), 0);
    expect(compareGolden(img, golden('sphere'), TOLERANCE)).toBeNull();
    const lit = pixel(img, 22, 20)[0], shadow = pixel(img, 44, 44)[0];
    expect(lit).toBeGreaterThan(shadow + 60);
  });
});
