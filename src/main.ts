import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, secretsOf, type Config } from './config/index.js';
import { createLogger, type Logger } from './log/index.js';
import { installCrashHandlers } from './log/crash.js';
import { createBot } from './app/bot.js';
import { runManager } from './app/shard-manager.js';
import { serveMetrics } from './app/metrics-server.js';
import { answerManager } from './app/shard-metrics.js';

const SHUTDOWN_LIMIT_MS = 9000;

/** One process's bot (the only one, or one shard's), until SIGTERM or SIGINT. */
async function run(config: Config, log: Logger): Promise<void> {
  const bot = await createBot({ config, log });
  bot.listen();
  // One listener per machine: the only process's own, or (with SHARDS) the manager's for every shard.
  const metricsServer = config.shards.kind === 'single' ? await serveMetrics(config, log, bot.observed) : null;
  if (config.shards.kind === 'shard') answerManager(bot.observed);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.warn('shutdown took too long; exiting with work still pending (it resumes on restart)');
      process.exit(0);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    await bot.stop();
    await metricsServer?.close();
    log.info('stopped');
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // A shard process whose manager is gone stops too, instead of running on unsupervised.
  if (config.shards.kind === 'shard') process.once('disconnect', () => void shutdown('manager gone'));

  await bot.start();
  await bot.services.client.login(config.discord.token);
}

function main(): void {
  loadDotenv({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const root = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const layout = config.shards;
  const log = layout.kind === 'shard' ? root.child({ shard: layout.id }) : layout.kind === 'manager' ? root.child({ role: 'manager' }) : root;
  installCrashHandlers(log);
  (layout.kind === 'manager' ? runManager(config, log) : run(config, log)).catch((err: unknown) => {
    log.fatal({ err }, 'start-up failed');
    process.exit(1);
  });
}

main();
