import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the bot exports, defined once, low in the tree so that every room may record.
 * Labels are small closed sets (commands, states, routes, HTTP statuses): never a user, guild,
 * channel, job or task id, and never text from a member or the provider. The README lists them.
 *
 * Gauges that are read rather than counted (jobs in flight, gateway ping) ask `sources` when
 * scraped; src/app/bot.ts fills `sources` in once the store and the client exist.
 */
const PREFIX = 'model3d_';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: PREFIX });

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const longSeconds = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** Read at scrape time; null until the wiring sets it (nothing to report then). */
export interface MetricSources {
  /** Jobs in flight by state, counted in the store. */
  jobsInFlight: (() => Promise<Record<string, number>>) | null;
  /** Per shard this process holds: heartbeat round trip (ms, -1 before the first) and guilds. */
  gateway: (() => { shard: number; pingMs: number; guilds: number }[]) | null;
  /** The rate budget's limit (the whole bot's, calls per second) and the calls waiting for a token in this process. */
  budget: (() => { limit: number; waiting: number }) | null;
}
export const sources: MetricSources = { jobsInFlight: null, gateway: null, budget: null };

/** The in-flight counts are a store query: one per this many ms at most, however often Prometheus scrapes. */
const IN_FLIGHT_CACHE_MS = 5000;
let inFlightCache: { at: number; counts: Record<string, number> } | null = null;

const r = [registry];

// ---- interactions
export const interactions = new Counter({
  name: `${PREFIX}interactions_total`,
  help: 'Slash commands, message-menu commands and button presses received, by command (or button prefix) and kind (command, message_command, button)',
  labelNames: ['command', 'kind'] as const,
  registers: r,
});
export const ackSeconds = new Histogram({
  name: `${PREFIX}interaction_ack_seconds`,
  help: 'From receiving an interaction to Discord accepting its first response (reply, deferral or update)',
  labelNames: ['kind'] as const,
  buckets: seconds,
  registers: r,
});

// ---- jobs
export const jobsStarted = new Counter({
  name: `${PREFIX}jobs_started_total`,
  help: 'Jobs whose row was written (each may then be submitted), by quality and input kind',
  labelNames: ['quality', 'input'] as const,
  registers: r,
});
export const jobsFinished = new Counter({
  name: `${PREFIX}jobs_finished_total`,
  help: 'Jobs that reached a final state, by that state',
  labelNames: ['state'] as const,
  registers: r,
});
new Gauge({
  name: `${PREFIX}jobs_in_flight`,
  help: 'Jobs in flight now, by state (read from the store, cached 5 s; processing = succeeded, model being processed)',
  labelNames: ['state'] as const,
  // Every shard reads the same store: the aggregated value is one reading, not the sum.
  aggregator: 'max',
  registers: r,
  async collect() {
    if (!sources.jobsInFlight) return;
    const now = Date.now();
    if (!inFlightCache || now - inFlightCache.at >= IN_FLIGHT_CACHE_MS) {
      inFlightCache = { at: now, counts: await sources.jobsInFlight() };
    }
    this.reset();
    for (const [state, n] of Object.entries(inFlightCache.counts)) this.set({ state }, n);
  },
});

