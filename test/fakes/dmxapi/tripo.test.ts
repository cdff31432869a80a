import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { tripoGlb, tripoPreview } from './tripo.js';
import { modelIO } from '../../../src/model/io.js';
import { modelStats } from '../../../src/model/stats.js';
import { validateGlb } from '../../../src/model/validate.js';

const picture = readFileSync(new URL('../../fixtures/sample.png', import.meta.url));

describe('the simulator’s Tripo-like model', () => {
  it('standard: ~20k triangles, POSITION/NORMAL/TEXCOORD_0, one PBR material with 3 PNG maps at 2048 px, 10–20 MB, valid', async () => {
    const glb = await tripoGlb(picture, 'standard');
    expect(glb.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(glb.length).toBeLessThan(20 * 1024 * 1024);
    expect((await validateGlb(glb)).errors).toBe(0);
    const doc = await (await modelIO()).readBinary(glb);
    const stats = modelStats(doc, glb.length);
    expect(stats).toMatchObject({ triangles: 19_800, materials: 1, textures: 3, largestTexturePx: 2048 });
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    expect(prim.listSemantics().sort()).toEqual(['NORMAL', 'POSITION', 'TEXCOORD_0']);
    const material = prim.getMaterial()!;
    for (const tex of [material.getBaseColorTexture(), material.getNormalTexture(), material.getMetallicRoughnessTexture()]) {
      expect(tex?.getMimeType()).toBe('image/png');
    }
    // The base colour is the member's picture: its average colour is the picture's.
    const mean = async (img: Uint8Array | Buffer) => (await sharp(img).resize(64, 64, { fit: 'cover' }).removeAlpha().stats()).channels.map((c) => c.mean);
    const [texMean, picMean] = await Promise.all([mean(material.getBaseColorTexture()!.getImage()!), mean(picture)]);
    texMean.forEach((m, i) => expect(Math.abs(m - picMean[i]!)).toBeLessThan(8));
  }, 120_000);

  it('its preview is a real WebP made from the picture', async () => {
    const webp = await tripoPreview(picture);
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 512, height: 512 });
    expect(webp.length).toBeGreaterThan(1000);
  });
});
