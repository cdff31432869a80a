import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { ModelProcessor } from '../model/processor.js';
import type { JobStore } from '../store/jobs.js';
import { createWebServer } from './server.js';

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
