import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Faults } from './faults.js';
import { serveFile } from './media.js';
import { BodyError, parseBody } from './multipart.js';
import { snowflake } from './snowflake.js';
import { MessageFlags, type Store } from './store.js';
import type { FakeChannel, FakeGuild, FakeMessage, FakeUser, InteractionRecord, Json, RecordedRequest, UploadedFile } from './types.js';

export interface RestContext {
  store: Store;
  faults: Faults;
  applicationId: string;
  botToken: string;
  botUser: FakeUser;
  application: Json;
  guilds: FakeGuild[];
  gatewayUrl(): string;
  recommendedShards: number;
  /** Callbacks later than this after dispatch answer 10062 (null: never). */
  ackDeadlineMs: number | null;
  /** Interaction tokens stop working on webhook routes after this (401 50027). */
  tokenTtlMs: number;
  maxUploadBytes: number;
  knownUsers(): FakeUser[];
  log(rec: RecordedRequest): void;
  sleep(ms: number): Promise<void>;
  /** Sends a gateway dispatch (THREAD_CREATE, CHANNEL_UPDATE, …) as Discord does after a REST change. */
  dispatch?(event: string, data: unknown): void;
}

interface Req {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  rawBody: unknown;
  files: UploadedFile[];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request body was not read: answer, then close the connection. */
  unread?: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const E = {
  notFound: () => new HttpError(404, { message: '404: Not Found', code: 0 }),
  unauthorized: () => new HttpError(401, { message: '401: Unauthorized', code: 0 }),
  unknownChannel: () => new HttpError(404, { message: 'Unknown Channel', code: 10003 }),
  unknownMessage: () => new HttpError(404, { message: 'Unknown Message', code: 10008 }),
  unknownWebhook: () => new HttpError(404, { message: 'Unknown Webhook', code: 10015 }),
  unknownInteraction: () => new HttpError(404, { message: 'Unknown interaction', code: 10062 }),
  unknownUser: () => new HttpError(404, { message: 'Unknown User', code: 10013 }),
  unknownGuild: () => new HttpError(404, { message: 'Unknown Guild', code: 10004 }),
  invalidWebhookToken: () => new HttpError(401, { message: 'Invalid Webhook Token', code: 50027 }),
  alreadyAcked: () => new HttpError(400, { message: 'Interaction has already been acknowledged.', code: 40060 }),
  emptyMessage: () => new HttpError(400, { message: 'Cannot send an empty message', code: 50006 }),
  otherAuthor: () => new HttpError(403, { message: 'Cannot edit a message authored by another user', code: 50005 }),
  tooLarge: () => new HttpError(413, { message: 'Request entity too large', code: 40005 }),
  wrongChannelType: () => new HttpError(400, { message: 'Cannot execute action on this channel type', code: 50024 }),
  tagRequired: () => new HttpError(400, { message: 'A tag is required to create a forum post in this channel', code: 40067 }),
  invalidForm: (errors: Json) => new HttpError(400, { message: 'Invalid Form Body', code: 50035, errors }),
};

function fieldError(code: string, message: string): Json {
  return { _errors: [{ code, message }] };
}

type Handler = (r: Req) => Reply | Promise<Reply>;
interface Route {
  method: string;
  template: string;
  segments: string[];
  auth: boolean;
  handler: Handler;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent = (): Reply => ({ status: 204 });

export class RestApi {
  private readonly routes: Route[] = [];
  private seq = 0;
  private readonly commandIds = new Map<string, string>();

  constructor(private readonly ctx: RestContext) {
    this.define();
  }

  private on(method: string, template: string, auth: boolean, handler: Handler): void {
    this.routes.push({ method, template, segments: template.split('/').filter(Boolean), auth, handler });
  }

  /** Id of a registered command with that name (guild first, then global), or a stable made-up one. */
  commandIdFor(name: string, guildId: string | null, type = 1): string {
    const pools = [guildId ? this.ctx.store.guildCommands.get(guildId) : undefined, this.ctx.store.globalCommands.get(this.ctx.applicationId)];
    for (const pool of pools) {
      const found = pool?.find((c) => c.name === name && (c.type ?? 1) === type);
      if (found) return String(found.id);
    }
    const key = type === 1 ? name : `${type}:${name}`;
    let id = this.commandIds.get(key);
    if (!id) {
      id = snowflake();
      this.commandIds.set(key, id);
    }
    return id;
  }

