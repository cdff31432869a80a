import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Builders } from './builders.js';
import { Faults } from './faults.js';
import { FakeGateway, type DisconnectOptions } from './gateway.js';
import { makeGuild, type GuildSpec } from './guilds.js';
import { RestApi } from './rest.js';
import { botToken as makeBotToken, shardOf, snowflake } from './snowflake.js';
import { Store, type HostFileOptions } from './store.js';
import type { FakeAttachment, FakeGuild, FakeMessage, FakeUser, InteractionRecord, Json, RecordedRequest } from './types.js';

export interface FakeDiscordOptions {
  /** Number of guilds, or their specs (default 1). */
  guilds?: number | GuildSpec[];
  /** HELLO heartbeat_interval (default 41250). */
  heartbeatIntervalMs?: number;
  botUser?: Partial<FakeUser>;
  applicationId?: string;
  botToken?: string;
  /** Application flags sent in READY (default: GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE). */
  applicationFlags?: number;
  /** Interaction callbacks later than this after dispatch get 404 10062 (default 3000, as on Discord; null = never). */
  ackDeadlineMs?: number | null;
  /** Interaction token lifetime on webhook routes (default 15 min). */
  tokenTtlMs?: number;
  /** Max total size of uploaded files per request (default 10 MiB; more → 413 40005). */
  maxUploadBytes?: number;
  /** `shards` answered by GET /gateway/bot (default 1). */
  recommendedShards?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Used in the timeout error message. */
  description?: string;
}

export type RequestMatch = Partial<Pick<RecordedRequest, 'method' | 'route' | 'status'>> & { path?: string | RegExp; token?: string };

interface PendingSleep {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/** A fake Discord (REST + gateway + CDN) on 127.0.0.1 for the real discord.js client. */
export class FakeDiscord {
  readonly applicationId: string;
  readonly botToken: string;
  readonly botUser: FakeUser;
  readonly application: Json;
  readonly guilds: FakeGuild[];
  readonly faults = new Faults();
  readonly store: Store;
  readonly build: Builders;
  readonly gateway: FakeGateway;
  /** Every HTTP request, in arrival-completion order. */
  readonly requests: RecordedRequest[] = [];
  private readonly rest: RestApi;
  private readonly server: Server;
  private port = 0;
  private closing: Promise<void> | null = null;
  private readonly sleeps = new Set<PendingSleep>();
  private readonly waiters = new Set<(err: Error) => void>();

