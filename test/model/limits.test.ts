import { describe, expect, it } from 'vitest';
import { Document, NodeIO } from '@gltf-transform/core';
import { EXTMeshGPUInstancing } from '@gltf-transform/extensions';
import sharp from 'sharp';
import {
  assertWithinLimits,
  DECODE_LIMITS,
  firstExceeded,
  measureComplexity,
  MODEL_LIMITS,
  NotGlbError,
  parseGlb,
  TooComplexError,
  trianglesOf,
} from '../../src/model/limits.js';
import { modelIO } from '../../src/model/io.js';
import { hostileFiles, hugePng, INSTANCED, INSTANCED_MESH_TRIANGLES } from '../fakes/dmxapi/hostile-models.js';
import { textureImage } from './fixtures.js';

/** Accessor JSON of `count` elements (no buffer: the check reads counts, never data). */
const acc = (count: number, type = 'SCALAR', componentType = 5125) => ({ count, type, componentType });

describe('what a model may become, measured without expanding it', () => {
  it('counts triangles per mode: lists, strips and fans; points and lines draw none', () => {
    expect([trianglesOf(4, 9), trianglesOf(4, 10), trianglesOf(5, 10), trianglesOf(6, 10), trianglesOf(5, 2)]).toEqual([3, 3, 8, 8, 0]);
    expect([trianglesOf(0, 99), trianglesOf(1, 99), trianglesOf(3, 99)]).toEqual([0, 0, 0]);
  });

  it('each node that uses a mesh counts it again, through the whole tree; GPU instances multiply it', () => {
    const json = {
      scene: 0,
      scenes: [{ nodes: [0] }, { nodes: [4] }],
      nodes: [
        { children: [1, 2] },
        { mesh: 0, children: [3] },
        { mesh: 0 },
        { mesh: 1, extensions: { EXT_mesh_gpu_instancing: { attributes: { TRANSLATION: 3 } } } },
        { mesh: 1 }, // only in scene 1, which is not the default
      ],
      meshes: [
        // 12 + 4 triangles (a list by indices, a strip by positions)
        { primitives: [{ attributes: { POSITION: 1 }, indices: 0 }, { attributes: { POSITION: 2 }, mode: 5 }] },
        { primitives: [{ attributes: { POSITION: 1 }, indices: 0 }] },
      ],
      accessors: [acc(36), acc(24, 'VEC3', 5126), acc(6, 'VEC3', 5126), acc(5, 'VEC3', 5126)],
    };
    // Mesh 0 twice (2 × 16) and mesh 1 once with 5 GPU instances (5 × 12).
    expect(measureComplexity(json, null).triangles).toBe(2 * 16 + 5 * 12);
    // With no default scene, every scene is drawn: node 4 adds one more mesh 1.
    expect(measureComplexity({ ...json, scene: undefined }, null).triangles).toBe(2 * 16 + 5 * 12 + 12);
  });

  it('a node reached twice (a cycle, or two parents) is counted once and the walk ends', () => {
    const json = {
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0, children: [1] }, { mesh: 0, children: [0, 1] }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      accessors: [acc(3, 'VEC3', 5126)],
    };
    expect(measureComplexity(json, null)).toMatchObject({ triangles: 2, nodes: 2 });
  });

  it('accessor sizes are count × element size, one by one and together, whatever a sparse or compressed one stores', () => {
    const json = { accessors: [acc(1_000_000_000, 'VEC3', 5126), acc(10, 'MAT4', 5126), acc(7, 'SCALAR', 5121)] };
    expect(measureComplexity(json, null)).toMatchObject({ largestAccessorBytes: 12_000_000_000, accessorBytes: 12_000_000_000 + 640 + 7 });
  });

  it('textures are counted and their pixels read from the headers, one by one and together', async () => {
    const doc = new Document();
    doc.createBuffer();
    for (const [w, h] of [[64, 32], [16, 16]] as const) {
      doc.createTexture().setImage(await textureImage(w, { height: h })).setMimeType('image/png');
    }
    const { json, bin } = parseGlb(await new NodeIO().writeBinary(doc));
    expect(measureComplexity(json, bin)).toMatchObject({ textures: 2, largestTexturePixels: 2048, largestTextureDims: [64, 32], texturePixels: 2048 + 256 });
  });

  it('a texture in a data: URI is measured from its header too', () => {
    const png = hugePng(300);
    const json = { images: [{ uri: `data:image/png;base64,${png.toString('base64')}` }, { uri: 'external.png' }] };
    expect(measureComplexity(json, null)).toMatchObject({ textures: 2, largestTexturePixels: 90_000, texturePixels: 90_000 });
  });
});

