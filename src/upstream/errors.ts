import { redactSecrets } from '../log/index.js';

export type UpstreamErrorKind =
  | 'auth'
  | 'no_balance'
  | 'rate_limited'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'bad_request';

export type UpstreamOperation = 'submit' | 'get' | 'balance';

const TRANSIENT: ReadonlySet<UpstreamErrorKind> = new Set(['rate_limited', 'server', 'timeout', 'network']);

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  operation: UpstreamOperation;
  /** Short, already sanitized detail. */
  detail?: string;
  status?: number;
  retryAfterMs?: number;
  mayHaveReachedServer: boolean;
  transient?: boolean;
  /** Upstream error code (`code` of an error envelope or of a task), if any. */
  upstreamCode?: string;
  requestId?: string;
  cause?: unknown;
}

/**
 * A failed call to DMXAPI. The message never holds the API key: it is built from
 * the operation, the HTTP status and a sanitized, truncated upstream message.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly operation: UpstreamOperation;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The request may have been received and acted on (a submit may have created, and billed, a task). */
  readonly mayHaveReachedServer: boolean;
  /** Worth trying again later: 429, 5xx, timeouts, network failures. */
  readonly transient: boolean;
  readonly upstreamCode?: string;
  readonly requestId?: string;

  constructor(init: UpstreamErrorInit) {
    const parts = [`DMXAPI ${init.operation} failed`];
    if (init.status !== undefined) parts.push(`HTTP ${init.status}`);
    parts.push(`(${init.kind})`);
    let message = parts.join(' ');
    if (init.detail) message += `: ${init.detail}`;
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.mayHaveReachedServer = init.mayHaveReachedServer;
    this.transient = init.transient ?? TRANSIENT.has(init.kind);
    if (init.upstreamCode !== undefined) this.upstreamCode = init.upstreamCode;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }
}

const MAX_DETAIL = 200;

/**
 * Makes upstream text safe to put in an error message, a log line or a member's
 * message: removes the given secrets (raw or URL-encoded) and anything that looks like a key or a bearer token, strips
 * control characters, collapses whitespace and truncates to about 200 characters.
 */
export function sanitizeUpstreamText(text: string, secrets: readonly string[] = [], max = MAX_DETAIL): string {
  let out = redactSecrets(text, secrets)
    .replace(/\bsk-[A-Za-z0-9_\-*]{6,}/g, 'sk-[REDACTED]')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=\-]{6,}/gi, 'Bearer [REDACTED]')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (out.length > max) out = `${out.slice(0, max - 1)}…`;
  return out;
}

const BALANCE_WORDING =
  /quota|balance|insufficient|credit|billing|payment|余额|额度|欠费|充值|不足/i;

/** Whether an upstream message talks about an exhausted balance or quota. */
export function looksLikeNoBalance(text: string): boolean {
  return BALANCE_WORDING.test(text);
}

/** Maps a non-2xx HTTP status (and its body text) to an error kind. */
export function kindForStatus(status: number, bodyText: string): UpstreamErrorKind {
  if (status === 401) return 'auth';
  if (status === 402) return 'no_balance';
  if (status === 403) return looksLikeNoBalance(bodyText) ? 'no_balance' : 'auth';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const trimmed = v.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