  private constructor(opts: FakeDiscordOptions) {
    this.applicationId = opts.applicationId ?? snowflake();
    this.botUser = {
      id: this.applicationId,
      username: 'Model3D',
      discriminator: '4821',
      global_name: null,
      avatar: null,
      bot: true,
      verified: true,
      mfa_enabled: false,
      flags: 0,
      public_flags: 0,
      email: null,
      avatar_decoration_data: null,
      primary_guild: null,
      clan: null,
      ...opts.botUser,
    };
    this.botToken = opts.botToken ?? makeBotToken(this.botUser.id);
    this.application = {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      flags: opts.applicationFlags ?? (1 << 19) | (1 << 23),
      verify_key: 'a'.repeat(64),
      owner: { id: snowflake(), username: 'owner', discriminator: '0', global_name: 'Owner', avatar: null, flags: 0, public_flags: 0 },
      team: null,
      approximate_guild_count: 0,
      integration_types_config: { '0': {}, '1': {} },
      bot: this.botUser,
    };
    const specs = typeof opts.guilds === 'number' || opts.guilds === undefined ? Array.from({ length: opts.guilds ?? 1 }, () => ({})) : opts.guilds;
    this.guilds = specs.map((s, i) => makeGuild(s, i, this.botUser));
    this.application.approximate_guild_count = this.guilds.length;
    this.store = new Store(() => this.baseUrl, this.botUser);
    for (const g of this.guilds) for (const c of g.channels) this.store.addChannel({ ...c, guild_id: g.id });

    this.rest = new RestApi({
      store: this.store,
      faults: this.faults,
      applicationId: this.applicationId,
      botToken: this.botToken,
      botUser: this.botUser,
      application: this.application,
      guilds: this.guilds,
      gatewayUrl: () => this.gatewayUrl,
      recommendedShards: opts.recommendedShards ?? 1,
      ackDeadlineMs: opts.ackDeadlineMs === undefined ? 3000 : opts.ackDeadlineMs,
      tokenTtlMs: opts.tokenTtlMs ?? 15 * 60_000,
      maxUploadBytes: opts.maxUploadBytes ?? 10 * 1024 * 1024,
      knownUsers: () => [this.botUser, this.build.defaultUser],
      log: (rec) => {
        this.requests.push(rec);
        this.store.changed();
      },
      sleep: (ms) => this.sleep(ms),
      dispatch: (event, data) => this.gateway.dispatch(event, data),
    });
    this.build = new Builders({
      applicationId: this.applicationId,
      botUser: this.botUser,
      guilds: this.guilds,
      commandIdFor: (name, guildId) => this.rest.commandIdFor(name, guildId),
      dmChannelFor: (user) => this.store.dmChannelFor(user),
      findMessage: (id) => this.store.findMessage(id),
      findUser: (id) => [this.botUser, this.build.defaultUser].find((u) => u.id === id),
    });
    this.gateway = new FakeGateway({
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      botToken: this.botToken,
      resumeUrl: () => this.gatewayUrl,
      readyData: (shard) => ({
        v: 10,
        user_settings: {},
        user: this.botUser,
        guilds: this.guildsOn(shard).map((g) => ({ id: g.id, unavailable: true })),
        session_type: 'normal',
        application: { id: this.applicationId, flags: this.application.flags },
        private_channels: [],
        presences: [],
        relationships: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: ['fake-local'],
        auth: {},
        _trace: ['["fake-gateway-prd",{"micros":0}]'],
      }),
      guildCreates: (shard) => this.guildsOn(shard).map((g) => structuredClone(g)),
      onChange: () => this.store.changed(),
    });
    this.server = createServer((req, res) => {
      void this.rest.handle(req, res);
    });
    this.server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** Pass as `rest: { api }` to discord.js. */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
  get identifyCount(): number {
    return this.gateway.stats.identifies;
  }
  get resumeCount(): number {
    return this.gateway.stats.resumes;
  }

  /** Hosts bytes on the fake CDN (Content-Length, Range) and returns a Discord attachment object for `data.resolved.attachments`. */
  hostFile(bytes: Buffer | Uint8Array, opts: HostFileOptions = {}): FakeAttachment {
    return this.store.hostFile(bytes, opts);
  }

  /**
   * The bot joins more guilds: each gets a full GUILD_CREATE on the live sessions (as Discord sends
   * when the bot is added to a server), and is in READY from then on. Returns the new guilds.
   */
  addGuilds(specs: GuildSpec[]): FakeGuild[] {
    const added = specs.map((s, i) => makeGuild(s, this.guilds.length + i, this.botUser));
    for (const g of added) {
      this.guilds.push(g);
      for (const c of g.channels) this.store.addChannel({ ...c, guild_id: g.id });
      this.dispatch('GUILD_CREATE', structuredClone(g));
    }
    this.application.approximate_guild_count = this.guilds.length;
    return added;
  }

  /** The guilds a session of `[shard_id, num_shards]` gets: `(guild_id >> 22) % num_shards == shard_id`. */
  guildsOn([id, count]: [number, number]): FakeGuild[] {
    return this.guilds.filter((g) => shardOf(g.id, count) === id);
  }

  /** Sends a gateway dispatch to every live session. Returns the number of sockets that got it now. */
  dispatch(event: string, data: unknown): number {
    return this.gateway.dispatch(event, data);
  }

  /** Registers the interaction (so its callback/webhook routes work), dispatches INTERACTION_CREATE, and returns its record. */
  sendInteraction(payload: Json): InteractionRecord {
    const id = String(payload.id);
    const token = String(payload.token);
    if (this.gateway.sessions.size === 0) throw new Error('FakeDiscord.sendInteraction: no gateway session (did the client log in? await fake.waitForReady())');
    const rec: InteractionRecord = {
      id,
      token,
      applicationId: String(payload.application_id ?? this.applicationId),
      type: Number(payload.type),
      payload,
      channelId: String(payload.channel_id ?? (payload.channel as Json | undefined)?.id ?? ''),
      guildId: typeof payload.guild_id === 'string' ? payload.guild_id : null,
      sentAt: Date.now(),
      sentAtHr: performance.now(),
      ackedAt: null,
      ackLatencyMs: null,
      ackType: null,
      ackBody: null,
      originalMessageId: null,
      followupIds: [],
    };
    this.store.registerInteraction(rec);
    // Only the shard that holds the guild (shard 0 for DMs) receives the interaction.
    this.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: rec.guildId });
    return rec;
  }

  /** The record of an interaction, by id or token. */
  interaction(idOrToken: string): InteractionRecord | undefined {
    return this.store.interactions.get(idOrToken) ?? this.store.interactionsByToken.get(idOrToken);
  }

  /** Resolves once the interaction was acknowledged (any callback type). */
  waitForAck(idOrToken: string, opts: WaitOptions = {}): Promise<InteractionRecord> {
    return this.waitFor(() => {
      const rec = this.interaction(idOrToken);
      return rec?.ackType != null ? rec : undefined;
    }, { description: `acknowledgement of interaction ${idOrToken.slice(0, 24)}`, ...opts });
  }

