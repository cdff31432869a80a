import { onTestFailed } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeDiscord, type FakeDiscordOptions, type InteractionRecord } from '../fakes/discord/index.js';
import { checkAgainstSpec, formatProblems } from '../fakes/discord/spec-check.js';
import { DmxapiSimulator, type SimulatorOptions } from '../fakes/dmxapi/index.js';
import { tempDir } from '../helpers/tmp.js';
// Not helpers/store.js itself: it registers vitest hooks, and the sandbox and the bench run this harness outside vitest.
import { BACKENDS, type Backend } from '../helpers/backends.js';
import { openStore } from '../../src/store/open.js';
import type { Db, Params } from '../../src/store/db.js';

/**
 * The stores every e2e file that touches the store runs on, from the same test code:
 * `describe.each(STORES)('… (%s)', (store) => { … World.start({ store }) … })`.
 */
export const STORES = BACKENDS;
export type StoreKind = Backend;

const root = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<BotProcess>();

// No bot outlives the test run, even when a test fails or the runner is interrupted.
process.once('exit', () => {
  for (const bot of live) bot.killNow();
});

export interface LogLine {
  level: number;
  msg: string;
  pid: number;
  [k: string]: unknown;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The real bot, started with `npm start` as an operator would, in its own process group. */
export class BotProcess {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly child: ChildProcess;
  private readonly parsed: LogLine[] = [];
  private parsedUpTo = 0;

