import { Events, type Client } from 'discord.js';
import { FakeDiscord, type FakeDiscordOptions } from '../fakes/discord/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import type { Db } from '../../src/store/db.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { createBot } from '../../src/app/bot.js';
import type { Services } from '../../src/handlers/services.js';
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
 * The bot's command path wired in this process by the bot's own wiring (src/app/bot.ts): a real
 * discord.js Client on the fake Discord, the real command registry and router, and a real store: a
 * SQLite file, or a schema of its own on the test run's PostgreSQL (`store`). Not started: no
 * poller, no audit channel or gallery follower; tests drive jobs.
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
  const client = createDiscordClient({ apiUrl: fake.apiUrl });
  // The bot's own wiring; listen() and no start(): no poller, no followers, no timers.
  const bot = await createBot({ config, log: createLogger({ level: 'silent' }), clock: o.clock, db, client });
  const services = bot.services;
  bot.listen();
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
