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
}

/** The built worker beside this file; under the test runner, the TypeScript source loaded through tsx. */
function workerEntry(): { url: URL | string; eval: boolean } {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, eval: false };
  const ts = new URL('./worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`;
  return { url: code, eval: true };
}

/**
 * Runs model tasks off the event loop: at most `size` at once, each in a fresh worker with a
 * heap limit and a time limit (the worker is terminated when it runs over). Tasks beyond `size`
 * wait their turn in order.
 */
export class ModelPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly workers = new Set<Worker>();
  private closed = false;

  constructor(private readonly o: PoolOptions) {}

  /** Slots not taken by running or waiting tasks. */
  get free(): number {
    return Math.max(0, this.o.size - this.running - this.waiting.length);
  }

  async run<K extends ModelTask['kind']>(task: Extract<ModelTask, { kind: K }>): Promise<TaskResults[K]> {
    if (this.running >= this.o.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return (await this.spawn(task)) as TaskResults[K];
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private spawn(task: ModelTask): Promise<TaskResults[ModelTask['kind']]> {
    if (this.closed) return Promise.reject(new ModelTaskError('crashed', 'the model pool is closed'));
    const entry = workerEntry();
    const worker = new Worker(entry.url, {
      workerData: task,
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb },
      stdout: false,
      stderr: false,
    });
    this.workers.add(worker);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        settle(() => reject(new ModelTaskError('timeout', `took longer than ${this.o.timeoutMs} ms`)));
        void worker.terminate();
      }, this.o.timeoutMs);
      worker.once('message', (reply: WorkerReply) =>
        settle(() => (reply.ok ? resolve(reply.result) : reject(new ModelTaskError(reply.failure, reply.message)))),
      );
      worker.once('error', (err: Error & { code?: string }) => {
        const failure: TaskFailure = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed';
        settle(() => reject(new ModelTaskError(failure, err.message)));
      });
      worker.once('exit', (code) => {
        this.workers.delete(worker);
        settle(() => reject(new ModelTaskError('crashed', `worker exited with code ${code} before answering`)));
      });
    });
  }

  /** Stops every running worker; their jobs resume after restart. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.workers].map((w) => w.terminate()));
  }
}
