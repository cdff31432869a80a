import { Events, type Client } from 'discord.js';
import { FakeDiscord, type FakeDiscordOptions } from '../fakes/discord/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import type { Db } from '../../src/store/db.js';
import { JobStore } from '../../src/store/jobs.js';
import { JobEvents } from '../../src/jobs/events.js';
import { QuotaService } from '../../src/quota/service.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { loadCommands } from '../../src/discord/registry.js';
import { createInteractionHandler } from '../../src/discord/router.js';
import type { Services } from '../../src/services.js';
import { Gallery } from '../../src/gallery/publish.js';
import { ModelPool } from '../../src/model/pool.js';
import { ModelProcessor } from '../../src/model/processor.js';
import { tempDir } from './tmp.js';
import { openTestStore, type Backend } from './store.js';

export interface InProcessBot {
  fake: FakeDiscord;
  client: Client;
  db: Db;
  services: Services;
  /** The temp directory for FILES_DIR if the env points there. */
  dir: string;
  close(): Promise<void>;
}

/**
 * The bot's command path wired in this process, as main.ts wires it: a real discord.js Client on the
 * fake Discord, the real command registry and router, and a real store: a SQLite file, or a schema of
 * its own on the test run's PostgreSQL (`store`). No poller: tests drive jobs.
 */
export async function startInProcessBot(o: {
  clock: () => number;
  env?: (dir: string) => Record<string, string>;
  fake?: FakeDiscordOptions;
  store?: Backend;
}): Promise<InProcessBot> {
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 500, ...o.fake });
  const tmp = tempDir('model3d-inproc-');
  const store = await openTestStore(o.store ?? 'sqlite');
  const db = store.db;
  const config = loadConfig({ DISCORD_TOKEN: fake.botToken, DMXAPI_KEY: 'sk-test-key', ...o.env?.(tmp.dir) });
  const client = createDiscordClient(fake.apiUrl);
  const jobs = new JobStore(db);
  const events = new JobEvents();
  const log = createLogger({ level: 'silent' });
  const pool = new ModelPool({ size: config.model.workers, timeoutMs: config.model.processTimeoutMs, memoryMb: config.model.workerMemoryMb });
  const services: Services = {
    config,
    log,
    db,
    jobs,
    events,
    gallery: new Gallery({ db, jobs, events, log, clock: o.clock, client }),
    quota: new QuotaService(db, config.quota, o.clock),
    upstream: null as never, // tests that need it set it
    wakePoller: () => undefined,
    models: new ModelProcessor({ jobs, pool, log, clock: o.clock, exportHeightMm: config.model.exportHeightMm }),
    client,
    clock: o.clock,
  };
  const handle = createInteractionHandler(await loadCommands(), services);
  client.on(Events.InteractionCreate, (i) => void handle(i));
  const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
  await client.login(fake.botToken);
  await ready;
  await fake.waitForReady();
  return {
    fake,
    client,
    db,
    services,
    dir: tmp.dir,
    close: async () => {
      await client.destroy();
      await fake.close();
      await store.cleanup();
      tmp.cleanup();
    },
  };
}