describe('the limits', () => {
  const within = { triangles: 1, nodes: 1, largestAccessorBytes: 1, accessorBytes: 1, textures: 1, largestTexturePixels: 1, largestTextureDims: [1, 1] as [number, number], texturePixels: 1 };

  it('names the first limit a model is over, in a fixed order, with its figure and the limit', () => {
    expect(firstExceeded(within)).toBeNull();
    expect(firstExceeded({ ...within, nodes: 10_001, textures: 33 })).toEqual({ limit: 'nodes', value: 10_001, max: 10_000 });
    expect(firstExceeded({ ...within, textures: 33 })).toEqual({ limit: 'textures', value: 33, max: 32 });
    expect(firstExceeded({ ...within, accessorBytes: MODEL_LIMITS.totalAccessorBytes + 1 })).toEqual({
      limit: 'totalAccessorBytes',
      value: 536_870_913,
      max: 536_870_912,
    });
    expect(firstExceeded({ ...within, texturePixels: 134_217_729 })).toEqual({ limit: 'totalTexturePixels', value: 134_217_729, max: 134_217_728 });
    // Exactly at a limit is within it.
    expect(firstExceeded({ ...within, triangles: 2_000_000, nodes: 10_000, textures: 32, largestTexturePixels: 8192 * 8192 })).toBeNull();
  });

  it('the instanced model (one 20,000-triangle mesh, 12,000 nodes, under 1 MB) is 240,000,000 triangles after instancing', async () => {
    const { glb } = await hostileFiles('instanced')();
    expect(glb.length).toBeLessThan(1024 * 1024);
    expect(INSTANCED_MESH_TRIANGLES * INSTANCED.nodes).toBe(240_000_000);
    let err: unknown;
    try {
      assertWithinLimits(glb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TooComplexError);
    expect((err as TooComplexError).exceeded).toEqual({ limit: 'triangles', value: 240_000_000, max: 2_000_000 });
  });

  it('the texture declared at 16,000 × 16,000 px is over the per-texture limit, from its header alone', async () => {
    const { glb } = await hostileFiles('huge-texture')();
    expect(() => assertWithinLimits(glb)).toThrow(TooComplexError);
    const { json, bin } = parseGlb(glb);
    expect(firstExceeded(measureComplexity(json, bin))).toEqual({ limit: 'texturePixels', value: 256_000_000, max: 67_108_864, dims: [16_000, 16_000] });
  });

  it('a Tripo-like model is well within every limit', async () => {
    const { sphere } = await import('./fixtures.js');
    const doc = new Document();
    doc.createScene().addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(sphere(doc, 100, 100))));
    const c = assertWithinLimits(await (await modelIO()).writeBinary(doc));
    expect(c).toMatchObject({ triangles: 19_800, nodes: 1, textures: 0 });
  });

  it('counts GPU instances as glTF-Transform writes them (EXT_mesh_gpu_instancing)', async () => {
    const { sphere } = await import('./fixtures.js');
    const doc = new Document();
    const ext = doc.createExtension(EXTMeshGPUInstancing).setRequired(true);
    const translations = doc.createAccessor().setType('VEC3').setArray(new Float32Array(3 * 250)).setBuffer(doc.createBuffer());
    const node = doc.createNode().setMesh(doc.createMesh().addPrimitive(sphere(doc, 10, 10)));
    node.setExtension('EXT_mesh_gpu_instancing', ext.createInstancedMesh().setAttribute('TRANSLATION', translations));
    doc.createScene().addChild(node);
    const { json, bin } = parseGlb(await (await modelIO()).writeBinary(doc));
    expect(measureComplexity(json, bin).triangles).toBe(250 * 2 * 10 * 9);
  });

  it('a file that is no GLB is told apart from one that is too complex', () => {
    expect(() => assertWithinLimits(new Uint8Array(Buffer.concat([Buffer.from('glTF'), Buffer.alloc(4096, 0x5a)])))).toThrow(NotGlbError);
    expect(() => assertWithinLimits(new Uint8Array(Buffer.from('not a model at all, just text')))).toThrow(NotGlbError);
  });

  it('every decode is bounded too: sharp refuses the 16,000² texture past limitInputPixels, before decoding it', async () => {
    await expect(sharp(hugePng(), DECODE_LIMITS).raw().toBuffer()).rejects.toThrow(/pixel limit/);
    expect((await sharp(hugePng(8192), DECODE_LIMITS).metadata()).width).toBe(8192);
  });
});
