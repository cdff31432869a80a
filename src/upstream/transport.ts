import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { UpstreamBudget } from './rate-budget.js';
import { UpstreamError, kindForStatus, parseRetryAfter, sanitizeUpstreamText, type UpstreamErrorKind, type UpstreamOperation } from './errors.js';
import { parseErrorBody } from './schemas.js';
import * as metrics from '../metrics/index.js';

/** One answer as it came: status, headers, the body as text, and how long it took. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

export interface TransportOptions {
  baseUrl: string;
  key: string;
  /** Whole-call timeout (connect + headers + body), per attempt. */
  timeoutMs: number;
  budget: UpstreamBudget;
  logger?: Logger | undefined;
  /** Connect timeout. Default min(timeoutMs, 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Wall clock in ms, for timings and Retry-After dates. */
  now: () => number;
  /** Replaces the transport's own Agent (it is then not closed by close()). */
  dispatcher?: Dispatcher | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;

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

function httpError(op: UpstreamOperation, res: RawResponse, now: number, clean: (t: string) => string): UpstreamError {
  const errBody = parseErrorBody(res.text);
  const rawMessage = errBody?.message ?? res.text;
  const kind = kindForStatus(res.status, `${rawMessage} ${errBody?.code ?? ''} ${errBody?.type ?? ''}`);
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], now);
  const detail = clean(rawMessage);
  return new UpstreamError({
    kind,
    operation: op,
    status: res.status,
    ...(detail ? { detail } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(errBody?.code ? { upstreamCode: clean(errBody.code) } : {}),
    mayHaveReachedServer: res.status >= 500 || kind === 'timeout',
  });
}

/**
 * HTTP to the provider on undici: each exchange takes a token from the rate budget first, reads at
 * most 1 MiB, and turns every transport failure and non-2xx status into an UpstreamError that says
 * whether the request may have reached the server.
 */
export class Transport {
  private readonly baseUrl: string;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly budget: UpstreamBudget;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closed = false;

  constructor(opts: TransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.key = opts.key;
    this.timeoutMs = opts.timeoutMs;
    this.budget = opts.budget;
    this.logger = opts.logger;
    this.now = opts.now;
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

  get isClosed(): boolean {
    return this.closed;
  }

  /** The provider's text with the key removed. */
  clean(text: string): string {
    return sanitizeUpstreamText(text, [this.key]);
  }

  /** POST /v1/responses; a non-2xx answer is thrown as an UpstreamError. */
  async post(op: UpstreamOperation, body: unknown): Promise<RawResponse> {
    const res = await this.send(op, 'POST', '/v1/responses', JSON.stringify(body));
    if (res.status >= 200 && res.status < 300) return res;
    throw httpError(op, res, this.now(), (t) => this.clean(t));
  }

  /** One HTTP exchange: takes a token from the budget, then sends. Transport failures become UpstreamErrors. */
  async send(op: UpstreamOperation, method: 'GET' | 'POST', path: string, body?: string): Promise<RawResponse> {
    if (this.closed) {
      throw new UpstreamError({ kind: 'network', operation: op, detail: 'client closed', mayHaveReachedServer: false, transient: false });
    }
    const asked = performance.now();
    await this.budget.take();
    metrics.budgetTaken.inc();
    metrics.budgetWaitSeconds.observe((performance.now() - asked) / 1000);
    const res = await this.exchange(op, method, path, body).catch((err: unknown) => {
      metrics.upstreamCalls.inc({ operation: op, outcome: err instanceof UpstreamError ? String(err.status ?? err.kind) : 'error' });
      throw err;
    });
    metrics.upstreamCalls.inc({ operation: op, outcome: String(res.status) });
    metrics.upstreamSeconds.observe({ operation: op }, res.ms / 1000);
    return res;
  }

  private async exchange(op: UpstreamOperation, method: 'GET' | 'POST', path: string, body?: string): Promise<RawResponse> {
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

  /** Closes the connection pool. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
