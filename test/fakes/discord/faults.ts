/** Composable REST faults: each rule matches requests and may delay and/or answer an error. */

export interface FaultMatch {
  /** HTTP method(s), case-insensitive. */
  method?: string | string[];
  /** Route template (e.g. `/channels/:channel/messages/:message`) or a RegExp tested on it. */
  route?: string | RegExp;
  /** RegExp or substring tested on the actual path. */
  path?: string | RegExp;
  /** Only for this webhook/interaction token (`:token` param). */
  token?: string;
  /** Only for this channel (`:channel` param). */
  channelId?: string;
  /** Only for this message (`:message` param). */
  messageId?: string;
}

export interface FaultRule extends FaultMatch {
  /** Shown in the request log. */
  name?: string;
  /** Let the first N matching requests through untouched. */
  afterCalls?: number;
  /** Only active T ms after the rule was added. */
  afterMs?: number;
  /** Fire at most N times (default: unlimited). */
  times?: number;
  /** Delay the answer by this many ms (composes with other rules). */
  delayMs?: number;
  /** Hold the request (before it is handled) until this settles: the test decides when it goes on. */
  until?: Promise<unknown>;
  /** Answer this status instead of the real handler. */
  status?: number;
  /**
   * Answer (the error `status`) before reading the request body, then close the connection, as a
   * rate limiter or proxy in front of the API may: the client's upload is cut off mid-way.
   */
  beforeBody?: boolean;
  /** JSON body of the error answer. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** How many requests it fired on. */
  readonly fired: number;
  /** How many requests matched (fired or not). */
  readonly matched: number;
  remove(): void;
}

export interface FaultRequestInfo {
  method: string;
  route: string | null;
  path: string;
  params: Record<string, string>;
}

export interface FaultDecision {
  delayMs: number;
  holds: Promise<unknown>[];
  error: { status: number; body: unknown; headers: Record<string, string>; beforeBody: boolean } | null;
  names: string[];
}

interface ActiveRule {
  rule: FaultRule;
  addedAt: number;
  matched: number;
  fired: number;
}

type Scope = Omit<FaultMatch, never> & { times?: number; afterCalls?: number; afterMs?: number; name?: string };

const WEBHOOK_ROUTE = /^\/webhooks\/:app\/:token/;

export class Faults {
  private rules: ActiveRule[] = [];

  /** Adds a raw rule. */
  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, addedAt: Date.now(), matched: 0, fired: 0 };
    this.rules.push(active);
    return {
      rule,
      get fired() {
        return active.fired;
      },
      get matched() {
        return active.matched;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The interaction token stops working on webhook routes (401 50027 Invalid Webhook Token, or 404 10015 Unknown Webhook)
   * after `afterCalls` webhook calls or `afterMs` ms (both default 0 = immediately).
   */
  expireWebhookToken(token: string, opts: { afterCalls?: number; afterMs?: number; as?: 401 | 404 } = {}): FaultHandle {
    const unknown = opts.as === 404;
    return this.add({
      name: 'webhook-token-expired',
      route: WEBHOOK_ROUTE,
      token,
      afterCalls: opts.afterCalls,
      afterMs: opts.afterMs,
      status: unknown ? 404 : 401,
      body: unknown ? { message: 'Unknown Webhook', code: 10015 } : { message: 'Invalid Webhook Token', code: 50027 },
    });
  }

  /** 403 50001 Missing Access. */
  missingAccess(scope: Scope = {}): FaultHandle {
    return this.add({ name: 'missing-access', ...scope, status: 403, body: { message: 'Missing Access', code: 50001 } });
  }

  /** 403 50013 Missing Permissions. */
  missingPermissions(scope: Scope = {}): FaultHandle {
    return this.add({ name: 'missing-permissions', ...scope, status: 403, body: { message: 'Missing Permissions', code: 50013 } });
  }

  /** 404 10003 Unknown Channel. */
  unknownChannel(scope: Scope = {}): FaultHandle {
    return this.add({ name: 'unknown-channel', ...scope, status: 404, body: { message: 'Unknown Channel', code: 10003 } });
  }

  /** 404 10008 Unknown Message. */
  unknownMessage(scope: Scope = {}): FaultHandle {
    return this.add({ name: 'unknown-message', ...scope, status: 404, body: { message: 'Unknown Message', code: 10008 } });
  }

  /** 429 with `retry-after` (seconds) and Discord's JSON, `times` times (default 1). */
  rateLimit(scope: Scope & { retryAfterSec?: number; global?: boolean } = {}): FaultHandle {
    const retryAfter = scope.retryAfterSec ?? 0.05;
    const global = scope.global ?? false;
    const headers: Record<string, string> = {
      'retry-after': String(retryAfter),
      'x-ratelimit-scope': global ? 'global' : 'user',
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(retryAfter),
      'x-ratelimit-bucket': 'fakebucket0000000000000000000000',
    };
    if (global) headers['x-ratelimit-global'] = 'true';
    const { retryAfterSec: _r, global: _g, ...rest } = scope;
    return this.add({
      name: 'rate-limit',
      times: 1,
      ...rest,
      status: 429,
      headers,
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global, code: 0 },
    });
  }

  /** 5xx (default 500) `times` times (default 1). */
  serverError(scope: Scope & { status?: number } = {}): FaultHandle {
    const status = scope.status ?? 500;
    return this.add({ name: 'server-error', times: 1, ...scope, status, body: { message: `${status}: Internal Server Error`, code: 0 } });
  }

  /** Slow answers. */
  delay(ms: number, scope: Scope = {}): FaultHandle {
    return this.add({ name: 'delay', ...scope, delayMs: ms });
  }

  /**
   * Evaluates the rules for one request (mutates counters): those that answer before the body is
   * read (`beforeBody`) when `stage` is 'headers', the others once it has been read.
   */
  decide(req: FaultRequestInfo, stage: 'headers' | 'body' = 'body'): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, holds: [], error: null, names: [] };
    const now = Date.now();
    for (const active of this.rules) {
      const r = active.rule;
      if ((r.beforeBody === true) !== (stage === 'headers')) continue;
      if (!matches(r, req)) continue;
      active.matched++;
      if (r.afterCalls !== undefined && active.matched <= r.afterCalls) continue;
      if (r.afterMs !== undefined && now - active.addedAt < r.afterMs) continue;
      if (r.times !== undefined && active.fired >= r.times) continue;
      if (r.status !== undefined && decision.error) continue; // first error wins; don't consume others
      active.fired++;
      decision.names.push(r.name ?? 'fault');
      if (r.delayMs) decision.delayMs += r.delayMs;
      if (r.until) decision.holds.push(r.until);
      if (r.status !== undefined) {
        decision.error = { status: r.status, body: r.body ?? { message: `${r.status}: fault`, code: 0 }, headers: r.headers ?? {}, beforeBody: r.beforeBody === true };
      }
    }
    return decision;
  }
}

function matches(r: FaultMatch, req: FaultRequestInfo): boolean {
  if (r.method !== undefined) {
    const ms = (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase());
    if (!ms.includes(req.method)) return false;
  }
  if (r.route !== undefined) {
    if (req.route === null) return false;
    if (typeof r.route === 'string' ? r.route !== req.route : !r.route.test(req.route)) return false;
  }
  if (r.path !== undefined && (typeof r.path === 'string' ? !req.path.includes(r.path) : !r.path.test(req.path))) return false;
  if (r.token !== undefined && req.params.token !== r.token) return false;
  if (r.channelId !== undefined && req.params.channel !== r.channelId) return false;
  if (r.messageId !== undefined && req.params.message !== r.messageId) return false;
  return true;
}
