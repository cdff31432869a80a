import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { TRIPO_TRIANGLES, tripoGlb, tripoPreview } from './tripo.js';
import { modelIO } from '../../../src/model/io.js';
import { modelStats } from '../../../src/model/stats.js';
import { validateGlb } from '../../../src/model/validate.js';

const picture = readFileSync(new URL('../../fixtures/sample.png', import.meta.url));

/** The JSON chunk of a GLB, as written. */
const gltfJson = (glb: Uint8Array) => JSON.parse(Buffer.from(glb.buffer, glb.byteOffset + 20, Buffer.from(glb.buffer, glb.byteOffset).readUInt32LE(12)).toString('utf8'));

describe('the simulator’s Tripo-like model', () => {
  it('standard is laid out like real Tripo output: 50,000 triangles, UNSIGNED_INT indices, Color/ORM/NormalGL as 4096² JPEGs, about 3 MB, valid', async () => {
    const glb = await tripoGlb(picture, 'standard');
    expect(glb.length).toBeGreaterThan(2.7e6);
    expect(glb.length).toBeLessThan(3.6e6);
    expect((await validateGlb(glb)).errors).toBe(0);
    const json = gltfJson(glb);
    expect(json.asset.generator).toBe('https://tripo3d.ai');
    expect(json.samplers).toBeUndefined(); // the defaults apply, as in the real files
    expect(json.nodes).toHaveLength(1);
    expect(json.nodes[0].name).toMatch(/^tripo_node_[0-9a-f-]{36}$/);
    expect(json.meshes[0].extras.name).toBe(json.meshes[0].name);
    expect(json.accessors[json.meshes[0].primitives[0].indices].componentType).toBe(5125);
    expect(json.images.map((i: { name: string }) => i.name.split('_')[0]).sort()).toEqual(['Color', 'NormalGL', 'ORM']);
    expect(json.materials[0]).toMatchObject({ pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 1, roughnessFactor: 1 }, doubleSided: false });
    expect(json.materials[0].occlusionTexture).toBeUndefined(); // occlusion rides in ORM's red channel, unreferenced

    const doc = await (await modelIO()).readBinary(glb);
    expect(modelStats(doc, glb.length)).toMatchObject({ triangles: TRIPO_TRIANGLES, materials: 1, textures: 3, largestTexturePx: 4096 });
    expect(TRIPO_TRIANGLES).toBe(50_000);
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    expect(prim.listSemantics().sort()).toEqual(['NORMAL', 'POSITION', 'TEXCOORD_0']);
    // About 0.95 units tall, centred on the origin, Y up.
    const [min, max] = [prim.getAttribute('POSITION')!.getMin([]), prim.getAttribute('POSITION')!.getMax([])];
    expect(max[1]! - min[1]!).toBeCloseTo(0.95, 2);
    expect(Math.abs(max[1]! + min[1]!)).toBeLessThan(0.01);
    const material = prim.getMaterial()!;
    for (const tex of [material.getBaseColorTexture(), material.getNormalTexture(), material.getMetallicRoughnessTexture()]) {
      expect(tex?.getMimeType()).toBe('image/jpeg');
      expect(tex!.getImage()!.length).toBeGreaterThan(300_000);
      expect(tex!.getImage()!.length).toBeLessThan(800_000);
      expect(await sharp(tex!.getImage()!).metadata()).toMatchObject({ width: 4096, height: 4096, isProgressive: false, chromaSubsampling: '4:2:0' });
    }
    // The base colour is the member's picture: its average colour is the picture's, above and below the gold belt.
    const mean = async (img: Uint8Array | Buffer, top: number, height: number) =>
      (await sharp(img).resize(256, 256, { fit: 'cover' }).extract({ left: 0, top, width: 256, height }).removeAlpha().stats()).channels.map((c) => c.mean);
    const [texMean, picMean] = await Promise.all([mean(material.getBaseColorTexture()!.getImage()!, 0, 150), mean(picture, 0, 150)]);
    texMean.forEach((m, i) => expect(Math.abs(m - picMean[i]!)).toBeLessThan(8));
  }, 120_000);

  it('its preview is a real WebP made from the picture', async () => {
    const webp = await tripoPreview(picture);
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 512, height: 512 });
    expect(webp.length).toBeGreaterThan(1000);
  });
});
