// Turntable rendering figures: 36 frames at 320 px from a 20k- and a 200k-triangle model with a 2048 px
// texture, and from the simulator's Tripo-like model (50k triangles, three 4096² JPEG maps). Standalone: `npx tsx test/bench/turntable-figures.ts`; `measureTurntable()` is for reports.
import { Document } from '@gltf-transform/core';
import sharp from 'sharp';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { modelIO } from '../../src/model/io.js';
import { prepareScene, renderStill, renderTurntable } from '../../src/render/turntable.js';
import { tripoGlb } from '../fakes/dmxapi/tripo.js';
import { toPng } from '../render/images.js';

export interface TurntableFigure {
  triangles: number;
  textureSize: number;
  size: number;
  frames: number;
  /** Wall-clock time. */
  ms: number;
  /** CPU time of this process meanwhile (user + system): what it costs when other work shares the machine. */
  cpuMs: number;
  gifBytes: number;
}

/** A wobbly sphere of about `triangles` triangles, UV-mapped to a `textureSize` px JPEG texture. */
export async function benchModel(triangles: number, textureSize = 2048): Promise<Document> {
  const segments = Math.max(8, Math.round(Math.sqrt(triangles)));
  const rings = Math.max(4, Math.round(triangles / (2 * segments)));
  const doc = new Document();
  doc.createBuffer();
  const pos = new Float32Array((rings + 1) * (segments + 1) * 3);
  const uv = new Float32Array((rings + 1) * (segments + 1) * 2);
  let p = 0, q = 0;
  for (let i = 0; i <= rings; i++) {
    const theta = (i / rings) * Math.PI;
    for (let j = 0; j <= segments; j++) {
      const phi = (j / segments) * 2 * Math.PI;
      const r = 1 + 0.12 * Math.sin(5 * theta) * Math.sin(7 * phi);
      pos[p++] = r * Math.sin(theta) * Math.sin(phi);
      pos[p++] = r * Math.cos(theta) * 1.3;
      pos[p++] = r * Math.sin(theta) * Math.cos(phi);
      uv[q++] = j / segments;
      uv[q++] = i / rings;
    }
  }
  const idx: number[] = [];
  const row = segments + 1;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * row + j, b = a + row;
      idx.push(a, b, a + 1, a + 1, b, b + 1);
    }
  }
  // Normals left out on purpose: the renderer computes them, as it must for some provider models.
  const raw = Buffer.alloc(textureSize * textureSize * 3);
  for (let y = 0; y < textureSize; y++) {
    for (let x = 0; x < textureSize; x++) {
      const o = (y * textureSize + x) * 3;
      const check = ((x >> 6) + (y >> 6)) & 1;
      raw[o] = check ? 200 : 60 + (x & 63);
      raw[o + 1] = (y * 255) / textureSize;
      raw[o + 2] = check ? 90 : 180;
    }
  }
  const jpeg = await sharp(raw, { raw: { width: textureSize, height: textureSize, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
  const material = doc.createMaterial('bench').setBaseColorTexture(doc.createTexture('albedo').setImage(jpeg).setMimeType('image/jpeg'));
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(pos))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(idx)))
    .setMaterial(material);
  doc.createScene().addChild(doc.createNode('bench').setMesh(doc.createMesh().addPrimitive(prim)));
  return doc;
}

/** Times renderTurntable (texture decode, 36 frames, GIF encoding) on a generated model. */
export async function measureTurntable(triangles: number, options: { size?: number; frames?: number; textureSize?: number } = {}): Promise<TurntableFigure> {
  const { textureSize = 2048 } = options;
  return measureDocument(await benchModel(triangles, textureSize), textureSize, options);
}

/** The same on the simulator's Tripo-like model of the sample picture (50,000 triangles, three 4096² JPEG maps). */
export async function measureTripoTurntable(options: { size?: number; frames?: number } = {}): Promise<TurntableFigure> {
  const picture = readFileSync(new URL('../fixtures/sample.png', import.meta.url));
  return measureDocument(await (await modelIO()).readBinary(await tripoGlb(picture, 'standard')), 4096, options);
}

async function measureDocument(doc: Document, textureSize: number, options: { size?: number; frames?: number }): Promise<TurntableFigure> {
  const { size = 320, frames = 36 } = options;
  const actual = doc.getRoot().listAccessors().filter((a) => a.getType() === 'SCALAR').reduce((n, a) => n + a.getCount() / 3, 0);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const gif = await renderTurntable(doc, { size, frames });
  const used = process.cpuUsage(cpu);
  return {
    triangles: actual,
    textureSize,
    size,
    frames,
    ms: Math.round(performance.now() - start),
    cpuMs: Math.round((used.user + used.system) / 1000),
    gifBytes: gif.length,
  };
}

/** One frame (30° round) of the simulator's Tripo-like model of the sample picture (the sandbox's), as a PNG. */
export async function sandboxFramePng(size = 320): Promise<Buffer> {
  const picture = readFileSync(new URL('../fixtures/sample.png', import.meta.url));
  const scene = await prepareScene(await (await modelIO()).readBinary(await tripoGlb(picture, 'standard')));
  return toPng({ width: size, height: size, data: renderStill(scene, { size, azimuthDeg: 30 }) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--sandbox-frame');
  if (at > 0) {
    writeFileSync(process.argv[at + 1] ?? 'turntable-frame.png', await sandboxFramePng());
    process.exit(0);
  }
  for (const f of [await measureTurntable(20_000), await measureTurntable(200_000), await measureTripoTurntable()]) {
    console.log(`${f.triangles} triangles, ${f.textureSize} px texture → ${f.frames} frames at ${f.size} px: ${f.ms} ms (CPU ${f.cpuMs} ms), GIF ${(f.gifBytes / 1024).toFixed(0)} KiB`);
  }
}