  match(method: string, path: string): { route: Route | null; params: Record<string, string>; methodMismatch: boolean } {
    const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    let methodMismatch = false;
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let good = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i] ?? '';
        const part = parts[i] ?? '';
        if (seg.startsWith(':')) {
          if (part.startsWith('@') && seg !== ':app' && seg !== ':token') {
            good = false;
            break;
          }
          params[seg.slice(1)] = part;
        } else if (seg !== part) {
          good = false;
          break;
        }
      }
      if (!good) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route, params, methodMismatch: false };
    }
    return { route: null, params: {}, methodMismatch };
  }

  /** Node http handler for everything that isn't a WebSocket upgrade. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      seq: ++this.seq,
      method,
      path: url.pathname,
      route: null,
      params: {},
      query,
      headers,
      body: null,
      files: [],
      status: 0,
      response: null,
      fault: null,
      startedAt: started,
      finishedAt: 0,
      durationMs: 0,
    };
    let reply: Reply;
    try {
      const file = this.ctx.store.files.get(url.pathname);
      if (file && (method === 'GET' || method === 'HEAD')) {
        record.route = '/attachments/:channel/:id/:filename';
        req.resume();
        record.status = serveFile(req, res, file);
        this.finish(record, t0);
        return;
      }
      reply = await this.api(req, url, method, record);
    } catch (err) {
      if (err instanceof HttpError) reply = { status: err.status, body: err.body };
      else if (err instanceof BodyError) reply = { status: err.status, body: { message: err.message, code: err.code } };
      else reply = { status: 500, body: { message: `500: Internal Server Error (fake: ${(err as Error).message})`, code: 0 } };
    }
    record.status = reply.status;
    record.response = reply.body ?? null;
    if (!res.destroyed) {
      const h: Record<string, string> = { via: '1.1 google', ...(reply.headers ?? {}), ...(reply.unread ? { connection: 'close' } : {}) };
      if (reply.unread) res.once('finish', () => req.destroy());
      if (reply.body !== undefined && reply.status !== 204) {
        const text = JSON.stringify(reply.body);
        h['content-type'] = 'application/json';
        h['content-length'] = String(Buffer.byteLength(text));
        res.writeHead(reply.status, h).end(text);
      } else {
        res.writeHead(reply.status, h).end();
      }
    }
    this.finish(record, t0);
  }

  private finish(record: RecordedRequest, t0: number): void {
    record.finishedAt = Date.now();
    record.durationMs = performance.now() - t0;
    this.ctx.log(record);
  }

  private async api(req: IncomingMessage, url: URL, method: string, record: RecordedRequest): Promise<Reply> {
    const m = /^\/api(?:\/v(\d+))?(\/.*)$/.exec(url.pathname);
    if (!m) {
      req.resume();
      throw E.notFound();
    }
    const path = m[2] ?? '/';
    const { route, params, methodMismatch } = this.match(method, path);
    record.params = params;
    if (route) record.route = route.template;
    const authorized = !route?.auth || record.headers.authorization === `Bot ${this.ctx.botToken}`;
    if (route && authorized) {
      const early = this.ctx.faults.decide({ method, route: route.template, path, params }, 'headers');
      if (early.error) {
        record.fault = early.names.join(',');
        if (early.delayMs > 0) await this.ctx.sleep(early.delayMs);
        return { status: early.error.status, body: early.error.body, headers: early.error.headers, unread: true };
      }
    }
    const parsed = await parseBody(req);
    record.body = parsed.body;
    record.files = parsed.files;
    if (!route) {
      if (methodMismatch) throw new HttpError(405, { message: '405: Method Not Allowed', code: 0 });
      throw E.notFound();
    }
    if (!authorized) throw E.unauthorized();
    const decision = this.ctx.faults.decide({ method, route: route.template, path, params });
    if (decision.names.length) record.fault = decision.names.join(',');
    if (decision.delayMs > 0) await this.ctx.sleep(decision.delayMs);
    await Promise.all(decision.holds);
    if (decision.error) return { status: decision.error.status, body: decision.error.body, headers: decision.error.headers };
    const body = parsed.body && typeof parsed.body === 'object' && !Array.isArray(parsed.body) ? (parsed.body as Json) : {};
    return route.handler({ method, params, query: url.searchParams, body, rawBody: parsed.body, files: parsed.files });
  }

  // ---------------------------------------------------------------- routes

  private define(): void {
    const { ctx } = this;
    const store = ctx.store;

    this.on('GET', '/gateway', false, () => ok({ url: ctx.gatewayUrl() }));
    this.on('GET', '/gateway/bot', true, () =>
      ok({ url: ctx.gatewayUrl(), shards: ctx.recommendedShards, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } }),
    );
    this.on('GET', '/users/@me', true, () => ok(ctx.botUser));
    this.on('GET', '/applications/@me', true, () => ok(ctx.application));
    this.on('GET', '/oauth2/applications/@me', true, () => ok(ctx.application));
    this.on('GET', '/users/:user', true, (r) => {
      const u = ctx.knownUsers().find((x) => x.id === r.params.user);
      if (!u) throw E.unknownUser();
      return ok(u);
    });
    this.on('POST', '/users/@me/channels', true, (r) => {
      const id = String(r.body.recipient_id ?? '');
      if (!/^\d{15,21}$/.test(id)) throw E.invalidForm({ recipient_id: fieldError('NUMBER_TYPE_COERCE', `Value "${id}" is not snowflake.`) });
      const user = ctx.knownUsers().find((u) => u.id === id) ?? ({ id, username: `user${id.slice(-4)}`, discriminator: '0', global_name: null, avatar: null } as FakeUser);
      return ok(store.dmChannelFor(user));
    });

    // Guilds & channels
    this.on('GET', '/guilds/:guild', true, (r) => {
      const g = ctx.guilds.find((x) => x.id === r.params.guild);
      if (!g) throw E.unknownGuild();
      const { channels: _c, members: _m, ...rest } = g;
      return ok(rest);
    });
    this.on('GET', '/guilds/:guild/channels', true, (r) => {
      const g = ctx.guilds.find((x) => x.id === r.params.guild);
      if (!g) throw E.unknownGuild();
      return ok(g.channels.map((c) => ({ ...c, guild_id: g.id })));
    });
    // Active threads of a guild (get_active_guild_threads): forum posts and threads not archived.
    this.on('GET', '/guilds/:guild/threads/active', true, (r) => {
      if (!ctx.guilds.some((x) => x.id === r.params.guild)) throw E.unknownGuild();
      const threads = [...ctx.store.channels.values()].filter(
        (c) => c.guild_id === r.params.guild && [10, 11, 12].includes(c.type) && !(c.thread_metadata as { archived?: boolean } | undefined)?.archived,
      );
      return ok({ threads, members: threads.flatMap((c) => (c.member ? [c.member] : [])), has_more: false });
    });
    this.on('GET', '/channels/:channel', true, (r) => ok(this.channel(r)));
    // Threads and forum channels (type 15/16), as create_thread / update_channel / delete_channel document them.
    this.on('POST', '/channels/:channel/threads', true, (r) => this.createThread(r));
    this.on('PATCH', '/channels/:channel', true, (r) => this.updateChannel(r));
    this.on('DELETE', '/channels/:channel', true, (r) => this.deleteChannel(r));
    this.on('POST', '/channels/:channel/typing', true, (r) => {
      this.channel(r);
      return noContent();
    });
    this.on('GET', '/channels/:channel/messages', true, (r) => {
      this.channel(r);
      const limit = Math.min(100, Number(r.query.get('limit') ?? 50));
      const list = store
        .messagesIn(r.params.channel ?? '')
        .filter((msg) => (msg.flags & MessageFlags.Ephemeral) === 0)
        .reverse();
      return ok(list.slice(0, limit));
    });
    this.on('POST', '/channels/:channel/messages', true, (r) => {
      const ch = this.channel(r);
      this.validateMessage(r, true);
      const msg = store.createMessage(ch.id, r.body, r.files);
      return ok(msg);
    });
    this.on('GET', '/channels/:channel/messages/:message', true, (r) => ok(this.channelMessage(r)));
    this.on('PATCH', '/channels/:channel/messages/:message', true, (r) => {
      const msg = this.channelMessage(r);
      if (msg.author.id !== ctx.botUser.id) throw E.otherAuthor();
      this.validateMessage(r, false);
      return ok(store.editMessage(msg, r.body, r.files));
    });
    this.on('DELETE', '/channels/:channel/messages/:message', true, (r) => {
      const msg = this.channelMessage(r);
      store.deleteMessage(msg.channel_id, msg.id);
      return noContent();
    });

    // Application commands
    for (const guild of [false, true]) {
      const base = guild ? '/applications/:app/guilds/:guild/commands' : '/applications/:app/commands';
      const pool = (r: Req): Json[] => {
        if (r.params.app !== ctx.applicationId) throw new HttpError(403, { message: 'Missing Access', code: 50001 });
        if (guild && !ctx.guilds.some((g) => g.id === r.params.guild)) throw new HttpError(403, { message: 'Missing Access', code: 50001 });
        const map = guild ? store.guildCommands : store.globalCommands;
        const key = guild ? (r.params.guild ?? '') : ctx.applicationId;
        let list = map.get(key);
        if (!list) {
          list = [];
          map.set(key, list);
        }
        return list;
      };
      this.on('GET', base, true, (r) => ok(pool(r)));
      this.on('PUT', base, true, (r) => {
        const list = pool(r);
        if (!Array.isArray(r.rawBody)) throw E.invalidForm({ _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }] });
        const input = r.rawBody as Json[];
        const errors: Json = {};
        input.forEach((c, i) => {
          const e = validateCommand(c);
          if (e) errors[String(i)] = e;
        });
        if (Object.keys(errors).length) throw E.invalidForm(errors);
        const next = input.map((c) => this.commandObject(c, list, guild ? r.params.guild : undefined));
        list.splice(0, list.length, ...next);
        store.changed();
        return ok(next);
      });
      this.on('POST', base, true, (r) => {
        const list = pool(r);
        const e = validateCommand(r.body);
        if (e) throw E.invalidForm(e);
        const cmd = this.commandObject(r.body, list, guild ? r.params.guild : undefined);
        const idx = list.findIndex((c) => c.id === cmd.id);
        if (idx >= 0) list[idx] = cmd;
        else list.push(cmd);
        store.changed();
        return ok(cmd, idx >= 0 ? 200 : 201);
      });
      this.on('DELETE', `${base}/:command`, true, (r) => {
        const list = pool(r);
        const idx = list.findIndex((c) => c.id === r.params.command);
        if (idx < 0) throw new HttpError(404, { message: 'Unknown application command', code: 10063 });
        list.splice(idx, 1);
        return noContent();
      });
    }

    // Interactions
    this.on('POST', '/interactions/:id/:token/callback', false, (r) => this.callback(r));

    // Webhooks (interaction tokens)
    this.on('GET', '/webhooks/:app/:token', false, (r) => {
      const rec = this.webhook(r);
      return ok({ id: rec.applicationId, type: 3, application_id: rec.applicationId, name: ctx.botUser.username, avatar: null, channel_id: null, guild_id: null });
    });
    this.on('POST', '/webhooks/:app/:token', false, (r) => this.followup(r));
    for (const which of ['@original', ':message']) {
      const t = `/webhooks/:app/:token/messages/${which}`;
      this.on('GET', t, false, (r) => ok(this.webhookMessage(r)));
      this.on('PATCH', t, false, (r) => {
        const msg = this.webhookMessage(r);
        this.validateMessage(r, false);
        return ok(store.editMessage(msg, r.body, r.files));
      });
      this.on('DELETE', t, false, (r) => {
        const msg = this.webhookMessage(r);
        store.deleteMessage(msg.channel_id, msg.id);
        return noContent();
      });
    }
  }

  private channel(r: Req) {
    const ch = this.ctx.store.channels.get(r.params.channel ?? '');
    if (!ch) throw E.unknownChannel();
    return ch;
  }

  // ---------------------------------------------------------------- threads and forums

  private guildOf(ch: FakeChannel): FakeGuild | undefined {
    return this.ctx.guilds.find((g) => g.id === ch.guild_id);
  }

  /** Checks `applied_tags` against the forum's `available_tags` (at most 5, each one of the forum's). */
  private checkAppliedTags(forum: FakeChannel, tags: unknown): string[] {
    if (tags === undefined || tags === null) return [];
    const available = new Set(((forum.available_tags as Json[] | undefined) ?? []).map((t) => String(t.id)));
    if (!Array.isArray(tags) || tags.length > 5) throw E.invalidForm({ applied_tags: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.') });
    const ids = tags.map(String);
    const bad = ids.findIndex((id) => !available.has(id));
    if (bad >= 0) throw E.invalidForm({ applied_tags: { [String(bad)]: fieldError('INVALID_TAG', 'Tag does not exist in this channel.') } });
    return [...new Set(ids)];
  }

  private threadName(r: Req): string {
    const name = typeof r.body.name === 'string' ? r.body.name : '';
    if (name.length < 1 || name.length > 100) throw E.invalidForm({ name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') });
    return name;
  }

  private createThread(r: Req): Reply {
    const { store, botUser } = this.ctx;
    const parent = this.channel(r);
    const forum = parent.type === 15 || parent.type === 16;
    if (!forum && parent.type !== 0 && parent.type !== 5) throw E.wrongChannelType();
    const name = this.threadName(r);
    const now = new Date().toISOString();
    const id = snowflake();
    const thread: FakeChannel = {
      id,
      type: forum ? 11 : Number(r.body.type ?? 12) === 11 ? 11 : 12,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      name,
      owner_id: botUser.id,
      last_message_id: null,
      rate_limit_per_user: Number(r.body.rate_limit_per_user ?? 0),
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: Number(r.body.auto_archive_duration ?? parent.default_auto_archive_duration ?? 4320),
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      member: { id, user_id: botUser.id, join_timestamp: now, flags: 0 },
    };
    let message: FakeMessage | undefined;
    if (forum) {
      const m = r.body.message;
      if (!m || typeof m !== 'object') throw E.invalidForm({ message: fieldError('BASE_TYPE_REQUIRED', 'This field is required') });
      thread.applied_tags = this.checkAppliedTags(parent, r.body.applied_tags);
      if ((Number(parent.flags ?? 0) & (1 << 4)) !== 0 && (thread.applied_tags as string[]).length === 0) throw E.tagRequired();
      const body = m as Json;
      if (typeof body.content === 'string' && body.content.length > 4000) {
        throw E.invalidForm({ message: { content: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 4000 or fewer in length.') } });
      }
      this.validateMessage({ ...r, body }, true);
      store.addChannel(thread);
      // A forum post's first message has the post's (thread's) id.
      message = store.createMessage(id, body, r.files, { id });
      thread.message_count = 1;
      thread.total_message_sent = 1;
    } else {
      store.addChannel(thread);
    }
    store.changed();
    this.ctx.dispatch?.('THREAD_CREATE', { ...thread, newly_created: true });
    return ok(message ? { ...thread, message } : thread, 201);
  }

  private updateChannel(r: Req): Reply {
    const ch = this.channel(r);
    const b = r.body;
    const isThread = ch.type === 10 || ch.type === 11 || ch.type === 12;
    if ('name' in b) ch.name = this.threadName(r);
    if (isThread) {
      for (const k of ['archived', 'locked'] as const) {
        if (typeof b[k] === 'boolean') (ch.thread_metadata as Json)[k] = b[k];
      }
      if ('applied_tags' in b) {
        const parent = this.ctx.store.channels.get(String(ch.parent_id));
        if (!parent || (parent.type !== 15 && parent.type !== 16)) throw E.wrongChannelType();
        ch.applied_tags = this.checkAppliedTags(parent, b.applied_tags);
      }
    } else {
      if ('topic' in b) ch.topic = b.topic ?? null;
      if ('available_tags' in b) {
        if (ch.type !== 15 && ch.type !== 16) throw E.wrongChannelType();
        const input = b.available_tags;
        if (!Array.isArray(input) || input.length > 20) {
          throw E.invalidForm({ available_tags: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 20 or fewer in length.') });
        }
        const existing = new Map(((ch.available_tags as Json[] | undefined) ?? []).map((t) => [String(t.id), t]));
        const errors: Json = {};
        const tags = (input as Json[]).map((t, i) => {
          const tagName = typeof t.name === 'string' ? t.name : '';
          if (tagName.length < 1 || tagName.length > 50) errors[String(i)] = { name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 50 in length.') };
          const keep = t.id != null ? existing.get(String(t.id)) : undefined;
          return {
            id: keep ? String(keep.id) : snowflake(),
            name: tagName,
            moderated: t.moderated === true,
            emoji_id: t.emoji_id ?? null,
            emoji_name: t.emoji_name ?? null,
          };
        });
        if (Object.keys(errors).length) throw E.invalidForm({ available_tags: errors });
        ch.available_tags = tags;
      }
    }
    // The guild's copy (sent again in GUILD_CREATE after a reconnect) follows the change.
    const inGuild = this.guildOf(ch)?.channels.find((c) => c.id === ch.id);
    if (inGuild) Object.assign(inGuild, ch, { guild_id: undefined });
    this.ctx.store.changed();
    this.ctx.dispatch?.(isThread ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', ch);
    return ok(ch);
  }

  private deleteChannel(r: Req): Reply {
    const ch = this.channel(r);
    this.ctx.store.removeChannel(ch.id);
    const g = this.guildOf(ch);
    if (g) g.channels = g.channels.filter((c) => c.id !== ch.id);
    const isThread = ch.type === 10 || ch.type === 11 || ch.type === 12;
    this.ctx.dispatch?.(
      isThread ? 'THREAD_DELETE' : 'CHANNEL_DELETE',
      isThread ? { id: ch.id, guild_id: ch.guild_id, parent_id: ch.parent_id, type: ch.type } : ch,
    );
    return ok(ch);
  }

  private channelMessage(r: Req): FakeMessage {
    this.channel(r);
    const msg = this.ctx.store.getMessage(r.params.channel ?? '', r.params.message ?? '');
    // Ephemeral messages can't be reached through channel routes.
    if (!msg || (msg.flags & MessageFlags.Ephemeral) !== 0) throw E.unknownMessage();
    return msg;
  }

  private validateMessage(r: Req, requireContent: boolean): void {
    const b = r.body;
    const errors: Json = {};
    if (typeof b.content === 'string' && b.content.length > 2000) errors.content = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    if (Array.isArray(b.embeds) && b.embeds.length > 10) errors.embeds = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    if (Array.isArray(b.components) && b.components.length > 40) errors.components = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 40 or fewer in length.');
    if (r.files.length > 10) errors.files = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    if (Object.keys(errors).length) throw E.invalidForm(errors);
    const total = r.files.reduce((s, f) => s + f.size, 0);
    if (total > this.ctx.maxUploadBytes) throw E.tooLarge();
    if (requireContent) {
      const has =
        (typeof b.content === 'string' && b.content.length > 0) ||
        (Array.isArray(b.embeds) && b.embeds.length > 0) ||
        (Array.isArray(b.components) && b.components.length > 0) ||
        (Array.isArray(b.sticker_ids) && b.sticker_ids.length > 0) ||
        b.poll != null ||
        r.files.length > 0;
      if (!has) throw E.emptyMessage();
    }
  }

  private commandObject(c: Json, existing: Json[], guildId: string | undefined): Json {
    const type = Number(c.type ?? 1);
    const prev = existing.find((e) => e.name === c.name && Number(e.type ?? 1) === type);
    const cmd: Json = {
      id: prev?.id ?? snowflake(),
      application_id: this.ctx.applicationId,
      version: snowflake(),
      default_member_permissions: c.default_member_permissions ?? null,
      type,
      name: c.name,
      name_localizations: c.name_localizations ?? null,
      description: c.description ?? '',
      description_localizations: c.description_localizations ?? null,
      dm_permission: c.dm_permission ?? true,
      contexts: c.contexts ?? null,
      integration_types: c.integration_types ?? [0],
      nsfw: c.nsfw ?? false,
    };
    if (Array.isArray(c.options)) cmd.options = c.options;
    if (guildId) cmd.guild_id = guildId;
    return cmd;
  }

  // ---------------------------------------------------------------- interactions

  private interactionMetadata(rec: InteractionRecord): { interaction_metadata: Json; interaction: Json } {
    const p = rec.payload;
    const user = (p.user ?? (p.member as Json | undefined)?.user) as Json;
    const data = (p.data ?? {}) as Json;
    const meta: Json = { id: rec.id, type: rec.type, user, authorizing_integration_owners: p.authorizing_integration_owners ?? {} };
    if (rec.type === 2) {
      meta.name = data.name;
      meta.command_type = data.type ?? 1;
    }
    if (rec.type === 3) meta.interacted_message_id = (p.message as Json | undefined)?.id;
    return { interaction_metadata: meta, interaction: { id: rec.id, type: rec.type, name: data.name ?? data.custom_id ?? '', user } };
  }

  private ensureChannel(rec: InteractionRecord): void {
    if (this.ctx.store.channels.has(rec.channelId)) return;
    const ch = (rec.payload.channel ?? { id: rec.channelId, type: 0 }) as Json;
    this.ctx.store.addChannel({ ...ch, id: rec.channelId, type: Number(ch.type ?? 0) });
  }

  /** The message a component interaction is attached to, put in the store if it isn't yet. */
  private componentMessage(rec: InteractionRecord): FakeMessage {
    const pm = rec.payload.message as FakeMessage | undefined;
    if (!pm) throw E.invalidForm({ type: fieldError('INTERACTION_TYPE_INVALID', 'Interaction has no message') });
    const stored = this.ctx.store.findMessage(pm.id);
    if (stored) return stored;
    if (this.ctx.store.deleted.has(pm.id)) throw E.unknownMessage();
    const msg = this.ctx.store.createMessage(rec.channelId, pm as unknown as Json, [], { ...pm, channel_id: rec.channelId });
    return msg;
  }

  private callback(r: Req): Reply {
    const { store } = this.ctx;
    const rec = store.interactions.get(r.params.id ?? '');
    if (!rec || rec.token !== r.params.token) throw E.unknownInteraction();
    if (rec.ackType !== null) throw E.alreadyAcked();
    if (this.ctx.ackDeadlineMs !== null && Date.now() - rec.sentAt > this.ctx.ackDeadlineMs) throw E.unknownInteraction();
    const type = Number(r.body.type);
    const data = (r.body.data && typeof r.body.data === 'object' ? r.body.data : {}) as Json;
    const allowed = rec.type === 3 ? [4, 5, 6, 7, 9] : rec.type === 4 ? [8] : rec.type === 5 ? [4, 5, 6, 7] : [4, 5, 9];
    if (!allowed.includes(type)) throw E.invalidForm({ type: fieldError('INTERACTION_RESPONSE_TYPE_INVALID', 'Value must be one of valid interaction response types for this interaction.') });
    this.ensureChannel(rec);
    let message: FakeMessage | null = null;
    const ephemeral = (Number(data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const msgType = rec.type === 2 ? 20 : 19;
    const extra: Partial<FakeMessage> = { type: msgType, webhook_id: rec.applicationId, application_id: rec.applicationId, ...this.interactionMetadata(rec) };
    if (type === 4) {
      this.validateMessage({ ...r, body: data }, true);
      message = store.createMessage(rec.channelId, data, r.files, extra);
    } else if (type === 5) {
      message = store.createMessage(rec.channelId, { content: '', flags: data.flags ?? 0 }, [], { ...extra, flags: MessageFlags.Loading });
    } else if (type === 6) {
      message = this.componentMessage(rec);
    } else if (type === 7) {
      this.validateMessage({ ...r, body: data }, false);
      message = store.editMessage(this.componentMessage(rec), data, r.files);
    }
    const now = performance.now();
    rec.ackType = type;
    rec.ackedAt = Date.now();
    rec.ackLatencyMs = now - rec.sentAtHr;
    rec.ackBody = r.rawBody;
    if (message) rec.originalMessageId = message.id;
    store.changed();
    if (r.query.get('with_response') !== 'true') return noContent();
    const interaction: Json = { id: rec.id, type: rec.type };
    if (message) {
      interaction.response_message_id = message.id;
      interaction.response_message_loading = type === 5;
      interaction.response_message_ephemeral = (message.flags & MessageFlags.Ephemeral) !== 0 || ephemeral;
    }
    // As Discord's spec says: `resource` only for the callbacks that send or update a message
    // (4, 7); a deferred reply (5) gets its id in interaction.response_message_id alone.
    if ((type === 4 || type === 7) && message) return ok({ interaction, resource: { type, message } });
    return ok({ interaction });
  }

  private webhook(r: Req): InteractionRecord {
    const rec = this.ctx.store.interactionsByToken.get(r.params.token ?? '');
    if (!rec) throw E.invalidWebhookToken();
    if (r.params.app !== rec.applicationId) throw E.unknownWebhook();
    if (Date.now() - rec.sentAt > this.ctx.tokenTtlMs) throw E.invalidWebhookToken();
    return rec;
  }

  private webhookMessage(r: Req): FakeMessage {
    const rec = this.webhook(r);
    const id = r.params.message ?? '@original';
    if (id === '@original') {
      if (rec.ackType === null) throw E.unknownWebhook();
      if (rec.originalMessageId === null) {
        if (rec.type === 3) rec.originalMessageId = this.componentMessage(rec).id;
        else throw E.unknownMessage();
      }
      const msg = this.ctx.store.findMessage(rec.originalMessageId);
      if (!msg) throw E.unknownMessage();
      return msg;
    }
    if (!/^\d+$/.test(id)) throw E.invalidForm({ message_id: fieldError('NUMBER_TYPE_COERCE', `Value "${id}" is not snowflake.`) });
    const msg = this.ctx.store.findMessage(id);
    const ours = id === rec.originalMessageId || rec.followupIds.includes(id);
    if (!msg || !ours) throw E.unknownMessage();
    return msg;
  }

  private followup(r: Req): Reply {
    const { store } = this.ctx;
    const rec = this.webhook(r);
    if (rec.ackType === null) throw E.unknownWebhook();
    this.validateMessage(r, true);
    // As on Discord: the first follow-up after a deferred reply replaces the "thinking" message.
    const original = rec.originalMessageId ? store.findMessage(rec.originalMessageId) : undefined;
    let msg: FakeMessage;
    if (rec.ackType === 5 && original && (original.flags & MessageFlags.Loading) !== 0) {
      msg = store.editMessage(original, r.body, r.files);
    } else {
      this.ensureChannel(rec);
      msg = store.createMessage(rec.channelId, r.body, r.files, {
        type: rec.type === 2 ? 20 : 19,
        webhook_id: rec.applicationId,
        application_id: rec.applicationId,
        ...this.interactionMetadata(rec),
      });
      rec.followupIds.push(msg.id);
      store.changed();
    }
    if (r.query.get('wait') === 'false') return noContent();
    return ok(msg);
  }
}

function validateCommand(c: Json): Json | null {
  const errors: Json = {};
  const type = Number(c.type ?? 1);
  const name = typeof c.name === 'string' ? c.name : '';
  // USER and MESSAGE commands (types 2, 3) may have capitals and spaces, and take no description or options.
  const namePattern = type === 1 ? /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u : /^[-_' \p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
  if (!namePattern.test(name) || name.trim() !== name || (type === 1 && name !== name.toLowerCase())) {
    errors.name = fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
  if ((type === 2 || type === 3) && ((typeof c.description === 'string' && c.description !== '') || (Array.isArray(c.options) && c.options.length > 0))) {
    errors.description = fieldError('APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS', 'Context menu commands cannot have a description or options');
  }
  if (type === 1) {
    const d = typeof c.description === 'string' ? c.description : '';
    if (d.length < 1 || d.length > 100) errors.description = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
  const checkOptions = (opts: unknown, path: Json) => {
    if (!Array.isArray(opts)) return;
    if (opts.length > 25) path._errors = [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }];
    opts.forEach((o: Json, i) => {
      const e: Json = {};
      if (Array.isArray(o.choices) && o.choices.length > 25) e.choices = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      const oname = typeof o.name === 'string' ? o.name : '';
      if (!/^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(oname)) e.name = fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      const sub: Json = {};
      checkOptions(o.options, sub);
      if (Object.keys(sub).length) e.options = sub;
      if (Object.keys(e).length) path[String(i)] = e;
    });
  };
  const optErrors: Json = {};
  checkOptions(c.options, optErrors);
  if (Object.keys(optErrors).length) errors.options = optErrors;
  return Object.keys(errors).length ? errors : null;
}
