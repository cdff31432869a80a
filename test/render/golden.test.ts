// Golden images: small scenes at a fixed angle, compared pixel by pixel with committed PNGs.
// Regenerate with UPDATE_GOLDEN=1 after an intended change, and look at the images before committing.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { prepareScene, renderStill } from '../../src/render/turntable.js';
import { colouredCube, sphere, texturedQuad } from './models.js';
import { compareGolden, pixel, type Image } from './images.js';

const SIZE = 64;
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.png`, import.meta.url));
// Rasterising and shading are plain float arithmetic and the textures are not resized: a tolerance
// covers only last-bit differences between machines, and a few pixels along edges.
const TOLERANCE = 3;

async function still(doc: Parameters<typeof prepareScene>[0], azimuthDeg: number): Promise<Image> {
  const data = renderStill(await prepareScene(doc, SIZE), { size: SIZE, azimuthDeg });
  return { width: SIZE, height: SIZE, data };
}

const dominant = (p: [number, number, number]) => p.indexOf(Math.max(...p));
const luma = (p: [number, number, number]) => 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];

describe('golden images', () => {
  it('cube with six coloured faces, seen from 30° right and 30° above', async () => {
    const img = await still(colouredCube(), 30);
    expect(compareGolden(img, golden('cube'), TOLERANCE)).toBeNull();
    // What the golden shows: the front (+Z, blue) on the left, the right side (+X, red) on the right,
    // the top (+Y, green) above; the back faces are culled or hidden.
    expect(dominant(pixel(img, 22, 36))).toBe(2);
    expect(dominant(pixel(img, 50, 36))).toBe(0);
    expect(dominant(pixel(img, 30, 5))).toBe(1);
  });

  it('textured quad, straight on', async () => {
    const img = await still(texturedQuad(), 0);
    expect(compareGolden(img, golden('quad'), TOLERANCE)).toBeNull();
    // UV (0,0) is the image's top-left: red top left, green top right, blue bottom left, white bottom right.
    expect(dominant(pixel(img, 20, 20))).toBe(0);
    expect(dominant(pixel(img, 44, 20))).toBe(1);
    expect(dominant(pixel(img, 20, 44))).toBe(2);
    expect(Math.min(...pixel(img, 44, 44))).toBeGreaterThan(110);
  });

  it('grey sphere (glTF default: rough metal): brighter towards the key light (upper left) than underneath', async () => {
    const img = await still(sphere({ segments: 48 }), 0);
    expect(compareGolden(img, golden('sphere'), TOLERANCE)).toBeNull();
    expect(luma(pixel(img, 20, 18))).toBeGreaterThan(luma(pixel(img, 40, 52)) + 40);
  });

  it('polished gold and glossy blue plastic: the studio lights show as highlights above, the gold tints them, the plastic does not', async () => {
    const gold = await still(sphere({ segments: 64, material: (d) => d.createMaterial('gold').setBaseColorFactor([1, 0.71, 0.29, 1]).setMetallicFactor(1).setRoughnessFactor(0.3) }), 0);
    const plastic = await still(sphere({ segments: 64, material: (d) => d.createMaterial('plastic').setBaseColorFactor([0.05, 0.15, 0.6, 1]).setMetallicFactor(0).setRoughnessFactor(0.25) }), 0);
    expect(compareGolden(gold, golden('gold'), TOLERANCE)).toBeNull();
    expect(compareGolden(plastic, golden('plastic'), TOLERANCE)).toBeNull();
    // The brightest pixel of each: in the upper half (the lights are above), gold-tinted on the metal, near white on the plastic.
    const brightest = (img: Image) => {
      let best = [0, 0], v = -1;
      for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (luma(pixel(img, x, y)) > v) [v, best] = [luma(pixel(img, x, y)), [x, y]];
      return { at: best, rgb: pixel(img, best[0]!, best[1]!) };
    };
    for (const img of [gold, plastic]) expect(brightest(img).at[1]).toBeLessThan(SIZE / 2);
    const g = brightest(gold).rgb, p = brightest(plastic).rgb;
    expect(g[0] - g[2]).toBeGreaterThan(25);
    expect(Math.min(...p)).toBeGreaterThan(170);
  });
});
