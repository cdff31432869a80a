import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';
import { createWebServer } from './server.js';
import { leaseOwner } from '../config/shards.js';
import { ModelPool } from '../model/pool.js';
import { ModelProcessor } from '../model/processor.js';
import { openStore } from '../store/open.js';
import { createStores } from '../store/stores.js';

export interface Viewer {
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  address: string;
  close(): Promise<void>;
}

/** Starts the viewer page's server on HTTP_HOST:HTTP_PORT (only called when PUBLIC_URL is set). */
async function startViewer(
  web: NonNullable<Config['web']>,
  deps: { jobs: Pick<JobStore, 'byViewToken'>; models: Pick<ModelProcessor, 'exportFile'>; log: Logger },
): Promise<Viewer> {
  const app = await createWebServer({
    jobs: deps.jobs,
    exportFile: (job, kind) => deps.models.exportFile(job, kind),
    publicUrl: web.publicUrl,
    rateLimitPerMinute: web.rateLimitPerMinute,
    log: deps.log,
  });
  const address = await app.listen({ port: web.port, host: web.host });
  deps.log.info({ address, publicUrl: web.publicUrl }, 'viewer page listening');
  return { address, close: () => app.close() };
}

/**
 * The viewer page on a store connection and a model pool of its own (for STL/OBJ made on demand),
 * reading FILES_DIR (which every machine must share): in its own thread (startViewerThread), or in
 * the manager process with SHARDS.
 */
export async function startStandaloneViewer(config: Config, log: Logger): Promise<Viewer> {
  const db = await openStore(config);
  const stores = createStores(db, { owner: leaseOwner('viewer') });
  const pool = new ModelPool({ size: 1, timeoutMs: config.model.processTimeoutMs, memoryMb: config.model.workerMemoryMb });
  const models = new ModelProcessor({ jobs: stores.jobs, pool, log, clock: () => Date.now(), exportHeightMm: config.model.exportHeightMm });
  const viewer = await startViewer(config.web!, { jobs: stores.jobs, models, log });
  return {
    address: viewer.address,
    close: async () => {
      await viewer.close();
      await pool.close();
      await db.close();
    },
  };
}

/** The built thread beside this file; under the test runner, the TypeScript source through tsx. */
function threadEntry(): { url: URL | string; eval: boolean } {
  const js = new URL('./thread.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, eval: false };
  const ts = new URL('./thread.ts', import.meta.url).href;
  return { url: `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`, eval: true };
}

/**
 * The viewer page in a worker thread of this process: the bot's event loop only pays for the thread's
 * share of the CPU. With SHARDS the manager process serves instead (startStandaloneViewer).
 */
export async function startViewerThread(config: Config, log: Logger): Promise<Viewer> {
  const entry = threadEntry();
  const worker = new Worker(entry.url, { eval: entry.eval, workerData: config });
  const first = await new Promise<{ address?: string; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the viewer thread exited (${code})`)));
  });
  if (!first.address) {
    await worker.terminate();
    throw new Error(`the viewer page could not start: ${first.error ?? 'unknown'}`);
  }
  worker.on('error', (err) => log.error({ err }, 'viewer thread failed'));
  return {
    address: first.address,
    close: async () => {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage('close');
      await exited;
    },
  };
}
