import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { RateBudget } from './rate-budget.js';
import type { Quality } from '../domain/quality.js';
import {
  UpstreamError,
  kindForStatus,
  looksLikeNoBalance,
  parseRetryAfter,
  sanitizeUpstreamText,
  type UpstreamErrorKind,
  type UpstreamOperation,
} from './errors.js';
import {
  envelopeSchema,
  envelopeText,
  parseErrorBody,
  payloadErrorSchema,
  subscriptionSchema,
  taskPayloadSchema,
  usageSchema,
  type TaskPayload,
  type TaskStatus,
} from './schemas.js';

export const SUBMIT_MODEL = 'Tripo-P1.0';
export const GET_MODEL = 'Tripo-P1.0-get';

export interface SubmitResult {
  taskId: string;
  status: TaskStatus;
  /** `usage.total_tokens` of the submit: what the account was billed. */
  totalTokens: number | null;
  requestId: string | null;
}

export interface TaskInfo {
  taskId: string;
  status: TaskStatus;
  /** As sent by the provider: `YYYY-MM-DD HH:mm:ss.SSS`, China time (UTC+8), no zone. */
  submitTime?: string;
  endTime?: string;
  /** GLB. Always set when status is SUCCEEDED. */
  modelUrl?: string;
  /** WebP preview. */
  previewUrl?: string;
  /** When the signed result URLs stop working (ms since epoch), from their `auth_key`; min of the two. */
  expiresAt?: number;
  /** Set on FAILED. */
  code?: string;
  message?: string;
}

export interface Balance {
  totalUsd: number | null;
  usedUsd: number | null;
  remainingUsd: number | null;
}

export interface DmxapiClientOptions {
  /** e.g. `https://www.dmxapi.cn` (no trailing slash needed). */
  baseUrl: string;
  key: string;
  /** Whole-call timeout (connect + headers + body), per attempt. */
  timeoutMs: number;
  budget: RateBudget;
  logger?: Logger;
  /** Retries of getTask on transient errors. Default 3. */
  getRetries?: number;
  /** Backoff: full jitter over min(cap, base * 2^attempt). Defaults 250 ms and 5 s. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A Retry-After longer than this is not waited for: the error is surfaced. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Connect timeout. Default min(timeoutMs, 10 s). */
  connectTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Wall clock in ms, for timings and Retry-After dates. */
  now?: () => number;
  /** Replaces the client's own Agent (it is then not closed by close()). */
  dispatcher?: Dispatcher;
}

const MAX_BODY_BYTES = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Network error codes that prove the request never left (nothing can have been received). */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reads `<unix>` out of `auth_key=<unix>-<rand>-<uid>-<hash>`. */
export function authKeyExpiry(url: string | undefined): number | undefined {
  if (!url) return undefined;
  let authKey: string | null;
  try {
    authKey = new URL(url).searchParams.get('auth_key');
  } catch {
    return undefined;
  }
  const m = authKey ? /^(\d{9,12})-/.exec(authKey) : null;
  return m ? Number(m[1]) * 1000 : undefined;
}

function isHttpUrl(u: string): boolean {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}

/** Client of the DMXAPI Tripo-P1.0 image-to-3D API. Knows nothing of Discord or storage. */
export class DmxapiClient {
  private readonly baseUrl: string;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly budget: RateBudget;
  private readonly logger: Logger | undefined;
  private readonly getRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closed = false;

  constructor(opts: DmxapiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.key = opts.key;
    this.timeoutMs = opts.timeoutMs;
    this.budget = opts.budget;
    this.logger = opts.logger;
    this.getRetries = Math.max(0, opts.getRetries ?? 3);
    this.backoffBaseMs = opts.backoffBaseMs ?? 250;
    this.backoffCapMs = opts.backoffCapMs ?? 5000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Agent({
        connections: 16,
        // Short, so that a socket the server is about to drop is not reused for a (never retried) submit.
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 30_000,
        connect: { timeout: opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000) },
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      this.ownsDispatcher = true;
    }
  }

  /**
   * Submits an image. Never retried, whatever the error: a second submit is billed again.
   * Check `UpstreamError.mayHaveReachedServer` to know whether a task may exist anyway.
   */
  async submit(imageUrl: string, quality: Quality = 'standard'): Promise<SubmitResult> {
    const body = { model: SUBMIT_MODEL, input: { image: imageUrl }, parameters: { texture_quality: quality } };
    const res = await this.post('submit', body);
    const { payload, requestId, totalTokens } = this.parseEnvelope('submit', res, true);
    if (!payload.task_id) throw this.malformed('submit', res.status, 'no task_id in the answer', requestId);
    this.logger?.debug(
      { op: 'submit', taskId: payload.task_id, status: payload.task_status, ms: res.ms, totalTokens, quality },
      'dmxapi submit',
    );
    return { taskId: payload.task_id, status: payload.task_status, totalTokens, requestId };
  }

