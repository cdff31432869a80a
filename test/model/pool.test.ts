import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { spawnSync } from 'node:child_process';
import { ModelPool, ModelPoolBusyError, ModelTaskError, type RestartReason } from '../../src/model/pool.js';
import { childEnv, OS_MEMORY_BOUND } from '../../src/model/spawn.js';
import { modelIO } from '../../src/model/io.js';
import { validateGlb } from '../../src/model/validate.js';
import { fifoBarrier } from '../helpers/fifo.js';
import { tempDir } from '../helpers/tmp.js';
import { hostileFiles } from '../fakes/dmxapi/hostile-models.js';
import { model } from './fixtures.js';

let tmp: { dir: string; cleanup: () => void };
let input: string;
let big: string;

beforeAll(async () => {
  tmp = tempDir('model3d-pool-');
  input = join(tmp.dir, 'original.glb');
  const doc = await model({ textures: [{ px: 512 }, { px: 512 }] });
  writeFileSync(input, await (await modelIO()).writeBinary(doc));
  big = join(tmp.dir, 'big.glb');
  writeFileSync(big, await (await modelIO()).writeBinary(await model({ textures: [{ px: 2048, kind: 'noise' }] })));
});
afterAll(() => tmp.cleanup());

async function failure(p: Promise<unknown>): Promise<ModelTaskError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelTaskError) return err;
    throw err;
  }
  throw new Error('the task succeeded');
}