// ---- upstream
export const upstreamCalls = new Counter({
  name: `${PREFIX}upstream_calls_total`,
  help: 'HTTP exchanges with the provider, by operation and outcome (HTTP status, or timeout / network / malformed)',
  labelNames: ['operation', 'outcome'] as const,
  registers: r,
});
export const upstreamSeconds = new Histogram({
  name: `${PREFIX}upstream_call_seconds`,
  help: 'Duration of one exchange with the provider (after its rate-budget token), by operation',
  labelNames: ['operation'] as const,
  buckets: seconds,
  registers: r,
});
export const budgetWaitSeconds = new Histogram({
  name: `${PREFIX}upstream_budget_wait_seconds`,
  help: 'Time an upstream call waited for a token of the shared rate budget',
  buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: r,
});
export const budgetTaken = new Counter({
  name: `${PREFIX}upstream_budget_taken_total`,
  help: 'Tokens taken from the rate budget (one per upstream call); rate() of it against upstream_budget_limit_per_second is the budget use',
  registers: r,
});
new Gauge({
  name: `${PREFIX}upstream_budget_limit_per_second`,
  help: "The rate budget's limit, in calls per second: UPSTREAM_MAX_RPS, which every process shares (the manager's scrape shows it once)",
  registers: r,
  aggregator: 'max',
  collect() {
    if (sources.budget) this.set(sources.budget().limit);
  },
});
new Gauge({
  name: `${PREFIX}upstream_budget_waiting`,
  help: 'Upstream calls waiting for a rate-budget token now',
  registers: r,
  collect() {
    if (sources.budget) this.set(sources.budget().waiting);
  },
});

// ---- schedule
export const statusChecks = new Histogram({
  name: `${PREFIX}job_status_checks`,
  help: 'Status calls one job needed, observed when its final status was seen',
  buckets: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 64],
  registers: r,
});
export const notifyLagSeconds = new Histogram({
  name: `${PREFIX}notify_lag_seconds`,
  help: "From the bot seeing a job's success to the result message being delivered (downloads and processing included)",
  buckets: longSeconds,
  registers: r,
});

// ---- processing
export const processingSeconds = new Histogram({
  name: `${PREFIX}model_processing_seconds`,
  help: 'Model post-processing durations, by step: fit (load, validate, fit under the limit), render (turntable), stl, obj (exports)',
  labelNames: ['step'] as const,
  buckets: longSeconds,
  registers: r,
});
export const processingFailures = new Counter({
  name: `${PREFIX}model_processing_failures_total`,
  help: 'Processing or export tasks that produced no result, by reason (corrupt, timeout, memory, crashed, error, download_failed, interrupted)',
  labelNames: ['reason'] as const,
  registers: r,
});
export const workerRestarts = new Counter({
  name: `${PREFIX}model_worker_restarts_total`,
  help: 'Model workers lost mid-task and replaced, by reason (timeout, memory, crashed)',
  labelNames: ['reason'] as const,
  registers: r,
});

// ---- delivery
export const deliveries = new Counter({
  name: `${PREFIX}deliveries_total`,
  help: 'Job message deliveries, by route (webhook, channel_edit, channel_message, dm, none) and outcome (ok, gone, retry, given_up)',
  labelNames: ['route', 'outcome'] as const,
  registers: r,
});
export const deliveryRetries = new Counter({
  name: `${PREFIX}delivery_retries_total`,
  help: 'Deliveries that failed and were scheduled again',
  registers: r,
});

// ---- quota
export const creditsSpent = new Counter({
  name: `${PREFIX}quota_credits_spent_total`,
  help: 'Credits reserved for jobs',
  registers: r,
});
export const creditsRefunded = new Counter({
  name: `${PREFIX}quota_credits_refunded_total`,
  help: "Credits given back: jobs that ended outside the charged states (automatically), and moderators' refunds",
  registers: r,
});

// ---- gateway
const gaugeOfShards = (name: string, help: string, pick: (s: { pingMs: number; guilds: number }) => number) =>
  new Gauge({
    name: `${PREFIX}${name}`,
    help,
    labelNames: ['shard'] as const,
    registers: r,
    collect() {
      this.reset();
      for (const s of sources.gateway?.() ?? []) this.set({ shard: String(s.shard) }, pick(s));
    },
  });
gaugeOfShards('gateway_ping_seconds', 'Heartbeat round trip of each gateway shard (-0.001 before the first)', (s) => s.pingMs / 1000);
gaugeOfShards('gateway_guilds', 'Servers each gateway shard holds', (s) => s.guilds);
