import type { Client } from 'discord.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Stores } from '../store/stores.js';
import type { JobEvents } from '../jobs/events.js';
import type { StartQueue } from '../jobs/start-queue.js';
import type { QuotaService } from '../quota/service.js';
import type { DmxapiClient } from '../upstream/index.js';
import type { Gallery } from '../gallery/publish.js';
import type { ModelProcessor } from '../model/processor.js';

/** What command and button handlers get: plain objects wired once, in src/app/bot.ts. */
export interface Services {
  config: Config;
  log: Logger;
  /** Every table, the one way to reach them. */
  stores: Stores;
  events: JobEvents;
  /** Acknowledgements first: interactions waiting for theirs, and the jobs' turns to start. */
  starts: StartQueue;
  /** Credits and limits: checks, the reservation, moderators' grants, refunds and blocks. */
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
