import { z } from 'zod';
import { parseShardIds, type ShardLayout } from './shards.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));

const optionalSnowflake = z
  .string()
  .regex(/^(\d{17,20})?$/, 'must be a Discord id (17 to 20 digits)')
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Europe/Berlin');

/** Every variable the bot reads, with its default. The README table and .env.example mirror this. */
export const envSchema = z.object({
  DISCORD_TOKEN: z.string().min(1, 'is required'),
  DISCORD_APPLICATION_ID: optionalSnowflake,
  DISCORD_GUILD_ID: optionalSnowflake,
  DISCORD_API_URL: url.default('https://discord.com/api'),
  PROXY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DMXAPI_KEY: z.string().min(1, 'is required'),
  DMXAPI_BASE_URL: url.default('https://www.dmxapi.cn'),
  DATABASE_PATH: z.string().min(1).default('data/model3d.sqlite'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  FILES_DIR: z.string().min(1).default('data/files'),
  FILES_RETENTION_DAYS: int(0, 36_500).default(30),
  POLL_INTERVAL_MS: int(50, 600_000).default(5000),
  JOB_TIMEOUT_MS: int(1000, 24 * 3600_000).default(30 * 60_000),
  UPSTREAM_MAX_RPS: int(1, 20).default(10),
  UPSTREAM_TIMEOUT_MS: int(500, 300_000).default(30_000),
  IMAGE_URL_ALLOW_PRIVATE: bool.default(false),
  MODEL_MAX_DOWNLOAD_MB: int(1, 2048).default(200),
  MODEL_WORKERS: int(1, 16).default(1),
  MODEL_PROCESS_TIMEOUT_MS: int(1000, 3600_000).default(120_000),
  MODEL_WORKER_MEMORY_MB: int(128, 16_384).default(1024),
  MODEL_PROCESS_MEMORY_MB: int(512, 65_536).default(2048),
  EXPORT_HEIGHT_MM: int(1, 10_000).default(100),
  EXPORTS_PER_HOUR: int(1, 1000).default(10),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  SHARDS: z
    .string()
    .regex(/^(auto|[1-9]\d{0,4})$/, 'must be auto or a whole number from 1 to 99999')
    .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
    .default(1),
  SHARD_IDS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseShardIds(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  JOB_LEASE_MS: int(1000, 3_600_000).default(120_000),
  QUOTA_USER_DAILY: int(0, 1_000_000).default(5),
  QUOTA_GUILD_DAILY: int(0, 10_000_000).default(100),
  QUOTA_USER_DAILY_ALL: int(0, 1_000_000).default(20),
  QUOTA_GLOBAL_DAILY: int(0, 100_000_000).default(0),
  QUOTA_MAX_CONCURRENT: int(1, 100).default(2),
  QUOTA_COOLDOWN_S: int(0, 86_400).default(30),
  QUOTA_DETAILED_COST: int(1, 100).default(2),
  QUOTA_MULTIVIEW_COST: int(0, 100).default(0),
  QUOTA_TIMEZONE: timeZone.default('UTC'),
  TURNTABLE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  TURNTABLE_SIZE: int(64, 640).default(320),
  TURNTABLE_TIMEOUT_MS: int(1, 600_000).default(30_000),
  METRICS_PORT: int(1, 65_535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // The viewer page (src/web): off unless PUBLIC_URL is set.
  PUBLIC_URL: url.optional(),
  HTTP_PORT: int(0, 65_535).default(8080),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_RATE_LIMIT: int(1, 1_000_000).default(300),
});

export type Env = z.infer<typeof envSchema>;

// DATABASE_URL may hold the database password.
const SECRET_VARS = new Set(['DISCORD_TOKEN', 'DMXAPI_KEY', 'DATABASE_URL', 'PROXY_SECRET']);

export interface Config {
  /** proxySecret: sent to the shared Discord REST proxy in every request (src/discord/proxy.ts). */
  discord: { token: string; applicationId?: string; guildId?: string; apiUrl: string; proxySecret?: string };
  dmxapi: { key: string; baseUrl: string; maxRps: number; timeoutMs: number };
  databasePath: string;
  /** PostgreSQL instead of the SQLite file at databasePath, when set. */
  databaseUrl?: string;
  filesDir: string;
  /** Stored result files older than this are deleted; 0 keeps them forever. */
  filesRetentionDays: number;
  pollIntervalMs: number;
  jobTimeoutMs: number;
  /** A claimed status check or delivery is not claimed again for this long, even if its process dies. */
  jobLeaseMs: number;
  /** Which shards run here, and how (see src/config/shards.ts). */
  shards: ShardLayout;
  imageUrlAllowPrivate: boolean;
  model: {
    /** The provider's GLB is not downloaded past this many bytes. */
    maxDownloadBytes: number;
    workers: number;
    processTimeoutMs: number;
    /** V8 heap limit of each model process. */
    workerMemoryMb: number;
    /** OS bound on all the private memory of each model process (RLIMIT_DATA; see src/model/spawn.ts). */
    processMemoryMb: number;
    exportHeightMm: number;
    /** STL/OBJ exports one member may start per hour (one at a time). */
    exportsPerHour: number;
  };
  logLevel: Env['LOG_LEVEL'];
  quota: {
    userDaily: number;
    guildDaily: number;
    /** Credits one member may spend per day across every server and DMs together; 0 = no cap. */
    userDailyAll: number;
    globalDaily: number;
    maxConcurrent: number;
    cooldownS: number;
    detailedCost: number;
    /** Extra credits of a job made from two or more views. */
    multiviewCost: number;
    timeZone: string;
  };
  /** The animated preview rendered on the CPU for each finished model. */
  turntable: { enabled: boolean; size: number; timeoutMs: number };
  /** The health, readiness and Prometheus listener (src/app/metrics-server.ts); null port: none. */
  metrics: { port: number | null; host: string };
  /** The viewer page: null (nothing listens) unless PUBLIC_URL is set. */
  web: { publicUrl: string; port: number; host: string; rateLimitPerMinute: number } | null;
}

/** A configuration problem, reported to the operator as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset so that `FOO=` in .env falls back to the default.
  const cleaned: Record<string, string | undefined> = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  // In a process spawned by ShardingManager, discord.js sets SHARDS to this process's shard id.
  const shardProcess = env.SHARDING_MANAGER === 'true';
  if (shardProcess) {
    cleaned.SHARDS = undefined;
    cleaned.SHARD_IDS = undefined;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const raw = cleaned[name];
    if (raw === undefined) throw new ConfigError(`Configuration error: ${name} is required`);
    // Secrets are never echoed back, even when malformed.
    const shown = SECRET_VARS.has(name) ? '' : ` (got "${raw}")`;
    throw new ConfigError(`Configuration error: ${name} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (e.MODEL_PROCESS_MEMORY_MB <= e.MODEL_WORKER_MEMORY_MB) {
    throw new ConfigError(
      `Configuration error: MODEL_PROCESS_MEMORY_MB must be larger than MODEL_WORKER_MEMORY_MB (${e.MODEL_WORKER_MEMORY_MB}): the heap is part of the process (got "${e.MODEL_PROCESS_MEMORY_MB}")`,
    );
  }
  return {
    shards: shardLayout(e, shardProcess ? env : null),
    jobLeaseMs: e.JOB_LEASE_MS,
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiUrl: e.DISCORD_API_URL,
      proxySecret: e.PROXY_SECRET,
    },
    dmxapi: { key: e.DMXAPI_KEY, baseUrl: e.DMXAPI_BASE_URL, maxRps: e.UPSTREAM_MAX_RPS, timeoutMs: e.UPSTREAM_TIMEOUT_MS },
    databasePath: e.DATABASE_PATH,
    databaseUrl: e.DATABASE_URL,
    filesDir: e.FILES_DIR,
    filesRetentionDays: e.FILES_RETENTION_DAYS,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    jobTimeoutMs: e.JOB_TIMEOUT_MS,
    imageUrlAllowPrivate: e.IMAGE_URL_ALLOW_PRIVATE,
    model: {
      maxDownloadBytes: e.MODEL_MAX_DOWNLOAD_MB * 1024 * 1024,
      workers: e.MODEL_WORKERS,
      processTimeoutMs: e.MODEL_PROCESS_TIMEOUT_MS,
      workerMemoryMb: e.MODEL_WORKER_MEMORY_MB,
      processMemoryMb: e.MODEL_PROCESS_MEMORY_MB,
      exportHeightMm: e.EXPORT_HEIGHT_MM,
      exportsPerHour: e.EXPORTS_PER_HOUR,
    },
    logLevel: e.LOG_LEVEL,
    quota: {
      userDaily: e.QUOTA_USER_DAILY,
      guildDaily: e.QUOTA_GUILD_DAILY,
      userDailyAll: e.QUOTA_USER_DAILY_ALL,
      globalDaily: e.QUOTA_GLOBAL_DAILY,
      maxConcurrent: e.QUOTA_MAX_CONCURRENT,
      cooldownS: e.QUOTA_COOLDOWN_S,
      detailedCost: e.QUOTA_DETAILED_COST,
      multiviewCost: e.QUOTA_MULTIVIEW_COST,
      timeZone: e.QUOTA_TIMEZONE,
    },
    turntable: { enabled: e.TURNTABLE === 'on', size: e.TURNTABLE_SIZE, timeoutMs: e.TURNTABLE_TIMEOUT_MS },
    metrics: { port: e.METRICS_PORT ?? null, host: e.METRICS_HOST },
    web: e.PUBLIC_URL ? { publicUrl: e.PUBLIC_URL, port: e.HTTP_PORT, host: e.HTTP_HOST, rateLimitPerMinute: e.HTTP_RATE_LIMIT } : null,
  };
}

function shardLayout(e: Env, shardEnv: NodeJS.ProcessEnv | null): ShardLayout {
  if (shardEnv) {
    const id = Number(shardEnv.SHARDS);
    const count = Number(shardEnv.SHARD_COUNT);
    if (!Number.isInteger(id) || !Number.isInteger(count) || id < 0 || id >= count) {
      throw new ConfigError(`Configuration error: SHARDS from the sharding manager is not a shard id (got "${shardEnv.SHARDS}" of "${shardEnv.SHARD_COUNT}")`);
    }
    return { kind: 'shard', id, count };
  }
  const ids = e.SHARD_IDS === undefined ? null : parseShardIds(e.SHARD_IDS);
  if (ids) {
    if (typeof e.SHARDS !== 'number' || e.SHARDS === 1) {
      throw new ConfigError(`Configuration error: SHARD_IDS needs SHARDS set to the bot's total number of shards (got "${String(e.SHARDS)}")`);
    }
    const over = ids.find((id) => id >= (e.SHARDS as number));
    if (over !== undefined) {
      throw new ConfigError(`Configuration error: SHARD_IDS must be below SHARDS (${String(e.SHARDS)}); shard ${over} does not exist`);
    }
  }
  if (e.SHARDS === 1 && !ids) return { kind: 'single' };
  return { kind: 'manager', count: e.SHARDS, ids };
}

/** Values scrubbed from every log line: the bot token, the API key, and the database URL with its password. */
export function secretsOf(config: Config): string[] {
  const out = [config.discord.token, config.dmxapi.key];
  if (config.discord.proxySecret) out.push(config.discord.proxySecret);
  if (config.databaseUrl) {
    out.push(config.databaseUrl);
    try {
      const password = decodeURIComponent(new URL(config.databaseUrl).password);
      if (password) out.push(password);
    } catch {
      // not parseable as a URL: the whole string is still scrubbed
    }
  }
  return out;
}
