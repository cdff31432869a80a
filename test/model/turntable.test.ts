// The turntable in the model process's pipeline (run in this process here): made from the right document,
// recorded as an artifact when there is room beside the GLB, reported (never thrown) when it fails.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GifReader } from 'omggif';
import { keepsTheLook, processModel } from '../../src/model/pipeline.js';
import { modelIO } from '../../src/model/io.js';
import { renderTurntable } from '../../src/render/turntable.js';
import { TURNTABLE_FRAMES } from '../../src/model/turntable.js';
import { tempDir } from '../helpers/tmp.js';
import { model } from './fixtures.js';

const SETTINGS = { size: 96, timeoutMs: 60_000 };

describe('the turntable artifact of model processing', () => {
  let tmp: ReturnType<typeof tempDir>;
  let input: string;
  let glb: Uint8Array;
  beforeEach(async () => {
    tmp = tempDir('turntable-');
    input = join(tmp.dir, 'original.glb');
    glb = await (await modelIO()).writeBinary(await model({ textures: [{ px: 256 }] }));
    writeFileSync(input, glb);
  });
  afterEach(() => tmp.cleanup());

  const run = (budgetBytes: number, turntable: typeof SETTINGS | null = SETTINGS) =>
    processModel({ kind: 'process', input, outDir: tmp.dir, budgetBytes, turntable });

  it('renders a looping GIF beside the model and records it', async () => {
    const r = await run(10_000_000);
    expect(r.output).toBe(input);
    expect(r.artifactsSkipped).toEqual([]);
    expect(r.artifacts).toEqual([{ kind: 'turntable', file: join(tmp.dir, 'turntable.gif'), bytes: expect.any(Number) }]);
    const gif = readFileSync(r.artifacts[0]!.file);
    expect(gif.length).toBe(r.artifacts[0]!.bytes);
    const reader = new GifReader(gif);
    expect(reader.numFrames()).toBe(TURNTABLE_FRAMES);
    expect(reader.width).toBe(96);
  });

  it('TURNTABLE=off (no settings): no GIF, nothing to report', async () => {
    const r = await run(10_000_000, null);
    expect(r.artifacts).toEqual([]);
    expect(r.artifactsSkipped).toEqual([]);
    expect(existsSync(join(tmp.dir, 'turntable.gif'))).toBe(false);
  });

  it('a timeout is reported with its reason; the model is still processed', async () => {
    const r = await run(10_000_000, { size: 96, timeoutMs: 1 });
    expect(r.output).toBe(input);
    expect(r.artifacts).toEqual([]);
    expect(r.artifactsSkipped).toEqual([{ kind: 'turntable', reason: expect.stringMatching(/exceeded 1 ms/) }]);
  });

  it('the GLB comes first: with no room left beside it, the GIF is dropped and deleted, and that is reported', async () => {
    const r = await run(glb.length + 100);
    expect(r.output).toBe(input);
    expect(r.artifacts).toEqual([]);
    expect(r.artifactsSkipped).toEqual([{ kind: 'turntable', reason: expect.stringMatching(/no room beside the model/) }]);
    expect(existsSync(join(tmp.dir, 'turntable.gif'))).toBe(false);
  });

  it("renders the provider's model when fitting changed the look (a simplified mesh)", async () => {
    // A budget that only simplification (or Draco) can meet: 64 px textures leave little else to shrink.
    const dense = await (await modelIO()).writeBinary(await model({ segments: 200, rings: 150, textures: [{ px: 64 }] }));
    writeFileSync(input, dense);
    const r = await run(Math.round(dense.length * 0.35));
    expect(r.fit.steps.map((s) => s.step)).toContain('simplify');
    const fromOriginal = await renderTurntable(await (await modelIO()).readBinary(dense), { size: 96, frames: TURNTABLE_FRAMES, timeoutMs: 60_000 });
    expect(readFileSync(join(tmp.dir, 'turntable.gif')).equals(Buffer.from(fromOriginal))).toBe(true);
  }, 60_000);
});

describe('keepsTheLook', () => {
  it('clean-up, JPEG and textures of at least 1024 px keep it; smaller textures or a simpler mesh do not', () => {
    expect(keepsTheLook([])).toBe(true);
    expect(keepsTheLook([{ step: 'lossless', bytesAfter: 1 }, { step: 'jpeg', bytesAfter: 1 }, { step: 'downscale', value: 1024, bytesAfter: 1 }])).toBe(true);
    expect(keepsTheLook([{ step: 'downscale', value: 512, bytesAfter: 1 }])).toBe(false);
    expect(keepsTheLook([{ step: 'lossless', bytesAfter: 1 }, { step: 'simplify', value: 0.5, bytesAfter: 1 }])).toBe(false);
  });
});