  constructor(env: Record<string, string>) {
    this.child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      this.output.push(...lines);
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Structured log lines (pino JSON) printed so far. */
  logs(): LogLine[] {
    // Parsed once each: the waits below ask every 25 ms, and a busy bot prints thousands of lines.
    for (; this.parsedUpTo < this.output.length; this.parsedUpTo++) {
      const line = this.output[this.parsedUpTo]!;
      if (!line.startsWith('{')) continue;
      try {
        this.parsed.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
    return this.parsed.slice();
  }

  allOutput(): string {
    return this.output.join('\n');
  }

  /** Waits until `probe` holds, failing early if the bot exits. */
  waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | null | false): Promise<T> {
    return until(`${what}\n--- bot output ---\n${this.tail()}`, timeoutMs, () => {
      if (!this.running) throw new Error(`bot exited (${JSON.stringify(this.exitInfo)})\n${this.tail()}`);
      return probe();
    });
  }

  waitForLog(match: string | ((l: LogLine) => boolean), timeoutMs = 20_000): Promise<LogLine> {
    const pred = typeof match === 'string' ? (l: LogLine) => l.msg === match : match;
    return until(`bot log ${String(match)}\n--- bot output ---\n${this.tail()}`, timeoutMs, () => {
      if (!this.running) throw new Error(`bot exited (${JSON.stringify(this.exitInfo)})\n${this.tail()}`);
      return this.logs().find(pred);
    });
  }

  /** The node process's own pid (npm and sh sit between), read from its log lines. */
  async botPid(): Promise<number> {
    return (await this.waitForLog(() => true)).pid;
  }

  /** Sends a signal to the bot process itself, as Docker would to PID 1. */
  async signal(sig: NodeJS.Signals): Promise<void> {
    process.kill(await this.botPid(), sig);
  }

  /** SIGKILL to the whole group: the bot gets no chance to clean up. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  killNow(): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  tail(n = 40): string {
    return this.output.slice(-n).join('\n');
  }
}

export interface WorldOptions {
  /** A count, or the guilds' specs (channels, forums, permission overwrites). */
  guilds?: FakeDiscordOptions['guilds'];
  recommendedShards?: number;
  timeline?: { pendingMs: number; runningMs: number };
  billing?: boolean;
  env?: Record<string, string>;
  tokenTtlMs?: number;
  /** Called as each DMXAPI simulator request is answered (see the simulator's `onCall`). */
  onDmxapiCall?: SimulatorOptions['onCall'];
  /**
   * The simulator's default model. 'cube' (tiny) unless a test is about models themselves:
   * the Tripo-like ones are 10–60 MB and take seconds to process on a loaded machine.
   */
  model?: SimulatorOptions['model'];
  /**
   * Where the bot keeps its jobs: a SQLite file in the world's dir (the default), or a schema of
   * its own on the test run's PostgreSQL server (`DATABASE_URL`).
   */
  store?: StoreKind;
}

/** Both fakes, a temp data dir and the env that points a bot at them. */
export class World {
  private bots: BotProcess[] = [];

  private constructor(
    readonly discord: FakeDiscord,
    readonly dmxapi: DmxapiSimulator,
    readonly dir: string,
    private readonly cleanupDir: () => void,
    private readonly extraEnv: Record<string, string>,
    /** The store every bot of this world uses (see WorldOptions.store). */
    readonly store: StoreKind,
    /** With store 'postgres': the schema's URL (DATABASE_URL); otherwise undefined. */
    readonly databaseUrl: string | undefined,
  ) {}

  static async start(o: WorldOptions = {}): Promise<World> {
    const discord = await FakeDiscord.start({
      guilds: o.guilds ?? 1,
      heartbeatIntervalMs: 1000,
      ...(o.tokenTtlMs ? { tokenTtlMs: o.tokenTtlMs } : {}),
      ...(o.recommendedShards ? { recommendedShards: o.recommendedShards } : {}),
    });
    const dmxapi = await DmxapiSimulator.start({
      timeline: o.timeline ?? { pendingMs: 300, runningMs: 900 },
      billing: o.billing ?? false,
      model: o.model ?? 'cube',
      ...(o.onDmxapiCall ? { onCall: o.onDmxapiCall } : {}),
    });
    const tmp = tempDir('model3d-e2e-');
    const store = o.store ?? 'sqlite';
    const databaseUrl = store === 'postgres' ? await (await import('../helpers/store.js')).freshSchemaUrl() : undefined;
    return new World(discord, dmxapi, tmp.dir, tmp.cleanup, o.env ?? {}, store, databaseUrl);
  }

  /** Where the bot's store is, as openStore takes it. */
  get storeLocation(): { databasePath: string; databaseUrl?: string } {
    return { databasePath: join(this.dir, 'bot.sqlite'), ...(this.databaseUrl ? { databaseUrl: this.databaseUrl } : {}) };
  }

  /**
   * Opens the world's store beside the running bot (the same SQL on both backends, `@name`
   * parameters), runs fn and closes it again.
   */
  async withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const db = await openStore(this.storeLocation);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  /** Every row of one query on the world's store. */
  rows<T>(sql: string, params?: Params): Promise<T[]> {
    return this.withDb((db) => db.all<T>(sql, params));
  }

  /** The first row of one query on the world's store. */
  row<T>(sql: string, params?: Params): Promise<T | undefined> {
    return this.withDb((db) => db.get<T>(sql, params));
  }

  get env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.botToken,
      DISCORD_APPLICATION_ID: this.discord.applicationId,
      DISCORD_API_URL: this.discord.apiUrl,
      DMXAPI_KEY: this.dmxapi.key,
      DMXAPI_BASE_URL: this.dmxapi.baseUrl,
      DATABASE_PATH: join(this.dir, 'bot.sqlite'),
      ...(this.databaseUrl ? { DATABASE_URL: this.databaseUrl } : {}),
      FILES_DIR: join(this.dir, 'files'),
      POLL_INTERVAL_MS: '200',
      IMAGE_URL_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'debug',
      QUOTA_USER_DAILY: '1000',
      QUOTA_GUILD_DAILY: '10000',
      QUOTA_MAX_CONCURRENT: '100',
      QUOTA_COOLDOWN_S: '0',
      UPSTREAM_TIMEOUT_MS: '3000',
      // CPU rendering only where it is the subject (test/e2e/turntable.test.ts, the sandbox).
      TURNTABLE: 'off',
      ...this.extraEnv,
    };
  }

  /** Starts the bot and waits until it is connected to the fake gateway (with shards: every shard it runs). */
  async startBot(env: Record<string, string> = {}, shards = 1): Promise<BotProcess> {
    const bot = new BotProcess({ ...this.env, ...env });
    this.bots.push(bot);
    // A failed case shows what each of its bots printed last (the fakes' view alone rarely says why).
    try {
      onTestFailed(() => console.error(`--- bot ${this.bots.indexOf(bot) + 1} of this case, its last lines ---\n${bot.tail(80)}`));
    } catch {
      // started outside a test (a hook): nothing to attach to
    }
    await bot.waitFor(`${shards} shard(s) connected`, 45_000, () => bot.logs().filter((l) => l.msg === 'connected to Discord').length >= shards);
    return bot;
  }

  /**
   * Stops everything, then checks every request the bot sent to the fake Discord, and every
   * answer the fake gave, against Discord's OpenAPI spec: a test whose traffic real Discord
   * would not have (or could not have) produced fails here.
   */
  async close(): Promise<void> {
    await Promise.all(this.bots.map((b) => b.kill()));
    await this.discord.close();
    await this.dmxapi.close();
    this.cleanupDir();
    const problems = checkAgainstSpec(this.discord.requests);
    if (problems.length) {
      throw new Error(`traffic that does not match Discord's OpenAPI spec:\n${formatProblems(problems)}`);
    }
  }
}

export const samplePng = (): Buffer => readFileSync(join(root, 'test/fixtures/sample.png'));

/** A member's `/model3d` with the sample picture uploaded. */
export function sendModel3d(discord: FakeDiscord): InteractionRecord {
  const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
  return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image } }));
}