  /** Reads a task. Transient failures are retried with backoff; each attempt takes from the rate budget. */
  async getTask(taskId: string): Promise<TaskInfo> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getTaskOnce(taskId);
      } catch (err) {
        if (!(err instanceof UpstreamError) || !err.transient || attempt >= this.getRetries || this.closed) throw err;
        let delay = this.random() * Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** attempt);
        if (err.retryAfterMs !== undefined) {
          if (err.retryAfterMs > this.maxRetryAfterMs) throw err;
          delay = Math.max(delay, err.retryAfterMs);
        }
        this.logger?.debug(
          { op: 'get', taskId, attempt: attempt + 1, kind: err.kind, httpStatus: err.status, delayMs: Math.round(delay) },
          'dmxapi get retry',
        );
        await this.sleep(delay);
      }
    }
  }

  /**
   * Balance through the OpenAI-style dashboard endpoints that new-api gateways answer.
   * Null when they are absent or unusable; never throws.
   */
  async getBalance(): Promise<Balance | null> {
    const sub = await this.getJson('/v1/dashboard/billing/subscription');
    const usage = await this.getJson('/v1/dashboard/billing/usage');
    const subParsed = sub === undefined ? undefined : subscriptionSchema.safeParse(sub);
    const usageParsed = usage === undefined ? undefined : usageSchema.safeParse(usage);
    const totalUsd = subParsed?.success ? (subParsed.data.hard_limit_usd ?? null) : null;
    const usedCents = usageParsed?.success ? (usageParsed.data.total_usage ?? null) : null;
    const usedUsd = usedCents === null ? null : usedCents / 100;
    if (totalUsd === null && usedUsd === null) return null;
    const remainingUsd = totalUsd !== null && usedUsd !== null ? Math.round((totalUsd - usedUsd) * 1e6) / 1e6 : null;
    return { totalUsd, usedUsd, remainingUsd };
  }

  /** Closes the connection pool. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  // ---------------------------------------------------------------------------

  private async getTaskOnce(taskId: string): Promise<TaskInfo> {
    const res = await this.post('get', { model: GET_MODEL, input: taskId });
    const { payload, requestId } = this.parseEnvelope('get', res, false);
    if (payload.task_id && payload.task_id !== taskId) {
      throw this.malformed('get', res.status, 'answer is about another task', requestId);
    }
    const info = this.toTaskInfo(taskId, payload);
    if (info.status === 'SUCCEEDED' && !info.modelUrl) {
      throw this.malformed('get', res.status, 'SUCCEEDED without a model URL', requestId);
    }
    this.logger?.debug({ op: 'get', taskId, status: info.status, ms: res.ms }, 'dmxapi get');
    return info;
  }

  private toTaskInfo(taskId: string, p: TaskPayload): TaskInfo {
    const info: TaskInfo = { taskId, status: p.task_status };
    if (p.submit_time) info.submitTime = p.submit_time;
    if (p.end_time) info.endTime = p.end_time;
    const first = p.results?.find((r) => r.pbr_model_url || r.rendered_image_url);
    if (first?.pbr_model_url && isHttpUrl(first.pbr_model_url)) info.modelUrl = first.pbr_model_url;
    if (first?.rendered_image_url && isHttpUrl(first.rendered_image_url)) info.previewUrl = first.rendered_image_url;
    const expiries = [authKeyExpiry(info.modelUrl), authKeyExpiry(info.previewUrl)].filter(
      (v): v is number => v !== undefined,
    );
    if (expiries.length > 0) info.expiresAt = Math.min(...expiries);
    if (p.code) info.code = sanitizeUpstreamText(p.code, [this.key], 100);
    if (p.message) info.message = sanitizeUpstreamText(p.message, [this.key]);
    return info;
  }

  private parseEnvelope(
    op: UpstreamOperation,
    res: RawResponse,
    requireTaskId: boolean,
  ): { payload: TaskPayload; requestId: string | null; totalTokens: number | null } {
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw this.malformed(op, res.status, `body is not JSON: ${this.clean(res.text)}`);
    }
    const env = envelopeSchema.safeParse(json);
    if (!env.success) {
      const errBody = parseErrorBody(res.text);
      if (errBody?.message) {
        const kind: UpstreamErrorKind = looksLikeNoBalance(errBody.message) ? 'no_balance' : 'malformed';
        throw new UpstreamError({
          kind,
          operation: op,
          status: res.status,
          detail: this.clean(errBody.message),
          mayHaveReachedServer: kind === 'malformed',
          ...(errBody.code ? { upstreamCode: this.clean(errBody.code) } : {}),
        });
      }
      throw this.malformed(op, res.status, 'not a responses envelope');
    }
    const requestId = env.data.request_id ?? env.data.id ?? null;
    const totalTokens = env.data.usage?.total_tokens ?? null;
    const text = envelopeText(env.data);
    if (text === undefined) throw this.malformed(op, res.status, 'envelope has no output_text', requestId);
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      throw this.malformed(op, res.status, `output_text is not JSON: ${this.clean(text)}`, requestId);
    }
    const payload = taskPayloadSchema.safeParse(inner);
    if (!payload.success) {
      // An answer that carries {code, message} but no task: the provider refused the request.
      const asError =
        inner !== null && typeof inner === 'object' && !('task_status' in inner)
          ? payloadErrorSchema.safeParse(inner)
          : undefined;
      if (asError?.success && (asError.data.code || asError.data.message)) {
        const detail = [asError.data.code, asError.data.message].filter(Boolean).join(': ');
        throw new UpstreamError({
          kind: looksLikeNoBalance(detail) ? 'no_balance' : 'bad_request',
          operation: op,
          status: res.status,
          detail: this.clean(detail),
          mayHaveReachedServer: false,
          ...(asError.data.code ? { upstreamCode: this.clean(asError.data.code) } : {}),
          ...(requestId ? { requestId } : {}),
        });
      }
      const issue = payload.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'text'}: ${issue.message}` : 'invalid';
      throw this.malformed(op, res.status, `unexpected task JSON (${where})`, requestId);
    }
    if (requireTaskId && !payload.data.task_id) {
      throw this.malformed(op, res.status, 'no task_id in the answer', requestId);
    }
    return { payload: payload.data, requestId, totalTokens };
  }

  private malformed(op: UpstreamOperation, status: number, detail: string, requestId?: string | null): UpstreamError {
    return new UpstreamError({
      kind: 'malformed',
      operation: op,
      status,
      detail: this.clean(detail),
      mayHaveReachedServer: true,
      ...(requestId ? { requestId } : {}),
    });
  }

  private clean(text: string): string {
    return sanitizeUpstreamText(text, [this.key]);
  }

  private async post(op: UpstreamOperation, body: unknown): Promise<RawResponse> {
    const res = await this.send(op, 'POST', '/v1/responses', JSON.stringify(body));
    if (res.status >= 200 && res.status < 300) return res;
    throw this.httpError(op, res);
  }

  private httpError(op: UpstreamOperation, res: RawResponse): UpstreamError {
    const errBody = parseErrorBody(res.text);
    const rawMessage = errBody?.message ?? res.text;
    const kind = kindForStatus(res.status, `${rawMessage} ${errBody?.code ?? ''} ${errBody?.type ?? ''}`);
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.now());
    const detail = this.clean(rawMessage);
    return new UpstreamError({
      kind,
      operation: op,
      status: res.status,
      ...(detail ? { detail } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(errBody?.code ? { upstreamCode: this.clean(errBody.code) } : {}),
      mayHaveReachedServer: res.status >= 500 || kind === 'timeout',
    });
  }

  /** One HTTP exchange: takes a token from the budget, then sends. Transport failures become UpstreamErrors. */
  private async send(op: UpstreamOperation, method: 'GET' | 'POST', path: string, body?: string): Promise<RawResponse> {
    if (this.closed) {
      throw new UpstreamError({ kind: 'network', operation: op, detail: 'client closed', mayHaveReachedServer: false, transient: false });
    }
    await this.budget.take();
    const started = this.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let stage: 'sending' | 'reading' = 'sending';
    try {
      const res = await request(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.dispatcher,
        signal,
        headers: {
          authorization: this.key,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      stage = 'reading';
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > MAX_BODY_BYTES) {
          res.body.destroy();
          throw new UpstreamError({
            kind: 'malformed',
            operation: op,
            status: res.statusCode,
            detail: 'answer body too large',
            mayHaveReachedServer: true,
          });
        }
        chunks.push(buf);
      }
      return {
        status: res.statusCode,
        headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        ms: this.now() - started,
      };
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      throw this.transportError(op, err, signal.aborted, stage, this.now() - started);
    }
  }

  private transportError(
    op: UpstreamOperation,
    err: unknown,
    timedOut: boolean,
    stage: 'sending' | 'reading',
    ms: number,
  ): UpstreamError {
    const code = errorCode(err);
    const name = err instanceof Error ? err.name : '';
    let kind: UpstreamErrorKind;
    let reached: boolean;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      kind = 'timeout';
      reached = false;
    } else if (
      timedOut ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      name === 'TimeoutError'
    ) {
      kind = 'timeout';
      reached = true;
    } else if (code !== undefined && NOT_SENT_CODES.has(code)) {
      kind = 'network';
      reached = false;
    } else {
      // Reset, closed socket, anything else: the bytes may have gone out.
      kind = 'network';
      reached = true;
    }
    const what = code ?? name ?? 'error';
    const detail = kind === 'timeout' ? `no answer within ${this.timeoutMs} ms (${what}, while ${stage})` : `${what}: ${err instanceof Error ? err.message : String(err)}`;
    this.logger?.debug({ op, kind, code, ms }, 'dmxapi transport error');
    return new UpstreamError({ kind, operation: op, detail: this.clean(detail), mayHaveReachedServer: reached, cause: err });
  }

  private async getJson(path: string): Promise<unknown> {
    try {
      const res = await this.send('balance', 'GET', path);
      if (res.status < 200 || res.status >= 300) {
        this.logger?.debug({ op: 'balance', path, httpStatus: res.status }, 'dmxapi billing endpoint unavailable');
        return undefined;
      }
      return JSON.parse(res.text) as unknown;
    } catch (err) {
      this.logger?.debug({ op: 'balance', path, err: err instanceof Error ? err.message : String(err) }, 'dmxapi billing endpoint failed');
      return undefined;
    }
  }
}
