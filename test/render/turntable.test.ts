// The whole turntable: a GIF that any decoder reads as 36 looping frames of the configured size, under
// 4 MB, the same bytes every time; and the limits that keep it from costing the result.
import { describe, expect, it } from 'vitest';
import { Document } from '@gltf-transform/core';
import { GifReader } from 'omggif';
import { MAX_GIF_BYTES, prepareScene, renderTurntable, renderTurntableFrames, TurntableError } from '../../src/render/turntable.js';
import { modelIO } from '../../src/model/io.js';
import { colouredCube, texturedQuad } from './models.js';
import { FLAT } from './images.js';

describe('renderTurntable', () => {
  it('encodes a looping GIF of 36 frames of the asked size, under 4 MB, the first frame being the front view', async () => {
    const size = 144;
    const gif = await renderTurntable(colouredCube(), { size, frames: 36 });
    expect(gif.length).toBeLessThan(MAX_GIF_BYTES);
    const reader = new GifReader(Buffer.from(gif));
    expect(reader.width).toBe(size);
    expect(reader.height).toBe(size);
    expect(reader.numFrames()).toBe(36);
    expect(reader.loopCount()).toBe(0); // forever
    expect(reader.frameInfo(0).delay).toBe(10); // hundredths: 3.6 s a turn

    // Each decoded frame is the rendered one, up to the palette's rounding.
    const rendered = renderTurntableFrames(await prepareScene(colouredCube(), size), { size, frames: 36 });
    const decoded = new Uint8Array(size * size * 4);
    for (const k of [0, 9, 27]) {
      reader.decodeAndBlitFrameRGBA(k, decoded);
      let worst = 0;
      for (let i = 0; i < decoded.length; i += 4) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(decoded[i + c]! - rendered[k]![i + c]!));
      }
      expect(worst, `frame ${k}`).toBeLessThan(24);
    }
    // One palette for every frame: only the first carries a colour table (the global one).
    for (let k = 1; k < 36; k++) expect(reader.frameInfo(k).palette_offset).toBe(reader.frameInfo(0).palette_offset);
  });

  it('is deterministic: the same model gives the same bytes, also after a GLB round trip', async () => {
    const a = await renderTurntable(texturedQuad(), { size: 64, frames: 36 });
    const b = await renderTurntable(texturedQuad(), { size: 64, frames: 36 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const { NodeIO } = await import('@gltf-transform/core');
    const glb = await new NodeIO().writeBinary(texturedQuad());
    const c = await renderTurntable(await (await modelIO()).readBinary(glb), { size: 64, frames: 36 });
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
  });

  it('gives up with a timeout error once timeoutMs has passed', async () => {
    const err = await renderTurntable(colouredCube(), { size: 64, frames: 36, timeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurntableError);
    expect((err as TurntableError).reason).toBe('timeout');
    expect((err as Error).message).toMatch(/exceeded 0 ms/);
  });

  it('checks the time between frames, not only before and after', async () => {
    let now = 0;
    const clock = () => (now += 10); // every look at the clock: 10 ms later
    const err = await renderTurntable(colouredCube(), { size: 32, frames: 36, timeoutMs: 100, clock }).catch((e: unknown) => e);
    expect((err as TurntableError).reason).toBe('timeout');
    expect((err as Error).message).toMatch(/frame \d+ of 36/);
  });

  it('draws what it can of broken geometry (a NaN vertex, an index past the end) instead of failing', async () => {
    const doc = colouredCube();
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    const pos = prim.getAttribute('POSITION')!.getArray() as Float32Array;
    pos[0] = NaN;
    const idx = prim.getIndices()!.getArray() as Uint32Array;
    idx[idx.length - 1] = 9999;
    const frames = renderTurntableFrames(await prepareScene(doc, 32), { size: 32, frames: 4, frame: FLAT });
    expect(frames).toHaveLength(4);
    const f = frames[0]!;
    expect(f.some((v, i) => i % 4 === 2 && v > 150 && f[i - 2]! < 60)).toBe(true); // the blue front face is there
  });

  it('refuses a model with nothing to draw', async () => {
    const doc = new Document();
    doc.createScene().addChild(doc.createNode('empty'));
    const err = await renderTurntable(doc, { size: 64, frames: 36 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurntableError);
    expect((err as TurntableError).reason).toBe('empty');
  });
});