/** Whether a message carries the model (a GLB attachment). */
export const hasGlb = (m: { attachments: { filename: string }[] } | undefined): boolean => !!m?.attachments.some((a) => a.filename === 'model.glb');

/** Picks the bot's log lines of a status check that saw `status`. */
export const statusChecked = (status: string) => (l: LogLine): boolean => l.msg === 'status checked' && l.status === status;

/**
 * A member's /model3d whose task the simulator holds RUNNING; the bot is SIGKILLed once it has seen
 * it running, and the task then succeeds while no bot is up.
 */
export async function killWhileRunning(world: World): Promise<{ rec: InteractionRecord; taskId: string }> {
  const { discord, dmxapi } = world;
  // Held until the bot is dead, however slow the machine: no race with the wall clock.
  dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
  const bot = await world.startBot();
  const rec = sendModel3d(discord);
  await discord.waitForAck(rec.id);
  await bot.waitForLog(statusChecked('RUNNING'), 30_000);
  await bot.kill();
  const taskId = dmxapi.submits.at(-1)!.taskId!;
  dmxapi.release(taskId);
  await dmxapi.waitFor((sim) => sim.statusOf(taskId) === 'SUCCEEDED', 30_000);
  return { rec, taskId };
}

/** Everything a member can read for one interaction: the reply (content, embed text) and its follow-ups. */
export function visibleText(discord: FakeDiscord, idOrToken: string): string {
  const messages = [discord.originalMessage(idOrToken), ...discord.followups(idOrToken)];
  const parts: string[] = [];
  for (const m of messages) {
    if (!m) continue;
    parts.push(m.content);
    for (const e of m.embeds as { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text?: string } }[]) {
      parts.push(e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text ?? '');
    }
  }
  return parts.filter(Boolean).join('\n');
}

/** Waits until the member can read `expected` (a substring or pattern) for this interaction; returns all the text. */
export function waitForVisible(discord: FakeDiscord, idOrToken: string, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  return discord.waitFor(
    () => {
      const text = visibleText(discord, idOrToken);
      return (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) ? text : undefined;
    },
    { timeoutMs, description: `reply showing ${String(expected)}` },
  );
}

/** The link button to the GLB, once the bot has added it to a delivered message. */
export function downloadButton(m: { components: unknown[] } | undefined): { url: string } | undefined {
  const rows = (m?.components ?? []) as { components?: { style?: number; url?: string }[] }[];
  const b = rows.flatMap((r) => r.components ?? []).find((c) => c.style === 5 && c.url);
  return b as { url: string } | undefined;
}

// h-forget (its import here, so that the code above stays as it is)
import { existsSync, readdirSync } from 'node:fs';

/** Every file under the world's FILES_DIR, walked, as paths relative to it (`<jobId>/<name>`), sorted. */
export function storedFiles(world: World): string[] {
  const root = join(world.dir, 'files');
  const walk = (rel: string): string[] =>
    readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => {
      const path = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? walk(path) : [path];
    });
  return existsSync(root) ? walk('').sort() : [];
}

// h-e2e-a
/** A member's /model3d with a picture of its own, so that submits can be counted per picture. */
export function sendPicture(discord: FakeDiscord, name: string): { rec: InteractionRecord; imageUrl: string } {
  const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
  const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image } }));
  return { rec, imageUrl: image.url };
}

/**
 * A later /model3d, run to its delivered result: the proof, instead of a sleep, that the bot went
 * on well past an earlier decision. Its task was submitted after that decision and was checked
 * until it ended; the poller claims due checks in due order, so any check of an earlier job that
 * was due before then has been made, and the bot's own pace (not the wall clock) sets the span.
 * `plan` (the later task's timeline, say) is the simulator's plan for its submit.
 */
export async function laterJobDelivered(
  world: World,
  name = 'later',
  plan?: DmxapiSimulator['nextTasks'][number],
): Promise<{ rec: InteractionRecord; imageUrl: string }> {
  const { discord } = world;
  if (plan) world.dmxapi.nextTasks.push(plan);
  const later = sendPicture(discord, name);
  await discord.waitFor(() => hasGlb(discord.originalMessage(later.rec.token)), { timeoutMs: 20_000, description: `the later job (${name}) delivered` });
  return later;
}