/** The model processes this test process started (their parent is this process), from /proc. */
function modelProcesses(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('child.')) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resolves once the process runs node itself (the /bin/sh before it has set the OS bound and exec'd). */
async function runningNode(pid: number): Promise<void> {
  const node = realpathSync(process.execPath);
  const deadline = Date.now() + 30_000;
  while (readlinkSync(`/proc/${pid}/exe`) !== node) {
    if (Date.now() > deadline) throw new Error(`process ${pid} never exec'd node`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether this kernel enforces RLIMIT_DATA: a node under a 200 MB bound filling 300 MB must fail. */
const KERNEL_ENFORCES_RLIMIT_DATA =
  OS_MEMORY_BOUND &&
  spawnSync('/bin/sh', ['-c', 'ulimit -d 204800 && exec "$0" -e "new Uint8Array(300 * 1024 * 1024).fill(1)"', process.execPath], { stdio: 'ignore' }).status !== 0;

const stl = (name: string) => ({ kind: 'stl' as const, input, output: join(tmp.dir, name), heightMm: 100 });
const small = { size: 1, timeoutMs: 60_000, memoryMb: 512 };

describe('the model process pool', () => {
  it('processes a model in a process of its own: stats, validation, fitted output written beside it', async () => {
    const pool = new ModelPool(small);
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
    // The work ran in a child process, which reports its own peak and stays warm for the next task.
    expect(r.processPeakRssBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(modelProcesses()).toHaveLength(1);
    await pool.close();
    expect(modelProcesses()).toEqual([]);
  });

  it('keeps a model that already fits as it is: no steps, the original is the output', async () => {
    const pool = new ModelPool(small);
    const r = await pool.run({ kind: 'process', input, outDir: join(tmp.dir, 'fits'), budgetBytes: 10 * 1024 * 1024 });
    expect(r.output).toBe(input);
    expect(r.fit.steps).toEqual([]);
    await pool.close();
  });

  it('a corrupt file fails as corrupt, without writing anything', async () => {
    const bad = join(tmp.dir, 'bad.glb');
    writeFileSync(bad, Buffer.concat([Buffer.from('glTF'), Buffer.alloc(4096, 0x5a)]));
    const pool = new ModelPool(small);
    expect((await failure(pool.run({ kind: 'process', input: bad, outDir: join(tmp.dir, 'bad'), budgetBytes: 1000 }))).failure).toBe('corrupt');
    expect(existsSync(join(tmp.dir, 'bad', 'model.glb'))).toBe(false);
    await pool.close();
  });

  it('a model over a limit fails as too complex, naming the limit, and an export of it too', async () => {
    const instanced = join(tmp.dir, 'instanced.glb');
    writeFileSync(instanced, (await hostileFiles('instanced')()).glb);
    const pool = new ModelPool(small);
    const err = await failure(pool.run({ kind: 'process', input: instanced, outDir: join(tmp.dir, 'inst'), budgetBytes: 1000 }));
    expect({ failure: err.failure, exceeded: err.exceeded }).toEqual({
      failure: 'too_complex',
      exceeded: { limit: 'triangles', value: 240_000_000, max: 2_000_000 },
    });
    expect((await failure(pool.run({ kind: 'stl', input: instanced, output: join(tmp.dir, 'inst.stl'), heightMm: 100 }))).failure).toBe('too_complex');
    expect(existsSync(join(tmp.dir, 'inst.stl'))).toBe(false);
    await pool.close();
  });
});

describe('a model process that fails fails only its task; the next task gets a fresh one', () => {
  it('over the time limit: killed, fails as a timeout, counted as a restart', async () => {
    const restarts: RestartReason[] = [];
    const pool = new ModelPool({ ...small, timeoutMs: 150, onRestart: (r) => restarts.push(r) });
    expect((await failure(pool.run({ kind: 'obj', input, output: join(tmp.dir, 'slow.zip') }))).failure).toBe('timeout');
    expect(restarts).toEqual(['timeout']);
    await pool.close();
  });

  it('killed from outside while it works: fails as crashed, and the next task runs in a new process', async () => {
    const restarts: RestartReason[] = [];
    const pool = new ModelPool({ ...small, onRestart: (r) => restarts.push(r) });
    const running = failure(pool.run(stl('crash.stl')));
    // The process is started as the task is handed to it.
    const [pid] = modelProcesses();
    process.kill(pid!, 'SIGSEGV');
    const err = await running;
    expect(err.failure).toBe('crashed');
    expect(err.message).toMatch(/exited \(signal SIGSEGV\) before answering/);
    expect(restarts).toEqual(['crashed']);
    const r = await pool.run(stl('after-crash.stl'));
    expect(r.bytes).toBe(readFileSync(join(tmp.dir, 'after-crash.stl')).length);
    await vi.waitFor(() => expect(modelProcesses()).not.toContain(pid), { timeout: 10_000, interval: 50 });
    await pool.close();
  });

  it('over the V8 heap limit: fails as out of memory', async () => {
    const restarts: RestartReason[] = [];
    const pool = new ModelPool({ ...small, memoryMb: 4, onRestart: (r) => restarts.push(r) });
    expect((await failure(pool.run({ kind: 'process', input, outDir: join(tmp.dir, 'oom'), budgetBytes: 1000 }))).failure).toBe('memory');
    expect(restarts).toEqual(['memory']);
    await pool.close();
  });

  it.runIf(OS_MEMORY_BOUND)('runs under the OS bound on all its memory (RLIMIT_DATA)', async () => {
    const pool = new ModelPool({ ...small, memoryMb: 2048, processMemoryMb: 1536 });
    const done = pool.run(stl('bound.stl'));
    const [pid] = modelProcesses();
    await runningNode(pid!);
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(new RegExp(`Max data size\\s+${1536 * 1024 * 1024}\\s+${1536 * 1024 * 1024}\\s+bytes`));
    await done;
    await pool.close();
  });

  // Some kernels and sandboxes accept the limit but do not enforce it (Linux's ignore_rlimit_data, or a
  // user-space kernel); there the heap limit and sharp's pixel limit are the bounds left.
  it.runIf(KERNEL_ENFORCES_RLIMIT_DATA)('a task over the OS bound fails without touching this process', async () => {
    // 200 MB is below what the glTF libraries and a 2048 px texture need together (the heap limit alone would allow it).
    const tight = new ModelPool({ ...small, memoryMb: 2048, processMemoryMb: 200 });
    const err = await failure(tight.run({ kind: 'process', input: big, outDir: join(tmp.dir, 'tight'), budgetBytes: 1000 }));
    expect(['memory', 'crashed']).toContain(err.failure);
    await tight.close();
    // The same task passes with room, so it was the bound that failed it.
    const roomy = new ModelPool({ ...small, memoryMb: 2048, processMemoryMb: 4096 });
    await roomy.run({ kind: 'process', input: big, outDir: join(tmp.dir, 'roomy'), budgetBytes: 1000 });
    await roomy.close();
  });

  it('inherits no secret from the bot: only paths, locale and allocator settings', async () => {
    const env = { PATH: '/usr/bin', HOME: '/home/bot', LANG: 'C.UTF-8', MALLOC_ARENA_MAX: '2', DISCORD_TOKEN: 't', DMXAPI_KEY: 'k', DATABASE_URL: 'postgres://u:p@h/d', NODE_OPTIONS: '--inspect' };
    expect(childEnv(env)).toEqual({ PATH: '/usr/bin', HOME: '/home/bot', LANG: 'C.UTF-8', MALLOC_ARENA_MAX: '2' });
    process.env.DMXAPI_KEY = 'sk-must-not-reach-the-model-process';
    try {
      const pool = new ModelPool(small);
      const done = pool.run(stl('env.stl'));
      const [pid] = modelProcesses();
      await runningNode(pid!);
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('sk-must-not-reach');
      await done;
      await pool.close();
    } finally {
      delete process.env.DMXAPI_KEY;
    }
  });
});

describe('results and exports', () => {
  it('an export never takes a result slot: both run at once, each in its own process', async () => {
    const pool = new ModelPool(small);
    expect(pool.free).toBe(1);
    const exporting = pool.run({ kind: 'obj', input, output: join(tmp.dir, 'lane.zip') });
    expect(pool.free).toBe(1);
    const result = pool.run({ kind: 'process', input, outDir: join(tmp.dir, 'lane'), budgetBytes: 10 * 1024 * 1024 });
    expect(pool.free).toBe(0);
    expect(pool.workers).toBe(2);
    await Promise.all([exporting, result]);
    expect(pool.free).toBe(1);
    await pool.close();
  });

  it('a thumbnail is made in a lane of its own while a result holds its slot: a 256 px WebP of the picture', async () => {
    const pool = new ModelPool(small);
    const held = fifoBarrier(join(tmp.dir, 'held-result.glb'));
    onTestFinished(() => held.release());
    const result = failure(pool.run({ kind: 'process', input: join(tmp.dir, 'held-result.glb'), outDir: join(tmp.dir, 'held-out'), budgetBytes: 1000 }));
    await held.openedBy(result);
    const picture = join(tmp.dir, 'picture.png');
    writeFileSync(picture, await sharp({ create: { width: 600, height: 300, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer());
    const r = await pool.run({ kind: 'thumbnail', input: picture, output: join(tmp.dir, 'picture.webp') });
    const meta = await sharp(readFileSync(r.file)).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height, bytes: r.bytes }).toEqual({ format: 'webp', width: 256, height: 128, bytes: readFileSync(r.file).length });
    // The result was still held all along: the thumbnail did not wait for it.
    await held.release();
    expect((await result).failure).toBe('corrupt');
    await pool.close();
  });

  it('exports wait their turn in order, one at a time', async () => {
    const pool = new ModelPool(small);
    const order: string[] = [];
    const a = pool.run(stl('a.stl')).then(() => order.push('a'));
    const b = pool.run({ ...stl('b.stl'), heightMm: 50 }).then(() => order.push('b'));
    expect(pool.workers).toBe(1);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    await pool.close();
  });

  it('a full queue refuses at once, saying when to try again; nothing is started for the refused task', async () => {
    const pool = new ModelPool({ ...small, queueLimit: 2 });
    const taken = [pool.run(stl('q1.stl')), pool.run(stl('q2.stl')), pool.run(stl('q3.stl'))];
    const refused = await failure(pool.run(stl('q4.stl')));
    expect(refused).toBeInstanceOf(ModelPoolBusyError);
    expect(refused.failure).toBe('busy');
    // One running and two waiting, one at a time, each about as long as a first task is assumed to take (10 s).
    expect((refused as ModelPoolBusyError).retryAfterMs).toBe(30_000);
    expect(refused.message).toBe('the model queue is full (2 tasks waiting); try again in about 30 s');
    expect(pool.workers).toBe(1);
    await Promise.all(taken);
    expect(existsSync(join(tmp.dir, 'q4.stl'))).toBe(false);
    // Results have their own queue: the exports' full queue never refused them.
    await pool.close();
  });
});

describe('idle processes', () => {
  it('starts no process before the first task, keeps it warm for the next, and stops it once idle', async () => {
    const pool = new ModelPool({ ...small, idleMs: 300 });
    expect(pool.workers).toBe(0);
    const first = pool.run(stl('idle-1.stl'));
    expect(pool.workers).toBe(1);
    await first;
    expect(pool.workers).toBe(1); // kept for the next task
    const [pid] = modelProcesses();
    // Stopped after idleMs: wait for it (bounded well inside the test's own timeout, so a process that
    // is never stopped fails here, by name).
    await vi.waitFor(() => expect(pool.workers).toBe(0), { timeout: 10_000, interval: 50 });
    // The pool has let it go; the process itself exits right after.
    await vi.waitFor(() => expect(modelProcesses()).not.toContain(pid), { timeout: 10_000, interval: 50 });
    // The next task starts a fresh process, which loads everything again and does the work.
    const r = await pool.run(stl('idle-2.stl'));
    expect(r.bytes).toBe(readFileSync(join(tmp.dir, 'idle-2.stl')).length);
    expect(r.bytes).toBe(readFileSync(join(tmp.dir, 'idle-1.stl')).length);
    await pool.close();
  });
});

describe('closing the pool (shutdown)', () => {
  it('tasks in flight or waiting fail as stopped, not as a crash, so their jobs can resume after restart', async () => {
    const restarts: RestartReason[] = [];
    const pool = new ModelPool({ ...small, onRestart: (r) => restarts.push(r) });
    // The input is a pipe: the model process is in the task once it has opened it, and stays there.
    const held = fifoBarrier(join(tmp.dir, 'held.glb'));
    onTestFinished(() => held.release());
    const running = failure(pool.run({ kind: 'obj', input: join(tmp.dir, 'held.glb'), output: join(tmp.dir, 'closed.zip') }));
    await held.openedBy(running);
    const waiting = failure(pool.run({ kind: 'obj', input, output: join(tmp.dir, 'closed-2.zip') }));
    await pool.close();
    expect((await running).failure).toBe('stopped');
    expect((await waiting).failure).toBe('stopped');
    expect((await failure(pool.run(stl('after.stl')))).failure).toBe('stopped');
    expect(restarts).toEqual([]);
    expect(modelProcesses()).toEqual([]);
  });
});
