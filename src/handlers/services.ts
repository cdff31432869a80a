import type { Client } from 'discord.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Db } from '../store/db.js';
import type { JobStore } from '../store/jobs.js';
import type { JobEvents } from '../jobs/events.js';
import type { QuotaService } from '../quota/service.js';
import type { DmxapiClient } from '../upstream/index.js';
import type { Gallery } from '../gallery/publish.js';
import type { ModelProcessor } from '../model/processor.js';

/** What command handlers get: plain objects wired once in main.ts. */
export interface Services {
  config: Config;
  log: Logger;
  db: Db;
  jobs: JobStore;
  events: JobEvents;
  quota: QuotaService;
  upstream: DmxapiClient;
  /** The server's community gallery (posting, removal). */
  gallery: Gallery;
  /** Asks the poller to look for due work now instead of at its next tick. */
  wakePoller(): void;
  /** Model exports (STL, OBJ), made in the model workers. */
  models: ModelProcessor;
  client: Client;
  clock: () => number;
}
