import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelTask, TaskFailure, TaskResults, WorkerReply } from './tasks.js';

/** A task that did not produce its result; `failure` says why in one word. */
export class ModelTaskError extends Error {
  override name = 'ModelTaskError';
  constructor(
    readonly failure: TaskFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface PoolOptions {
  /** Tasks that run at once, each in its own worker thread. */
  size: number;
  timeoutMs: number;
  /** V8 heap limit of each worker (resourceLimits.maxOldGenerationSizeMb). */
  memoryMb: number;
  /** How long a worker with no task is kept for the next one before it is stopped (default IDLE_WORKER_MS). */
  idleMs?: number;
}

/**
 * A worker left idle this long is stopped. Results finishing seconds apart share one warm worker;
 * after that its memory goes back to the system: a worker holds some 30 MB with the glTF libraries
 * loaded, and far more once it has processed a real model (its WebAssembly memories only grow).
 * Starting the next one costs about a second of CPU, in its own thread.
 */
const IDLE_WORKER_MS = 5_000;

/** A worker is replaced after this many tasks, so that nothing it holds on to can pile up. */
const TASKS_PER_WORKER = 25;

/** The built worker beside this file; under the test runner, the TypeScript source loaded through tsx. */
function workerEntry(): { url: URL | string; eval: boolean } {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, eval: false };
  const ts = new URL('./worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`;
  return { url: code, eval: true };
}

interface Slot {
  worker: Worker;
  tasks: number;
  /** Stops the worker once it has been idle for `idleMs`. */
  idleTimer?: NodeJS.Timeout;
  /** Settles the task in flight, if any, when the worker fails or exits. */
  fail?: (err: ModelTaskError) => void;
}

/**
 * Runs model tasks off the event loop: at most `size` at once, each in a worker thread with a heap
 * limit and a time limit. A worker that runs over its time is terminated and replaced, one that runs
 * out of memory dies and is replaced. Workers start on the first task (none at start-up) and stay
 * warm for the next task for `idleMs` (loading the glTF libraries takes about a second), then stop.
 * Tasks beyond `size` wait their turn in order.
 */
export class ModelPool {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Slot>();
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly o: PoolOptions) {}

  /** Slots not taken by running or waiting tasks. */
  get free(): number {
    return Math.max(0, this.o.size - this.busy - this.waiting.length);
  }

  /** Workers alive now (running a task or kept warm for the next). */
  get workers(): number {
    return this.all.size;
  }

  async run<K extends ModelTask['kind']>(task: Extract<ModelTask, { kind: K }>): Promise<TaskResults[K]> {
    if (this.busy >= this.o.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy++;
    try {
      if (this.closed) throw new ModelTaskError('stopped', 'the model pool is closed');
      const slot = this.idle.pop() ?? this.spawn();
      clearTimeout(slot.idleTimer);
      return (await this.runOn(slot, task)) as TaskResults[K];
    } finally {
      this.busy--;
      this.waiting.shift()?.();
    }
  }

  private spawn(): Slot {
    const entry = workerEntry();
    const worker = new Worker(entry.url, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, tasks: 0 };
    this.all.add(slot);
    const gone = (err: ModelTaskError) => {
      clearTimeout(slot.idleTimer);
      this.all.delete(slot);
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle.splice(i, 1);
      slot.fail?.(err);
    };
    worker.on('error', (err: Error & { code?: string }) =>
      gone(new ModelTaskError(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed', err.message)),
    );
    worker.on('exit', (code) =>
      gone(
        this.closed
          ? new ModelTaskError('stopped', 'the model pool was closed')
          : new ModelTaskError('crashed', `worker exited with code ${code} before answering`),
      ),
    );
    // An idle worker never keeps the process alive.
    worker.unref();
    return slot;
  }

  private runOn(slot: Slot, task: ModelTask): Promise<TaskResults[ModelTask['kind']]> {
    slot.tasks++;
    slot.worker.ref();
    return new Promise<TaskResults[ModelTask['kind']]>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        slot.worker.off('message', onMessage);
        slot.fail = undefined;
        fn();
      };
      const timer = setTimeout(() => {
        done(() => reject(new ModelTaskError('timeout', `took longer than ${this.o.timeoutMs} ms`)));
        void slot.worker.terminate();
      }, this.o.timeoutMs);
      const onMessage = (reply: WorkerReply) => {
        done(() => {
          slot.worker.unref();
          if (slot.tasks >= TASKS_PER_WORKER || this.closed) void slot.worker.terminate();
          else this.keepIdle(slot);
          if (reply.ok) resolve(reply.result);
          else reject(new ModelTaskError(reply.failure, reply.message));
        });
      };
      slot.fail = (err) => done(() => reject(err));
      slot.worker.on('message', onMessage);
      slot.worker.postMessage(task);
    });
  }

  private keepIdle(slot: Slot): void {
    this.idle.push(slot);
    slot.idleTimer = setTimeout(() => {
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle.splice(i, 1);
      void slot.worker.terminate();
    }, this.o.idleMs ?? IDLE_WORKER_MS);
    slot.idleTimer.unref();
  }

  /** Stops every worker; a task in flight fails as 'stopped' (its job resumes after restart). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.all].map((s) => s.worker.terminate()));
  }
}
