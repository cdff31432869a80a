import { config as loadDotenv } from 'dotenv';
import { Events } from 'discord.js';
import { ConfigError, loadConfig, secretsOf, type Config } from './config/index.js';
import { createLogger, type Logger } from './log/index.js';
import { installCrashHandlers } from './log/crash.js';
import { openStore } from './store/db.js';
import { JobStore } from './store/jobs.js';
import { JobEvents } from './jobs/events.js';
import { Poller } from './jobs/poller.js';
import { pruneStoredFiles } from './jobs/retention.js';
import { DmxapiClient, RateBudget } from './upstream/index.js';
import { closeGuardedAgents } from './images/index.js';
import { QuotaService } from './quota/service.js';
import { AuditReporter, forwardAuditChanges } from './quota/audit.js';
import { Gallery } from './gallery/publish.js';
import { AuditOutbox } from './store/outbox.js';
import { gatewayShards, isPrimary, leaseOwner, upstreamShare, workerKey } from './shards/layout.js';
import { runManager } from './shards/manager.js';
import { createDiscordClient } from './discord/client.js';
import { Deliverer } from './discord/deliver.js';
import { loadCommands } from './discord/registry.js';
import { createInteractionHandler } from './discord/router.js';
import type { Services } from './services.js';
import { ModelPool } from './model/pool.js';
import { ModelProcessor } from './model/processor.js';

const SHUTDOWN_LIMIT_MS = 9000;
const PRUNE_EVERY_MS = 6 * 3600_000;
const ABANDONED_EVERY_MS = 60_000;

async function run(config: Config, log: Logger): Promise<void> {
  const clock = () => Date.now();
  const layout = config.shards;
  // The process holding shard 0 (or the only one) does what must happen once for the whole bot.
  const primary = isPrimary(layout);
  const db = await openStore(config);
  log.info({ store: db.dialect }, 'store ready');
  const jobs = new JobStore(db, leaseOwner(workerKey(layout)));
  const events = new JobEvents();

  // UPSTREAM_MAX_RPS is the whole bot's budget: each shard process gets its share.
  const upstreamRps = upstreamShare(layout, config.dmxapi.maxRps);
  const budget = new RateBudget(upstreamRps);
  const upstream = new DmxapiClient({
    baseUrl: config.dmxapi.baseUrl,
    key: config.dmxapi.key,
    timeoutMs: config.dmxapi.timeoutMs,
    budget,
    logger: log,
  });

  const client = createDiscordClient(config.discord.apiUrl, gatewayShards(layout));
  // REST works without the gateway: the poller can deliver even while the gateway reconnects.
  client.rest.setToken(config.discord.token);

  const gallery = new Gallery({ db, jobs, events, log, clock, client });

  const pool = new ModelPool({
    size: config.model.workers,
    timeoutMs: config.model.processTimeoutMs,
    memoryMb: config.model.workerMemoryMb,
    processMemoryMb: config.model.processMemoryMb,
    onRestart: (reason) => log.warn({ reason }, 'model process lost; the next task gets a fresh one'),
  });
  const models = new ModelProcessor({
    jobs,
    pool,
    log,
    clock,
    exportHeightMm: config.model.exportHeightMm,
    turntable: config.turntable.enabled ? { size: config.turntable.size, timeoutMs: config.turntable.timeoutMs } : null,
  });
  const poller = new Poller({
    jobs,
    upstream,
    deliverer: new Deliverer(client.rest, log),
    events,
    log,
    clock,
    pollIntervalMs: config.pollIntervalMs,
    filesDir: config.filesDir,
    allowPrivateAddresses: config.imageUrlAllowPrivate,
    renderExtras: async (job) => ({ offerShare: await gallery.offerShare(job) }),
    maxModelBytes: config.model.maxDownloadBytes,
    models,
    processingLeaseMs: config.model.processTimeoutMs + 60_000,
    leaseMs: config.jobLeaseMs,
    upstreamRps,
    resumeUnowned: primary,
  });
  const services: Services = {
    config,
    log,
    db,
    jobs,
    events,
    quota: new QuotaService(db, config.quota, clock),
    upstream,
    gallery,
    wakePoller: () => poller.wake(),
    models,
    client,
    clock,
  };
  // One process keeps the audit channel; the others queue their changes for it in the store.
  const outbox = new AuditOutbox(db);
  const audit = primary ? new AuditReporter(services) : null;
  const stopForwarding = primary ? () => undefined : forwardAuditChanges(events, outbox, clock, log);
  audit?.attach();
  if (layout.kind === 'shard') audit?.followOutbox(outbox);
  gallery.attach();

  const interrupted = (found: Awaited<ReturnType<JobStore['recoverInterrupted']>>) => {
    for (const job of found) {
      log.warn({ jobId: job.id }, 'job was interrupted mid-submit; outcome unknown, not resubmitting');
      events.emit('changed', job);
    }
  };
  interrupted(await jobs.recoverInterrupted(clock(), { unowned: primary }));

  const timers: NodeJS.Timeout[] = [];
  if (primary) {
    const prune = () =>
      pruneStoredFiles(jobs, config.filesRetentionDays, clock(), log).catch((err: unknown) =>
        log.error({ err }, 'could not delete old result files'),
      );
    timers.push(setInterval(() => void prune(), PRUNE_EVERY_MS));
    void prune();
    // Submits of a process that died and never came back (its own restart would recover them).
    if (layout.kind === 'shard') {
      timers.push(
        setInterval(() => {
          jobs.recoverAbandoned(clock()).then(interrupted, (err: unknown) => log.error({ err }, 'could not look for abandoned submits'));
        }, ABANDONED_EVERY_MS),
      );
    }
  }
  for (const timer of timers) timer.unref();

  const registry = await loadCommands();
  const handle = createInteractionHandler(registry, services);
  const inflight = new Set<Promise<void>>();
  let stopping = false;
  client.on(Events.InteractionCreate, (interaction) => {
    if (stopping) return;
    const p = handle(interaction).finally(() => inflight.delete(p));
    inflight.add(p);
  });
  client.once(Events.ClientReady, (c) => {
    log.info({ user: c.user.tag, guilds: c.guilds.cache.size, commands: [...registry.commands.keys()] }, 'connected to Discord');
    // Posts that `mode: all` missed while the bot was stopped (claimed ones are never posted again).
    void gallery.catchUp().catch((err: unknown) => log.warn({ err }, 'gallery catch-up failed'));
  });
  client.on(Events.ShardResume, () => log.info('gateway session resumed'));
  client.on(Events.ShardDisconnect, (e) => log.warn({ code: e.code }, 'gateway disconnected'));
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.warn('shutdown took too long; exiting with work still pending (it resumes on restart)');
      process.exit(0);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    for (const timer of timers) clearInterval(timer);
    await Promise.allSettled([...inflight]);
    await poller.stop();
    // Processing still running is stopped here; it resumes from the kept original on restart.
    await pool.close();
    audit?.detach();
    stopForwarding();
    gallery.detach();
    await gallery.idle();
    await client.destroy();
    await Promise.allSettled([upstream.close(), closeGuardedAgents()]);
    await db.close().catch((err: unknown) => log.warn({ err }, 'closing the store failed'));
    log.info('stopped');
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // A shard process whose manager is gone stops too, instead of running on unsupervised.
  if (layout.kind === 'shard') process.once('disconnect', () => void shutdown('manager gone'));

  await poller.start();
  await client.login(config.discord.token);
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
