import { Events, type Client } from 'discord.js';
import type { Config } from '../config/index.js';
import { gatewayShards, isPrimary, leaseOwner, upstreamShare, workerKey } from '../config/shards.js';
import type { Logger } from '../log/index.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import { createStores } from '../store/stores.js';
import type { Job } from '../domain/job.js';
import { DmxapiClient, RateBudget, SharedRateBudget, type UpstreamBudget } from '../upstream/index.js';
import { closeGuardedAgents } from '../images/index.js';
import { ModelPool } from '../model/pool.js';
import { ModelProcessor } from '../model/processor.js';
import { createDiscordClient } from '../discord/client.js';
import { Deliverer, PROGRESS_EDIT_GAP_MS } from '../discord/deliver.js';
import { JobEvents } from '../jobs/events.js';
import { StartQueue } from '../jobs/start-queue.js';
import { Poller } from '../jobs/poller.js';
import { pruneStoredFiles } from '../jobs/retention.js';
import { QuotaService } from '../quota/service.js';
import { Gallery } from '../gallery/publish.js';
import { AuditReporter, forwardAuditChanges } from '../audit/reporter.js';
import type { Services } from '../handlers/services.js';
import { startViewerThread, type Viewer } from '../web/viewer.js';
import { loadCommands, type CommandRegistry } from './registry.js';
import { createInteractionHandler } from './router.js';
import { observeBot } from './observe.js';
import type { Observed } from './metrics-server.js';
import * as metrics from '../metrics/index.js';

const PRUNE_EVERY_MS = 6 * 3600_000;
const ABANDONED_EVERY_MS = 60_000;

export interface BotOptions {
  config: Config;
  log: Logger;
  clock?: () => number;
  /** The store; by default the one the configuration names, opened (and migrated) here. */
  db?: Db;
  /** The gateway client; by default one for this process's shards, with the bot token set for REST. */
  client?: Client;
}

/** The whole bot of one process, wired; nothing runs until `listen()` and `start()`. */
export interface Bot {
  services: Services;
  registry: CommandRegistry;
  /** Readiness and this process's metrics, for src/app/metrics-server.ts (or the manager, with shards). */
  observed: Observed;
  /** The one interactionCreate handler: routes every command and button press (none once stopping). */
  listen(): void;
  /** Recovers interrupted submits, starts the followers (audit channel, gallery), the timers and the poller. */
  start(): Promise<void>;
  /** Stops taking work, waits for what is in flight, then closes everything start() opened and the store. */
  stop(): Promise<void>;
}

/**
 * The one wiring of the bot, for src/main.ts and for the tests that run the bot in their own
 * process (test/helpers/in-process.ts).
 */