  disconnect(opts: DisconnectOptions = {}): number {
    return this.gateway.disconnect(opts);
  }

  /** Keeps new gateway connections waiting (an outage the test ends with releaseGateway()). */
  holdGateway(): void {
    this.gateway.hold();
  }

  releaseGateway(): void {
    this.gateway.release();
  }

  // ------------------------------------------------------------ messages

  messagesIn(channelId: string): FakeMessage[] {
    return this.store.messagesIn(channelId);
  }
  message(messageId: string): FakeMessage | undefined {
    return this.store.findMessage(messageId);
  }
  /** The `@original` response message of an interaction (by token or id). */
  originalMessage(idOrToken: string): FakeMessage | undefined {
    const rec = this.interaction(idOrToken);
    return rec?.originalMessageId ? this.store.findMessage(rec.originalMessageId) : undefined;
  }
  followups(idOrToken: string): FakeMessage[] {
    const rec = this.interaction(idOrToken);
    return (rec?.followupIds ?? []).map((id) => this.store.findMessage(id)).filter((m): m is FakeMessage => m !== undefined);
  }
  /** Deletes a message as a user/moderator would (later gets/edits answer 10008). */
  deleteMessage(messageId: string): boolean {
    const msg = this.store.findMessage(messageId);
    if (!msg) return false;
    return this.store.deleteMessage(msg.channel_id, msg.id);
  }
  /** Registered commands: global, or of one guild. */
  commands(guildId?: string): Json[] {
    return (guildId ? this.store.guildCommands.get(guildId) : this.store.globalCommands.get(this.applicationId)) ?? [];
  }
  /** Bytes served at a hosted/uploaded attachment URL. */
  fileBytes(url: string): Buffer | undefined {
    return this.store.files.get(new URL(url).pathname)?.bytes;
  }

  // ------------------------------------------------------------ requests

  /** Requests matching method/route/status/path/token. */
  requestsMatching(m: RequestMatch): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        (m.method === undefined || r.method === m.method.toUpperCase()) &&
        (m.route === undefined || r.route === m.route) &&
        (m.status === undefined || r.status === m.status) &&
        (m.token === undefined || r.params.token === m.token) &&
        (m.path === undefined || (typeof m.path === 'string' ? r.path.includes(m.path) : m.path.test(r.path))),
    );
  }

  waitForRequest(m: RequestMatch, opts: WaitOptions = {}): Promise<RecordedRequest> {
    return this.waitFor(() => this.requestsMatching(m)[0], { description: `request ${JSON.stringify({ ...m, path: m.path?.toString() })}`, ...opts });
  }

  // ------------------------------------------------------------ waiting

  /**
   * Resolves with the first truthy value of `predicate`, re-evaluated on every state change (and every 10 ms).
   * Rejects after `timeoutMs` (default 2000) with a message listing the last requests.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, opts: WaitOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 2000;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const check = () => {
        if (done) return;
        let v: T | undefined | null | false;
        try {
          v = predicate();
        } catch (err) {
          finish();
          reject(err as Error);
          return;
        }
        if (v) {
          finish();
          resolve(v);
        }
      };
      const fail = (err: Error) => {
        if (done) return;
        finish();
        reject(err);
      };
      const interval = setInterval(check, 10);
      const timeout = setTimeout(() => {
        const last = this.requests
          .slice(-8)
          .map((r) => `${r.method} ${r.route ?? r.path} → ${r.status}`)
          .join('; ');
        fail(new Error(`FakeDiscord.waitFor timed out after ${timeoutMs} ms waiting for ${opts.description ?? 'predicate'}. Last requests: ${last || 'none'}`));
      }, timeoutMs);
      const finish = () => {
        done = true;
        clearInterval(interval);
        clearTimeout(timeout);
        this.store.listeners.delete(check);
        this.waiters.delete(fail);
      };
      this.store.listeners.add(check);
      this.waiters.add(fail);
      check();
    });
  }

  /** Resolves once a client has identified and got READY plus every GUILD_CREATE (and is connected). */
  async waitForReady(opts: WaitOptions = {}): Promise<void> {
    await this.waitFor(() => this.gateway.connectedSessions().length > 0, { description: 'a client to IDENTIFY and get READY', timeoutMs: 5000, ...opts });
  }

  // ------------------------------------------------------------ lifecycle

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry: PendingSleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  /** Closes every socket and the server. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const s of this.sleeps) {
        clearTimeout(s.timer);
        s.resolve();
      }
      this.sleeps.clear();
      for (const fail of [...this.waiters]) fail(new Error('FakeDiscord closed'));
      await this.gateway.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.closing;
  }
}
