import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { restOptions } from '../discord/client.js';
import { serveMetrics } from './metrics-server.js';
import { gatherShards } from './shard-metrics.js';
import { startStandaloneViewer, type Viewer } from '../web/viewer.js';

/** How long SIGTERM waits for the shard processes (each stops within 10 s) before killing them. */
const STOP_LIMIT_MS = 12_000;
/** Discord lets a bot identify one shard per 5 s (max_concurrency 1); spawn them that far apart. */
const SPAWN_DELAY_MS = 5500;
const READY_TIMEOUT_MS = 60_000;

/** Discord's recommended shard count, asked through DISCORD_API_URL (so through a proxy, or the fake). */
async function recommendedShardCount(discord: Config['discord']): Promise<number> {
  const rest = new REST({ ...restOptions(discord), timeout: 15_000 }).setToken(discord.token);
  const body = (await rest.get(Routes.gatewayBot())) as { shards?: unknown };
  const n = Number(body.shards);
  if (!Number.isInteger(n) || n < 1) throw new Error(`GET /gateway/bot answered shards=${String(body.shards)}`);
  return n;
}

/**
 * `npm start` with `SHARDS=auto` or a number: discord.js's ShardingManager spawns one process per
 * shard, each running the whole bot (src/main.ts) for its shard; a process that dies is spawned
 * again. SIGTERM stops every shard process cleanly, then the manager.
 */
export async function runManager(config: Config, log: Logger): Promise<void> {
  const layout = config.shards;
  if (layout.kind !== 'manager') throw new Error('runManager needs SHARDS=auto or a number');
  const count = layout.count === 'auto' ? await recommendedShardCount(config.discord) : layout.count;
  const ids = layout.ids ?? [...Array(count).keys()];
  const manager = new ShardingManager(fileURLToPath(new URL('../main.js', import.meta.url)), {
    token: config.discord.token,
    totalShards: count,
    shardList: ids,
    mode: 'process',
    respawn: true,
  });
  const metricsServer = await serveMetrics(config, log, gatherShards(manager, ids));
  let stopping = false;
  // PUBLIC_URL: this machine's viewer page is served here, not by a shard (README "The viewer page").
  const viewer: Viewer | null = config.web ? await startStandaloneViewer(config, log) : null;
  manager.on('shardCreate', (shard: Shard) => {
    log.info({ shard: shard.id, shards: count }, 'shard process starting');
    shard.on('death', (child) => {
      const code = 'exitCode' in child ? child.exitCode : null;
      if (stopping) log.info({ shard: shard.id, code }, 'shard process stopped');
      else log.warn({ shard: shard.id, code, signal: 'signalCode' in child ? child.signalCode : null }, 'shard process died; starting it again');
    });
    shard.on('error', (err) => log.error({ err, shard: shard.id }, 'shard process error'));
    shard.on('spawn', (child) => log.info({ shard: shard.id, childPid: 'pid' in child ? child.pid : null }, 'shard process spawned'));
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    manager.respawn = false;
    log.info({ signal, shards: manager.shards.size }, 'stopping every shard');
    const force = setTimeout(() => {
      log.warn('shards did not stop in time; killing them');
      for (const shard of manager.shards.values()) shard.process?.kill('SIGKILL');
      process.exit(1);
    }, STOP_LIMIT_MS);
    force.unref();
    await Promise.all(
      [...manager.shards.values()].map(
        (shard) =>
          new Promise<void>((resolve) => {
            const child = shard.process;
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await viewer?.close().catch((err: unknown) => log.warn({ err }, 'closing the viewer page failed'));
    clearTimeout(force);
    await metricsServer?.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  log.info({ shards: count, here: ids }, 'starting shard processes');
  try {
    await manager.spawn({ amount: count, delay: SPAWN_DELAY_MS, timeout: READY_TIMEOUT_MS });
  } catch (err) {
    if (stopping) return;
    throw err;
  }
  log.info({ shards: ids }, 'every shard process is ready');
}