export async function createBot(o: BotOptions): Promise<Bot> {
  const { config, log } = o;
  const clock = o.clock ?? (() => Date.now());
  const layout = config.shards;
  // The process holding shard 0 (or the only one) does what must happen once for the whole bot.
  const primary = isPrimary(layout);
  const db = o.db ?? (await openStore(config));
  if (!o.db) log.info({ store: db.dialect }, 'store ready');
  const stores = createStores(db, { owner: leaseOwner(workerKey(layout)), progressEditGapMs: PROGRESS_EDIT_GAP_MS });
  const events = new JobEvents();

  // UPSTREAM_MAX_RPS is the whole bot's budget. A lone process keeps it in memory; shard processes
  // (on this machine and others) share it through the store, so a busy one may use what idle ones leave.
  const budget: UpstreamBudget =
    layout.kind === 'shard'
      ? new SharedRateBudget({
          perSecond: config.dmxapi.maxRps,
          slices: stores.budget,
          onError: (err) => log.warn({ err }, 'could not reserve upstream budget in the store; trying again'),
        })
      : new RateBudget(config.dmxapi.maxRps);
  // Claims stay sized by the even share: with every process busy, each still makes its checks well within a lease.
  const upstreamRps = upstreamShare(layout, config.dmxapi.maxRps);
  const upstream = new DmxapiClient({
    baseUrl: config.dmxapi.baseUrl,
    key: config.dmxapi.key,
    timeoutMs: config.dmxapi.timeoutMs,
    budget,
    logger: log,
  });

  let client = o.client;
  if (!client) {
    client = createDiscordClient(config.discord, gatewayShards(layout));
    // REST works without the gateway: the poller can deliver even while the gateway reconnects.
    client.rest.setToken(config.discord.token);
  }

  const observed = observeBot({ client, db, jobs: stores.jobs, budget, shards: gatewayShards(layout).shards });
  const publicUrl = config.web?.publicUrl ?? null;
  const gallery = new Gallery({ stores, events, log, clock, client, publicUrl });
  const pool = new ModelPool({
    size: config.model.workers,
    timeoutMs: config.model.processTimeoutMs,
    memoryMb: config.model.workerMemoryMb,
    processMemoryMb: config.model.processMemoryMb,
    onRestart: (reason) => {
      metrics.workerRestarts.inc({ reason });
      log.warn({ reason }, 'model process lost; the next task gets a fresh one');
    },
  });
  const models = new ModelProcessor({
    jobs: stores.jobs,
    pool,
    log,
    clock,
    exportHeightMm: config.model.exportHeightMm,
    turntable: config.turntable.enabled ? { size: config.turntable.size, timeoutMs: config.turntable.timeoutMs } : null,
    webCopies: publicUrl !== null,
  });
  const poller = new Poller({
    jobs: stores.jobs,
    upstream,
    deliverer: new Deliverer(client.rest, log),
    events,
    log,
    clock,
    pollIntervalMs: config.pollIntervalMs,
    filesDir: config.filesDir,
    allowPrivateAddresses: config.imageUrlAllowPrivate,
    renderExtras: async (job) => ({ offerShare: await gallery.offerShare(job), publicUrl }),
    maxModelBytes: config.model.maxDownloadBytes,
    models,
    processingLeaseMs: config.model.processTimeoutMs + 60_000,
    leaseMs: config.jobLeaseMs,
    upstreamRps,
    resumeUnowned: primary,
  });
  let polling = false;
  const services: Services = {
    config,
    log,
    stores,
    events,
    starts: new StartQueue(),
    quota: new QuotaService(db, stores.quota, config.quota, clock),
    upstream,
    gallery,
    // Before start() nothing polls: a bot run by a test drives its jobs itself.
    wakePoller: () => {
      if (polling) poller.wake();
    },
    models,
    client,
    clock,
  };
  // One process keeps the audit channel; the others queue their changes for it in the store.
  const audit = primary ? new AuditReporter(services) : null;
  let stopForwarding = () => undefined as void;

  const registry = await loadCommands();
  const handle = createInteractionHandler(registry, services);
  const inflight = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  // The viewer page (PUBLIC_URL): a thread of the only process; with SHARDS each machine's manager (src/app/shard-manager.ts).
  let viewer: Viewer | null = null;

  const interrupted = (found: Job[]) => {
    for (const job of found) {
      log.warn({ jobId: job.id }, 'job was interrupted mid-submit; outcome unknown, not resubmitting');
      events.emit('changed', job);
    }
  };

  return {
    services,
    registry,
    observed,

    listen() {
      client.on(Events.InteractionCreate, (interaction) => {
        if (stopping) return;
        const p = handle(interaction).finally(() => inflight.delete(p));
        inflight.add(p);
      });
    },

    async start() {
      if (primary) audit!.attach();
      else stopForwarding = forwardAuditChanges(events, stores.outbox, clock, log);
      if (layout.kind === 'shard') audit?.followOutbox(stores.outbox);
      gallery.attach();
      interrupted(await stores.jobs.recoverInterrupted(clock(), { unowned: primary }));

      if (primary) {
        const prune = () =>
          pruneStoredFiles(stores.jobs, config.filesDir, config.filesRetentionDays, clock(), log).catch((err: unknown) =>
            log.error({ err }, 'could not delete old result files'),
          );
        timers.push(setInterval(() => void prune(), PRUNE_EVERY_MS));
        void prune();
        // Submits of a process that died and never came back (its own restart would recover them).
        if (layout.kind === 'shard') {
          timers.push(
            setInterval(() => {
              stores.jobs.recoverAbandoned(clock()).then(interrupted, (err: unknown) => log.error({ err }, 'could not look for abandoned submits'));
            }, ABANDONED_EVERY_MS),
          );
        }
      }
      for (const timer of timers) timer.unref();

      client.once(Events.ClientReady, (c) => {
        log.info({ user: c.user.tag, guilds: c.guilds.cache.size, commands: [...registry.commands.keys()] }, 'connected to Discord');
        // Posts that `mode: all` missed while the bot was stopped (claimed ones are never posted again).
        void gallery.catchUp().catch((err: unknown) => log.warn({ err }, 'gallery catch-up failed'));
      });
      client.on(Events.ShardResume, () => log.info('gateway session resumed'));
      client.on(Events.ShardDisconnect, (e) => log.warn({ code: e.code }, 'gateway disconnected'));
      client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));

      if (config.web && layout.kind === 'single') viewer = await startViewerThread(config, log);
      polling = true;
      await poller.start();
    },

    async stop() {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...inflight]);
      await viewer?.close();
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
    },
  };
}
