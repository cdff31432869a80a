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
export async function startViewer(
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
 * With SHARDS, the manager process of each machine serves the viewer page: it holds no gateway shard,
 * so serving never delays a shard's interactions. It opens the store and a model pool of its own
 * (for STL/OBJ made on demand) and reads FILES_DIR, which every machine must share.
 */
export async function startManagerViewer(config: Config, log: Logger): Promise<Viewer> {
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
