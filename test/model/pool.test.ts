import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelPool, ModelTaskError } from '../../src/model/pool.js';
import { modelIO } from '../../src/model/io.js';
import { validateGlb } from '../../src/model/validate.js';
import { fifoBarrier } from '../helpers/fifo.js';
import { tempDir } from '../helpers/tmp.js';
import { model } from './fixtures.js';

let tmp: { dir: string; cleanup: () => void };
let input: string;

beforeAll(async () => {
  tmp = tempDir('model3d-pool-');
  input = join(tmp.dir, 'original.glb');
  const doc = await model({ textures: [{ px: 512 }, { px: 512 }] });
  writeFileSync(input, await (await modelIO()).writeBinary(doc));
});
afterAll(() => tmp.cleanup());

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelTaskError) return err.failure;
    throw err;
  }
  throw new Error('the task succeeded');
}

describe('the model worker pool', () => {
  it('processes a model in a worker: stats, validation, fitted output written beside it', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    const original = readFileSync(input).length;
    const r = await pool.run({ kind: 'process', input, outDir: tmp.dir, budgetBytes: Math.floor(original / 2) });
    expect(r.stats).toMatchObject({ triangles: 2 * 40 * 29, materials: 1, textures: 2, largestTexturePx: 512, bytes: original });
    expect(r.validation.errors).toBe(0);
    expect(r.output).toBe(join(tmp.dir, 'model.glb'));
    expect(r.fit.steps.map((s) => s.step)).toContain('jpeg');
    const out = readFileSync(r.output!);
    expect(out.length).toBe(r.fit.bytesAfter);
    expect(out.length).toBeLessThanOrEqual(r.fit.budgetBytes);
    expect((await validateGlb(out)).errors).toBe(0);
  });

  it('keeps a model that already fits as it is: no steps, the original is the output', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    const r = await pool.run({ kind: 'process', input, outDir: join(tmp.dir, 'fits'), budgetBytes: 10 * 1024 * 1024 });
    expect(r.output).toBe(input);
    expect(r.fit.steps).toEqual([]);
  });

  it('a corrupt file fails as corrupt, without writing anything', async () => {
    const bad = join(tmp.dir, 'bad.glb');
    writeFileSync(bad, Buffer.concat([Buffer.from('glTF'), Buffer.alloc(4096, 0x5a)]));
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    expect(await failure(pool.run({ kind: 'process', input: bad, outDir: join(tmp.dir, 'bad'), budgetBytes: 1000 }))).toBe('corrupt');
    expect(existsSync(join(tmp.dir, 'bad', 'model.glb'))).toBe(false);
  });

  it('a task over the time limit is stopped and fails as a timeout', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 150, memoryMb: 512 });
    expect(await failure(pool.run({ kind: 'obj', input, output: join(tmp.dir, 'slow.zip') }))).toBe('timeout');
  });

  it('a task over the memory limit fails as out of memory', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 4 });
    expect(await failure(pool.run({ kind: 'process', input, outDir: join(tmp.dir, 'oom'), budgetBytes: 1000 }))).toBe('memory');
  });

  it('runs at most `size` tasks at once; the others wait their turn', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    expect(pool.free).toBe(1);
    const order: string[] = [];
    const a = pool.run({ kind: 'stl', input, output: join(tmp.dir, 'a.stl'), heightMm: 100 }).then(() => order.push('a'));
    expect(pool.free).toBe(0);
    const b = pool.run({ kind: 'stl', input, output: join(tmp.dir, 'b.stl'), heightMm: 50 }).then(() => order.push('b'));
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(pool.free).toBe(1);
  });
});

describe('idle workers', () => {
  it('starts no worker before the first task, keeps it warm for the next, and stops it once idle', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512, idleMs: 300 });
    expect(pool.workers).toBe(0);
    const first = pool.run({ kind: 'stl', input, output: join(tmp.dir, 'idle-1.stl'), heightMm: 100 });
    expect(pool.workers).toBe(1);
    await first;
    expect(pool.workers).toBe(1); // kept for the next task
    // Stopped after idleMs: wait for it (bounded well inside the test's own timeout, so a worker that
    // is never stopped fails here, by name).
    await vi.waitFor(() => expect(pool.workers).toBe(0), { timeout: 10_000, interval: 50 });
    // The next task starts a fresh worker, which loads everything again and does the work.
    const r = await pool.run({ kind: 'stl', input, output: join(tmp.dir, 'idle-2.stl'), heightMm: 100 });
    expect(r.bytes).toBe(readFileSync(join(tmp.dir, 'idle-2.stl')).length);
    expect(r.bytes).toBe(readFileSync(join(tmp.dir, 'idle-1.stl')).length);
    await pool.close();
  });
});

describe('closing the pool (shutdown)', () => {
  it('a task in flight fails as stopped, not as a crash, so its job can resume after restart', async () => {
    const pool = new ModelPool({ size: 1, timeoutMs: 60_000, memoryMb: 512 });
    // The input is a pipe: the worker is in the task once it has opened it, and stays there.
    const held = fifoBarrier(join(tmp.dir, 'held.glb'));
    onTestFinished(() => held.release());
    const running = failure(pool.run({ kind: 'obj', input: join(tmp.dir, 'held.glb'), output: join(tmp.dir, 'closed.zip') }));
    await held.openedBy(running);
    const closing = pool.close();
    // A stopped worker still waits for the read it has under way, which on a pipe returns only once ended.
    await held.release();
    await closing;
    expect(await running).toBe('stopped');
    expect(await failure(pool.run({ kind: 'stl', input, output: join(tmp.dir, 'after.stl'), heightMm: 100 }))).toBe('stopped');
  });
});
