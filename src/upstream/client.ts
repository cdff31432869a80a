import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { UpstreamBudget } from './rate-budget.js';
import type { Quality } from '../domain/quality.js';
import { UpstreamError } from './errors.js';
import { subscriptionSchema, usageSchema, type TaskStatus } from './schemas.js';
import { Transport } from './transport.js';
import { malformed, parseEnvelope, toTaskInfo, type TaskInfo } from './envelope.js';
import { imagesInput, type ViewUrls } from './multiview.js';

export type { TaskInfo };

const SUBMIT_MODEL = 'Tripo-P1.0';
const GET_MODEL = 'Tripo-P1.0-get';

export interface SubmitResult {
  taskId: string;
  status: TaskStatus;
  /** `usage.total_tokens` of the submit: what the account was billed. */
  totalTokens: number | null;
  requestId: string | null;
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
  budget: UpstreamBudget;
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Client of the DMXAPI Tripo-P1.0 image-to-3D API. Knows nothing of Discord or storage. */
export class DmxapiClient {
  private readonly key: string;
  private readonly logger: Logger | undefined;
  private readonly getRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly http: Transport;

  constructor(opts: DmxapiClientOptions) {
    this.key = opts.key;
    this.logger = opts.logger;
    this.getRetries = Math.max(0, opts.getRetries ?? 3);
    this.backoffBaseMs = opts.backoffBaseMs ?? 250;
    this.backoffCapMs = opts.backoffCapMs ?? 5000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
    this.http = new Transport({
      baseUrl: opts.baseUrl,
      key: opts.key,
      timeoutMs: opts.timeoutMs,
      budget: opts.budget,
      logger: opts.logger,
      connectTimeoutMs: opts.connectTimeoutMs,
      now: opts.now ?? Date.now,
      dispatcher: opts.dispatcher,
    });
  }

  /**
   * Submits one picture (`input.image`) or several views of one object (`input.images`, front
   * first). Never retried, whatever the error: a second submit is billed again.
   * Check `UpstreamError.mayHaveReachedServer` to know whether a task may exist anyway.
   */
  async submit(picture: string | ViewUrls, quality: Quality = 'standard'): Promise<SubmitResult> {
    const input = typeof picture === 'string' ? { image: picture } : { images: imagesInput(picture) };
    const body = { model: SUBMIT_MODEL, input, parameters: { texture_quality: quality } };
    const res = await this.http.post('submit', body);
    const { payload, requestId, totalTokens } = parseEnvelope('submit', res, true, this.clean);
    if (!payload.task_id) throw malformed(this.clean, 'submit', res.status, 'no task_id in the answer', requestId);
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
        if (!(err instanceof UpstreamError) || !err.transient || attempt >= this.getRetries || this.http.isClosed) throw err;
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
    await this.http.close();
  }

  private readonly clean = (text: string) => this.http.clean(text);

  private async getTaskOnce(taskId: string): Promise<TaskInfo> {
    const res = await this.http.post('get', { model: GET_MODEL, input: taskId });
    const { payload, requestId } = parseEnvelope('get', res, false, this.clean);
    if (payload.task_id && payload.task_id !== taskId) {
      throw malformed(this.clean, 'get', res.status, 'answer is about another task', requestId);
    }
    const info = toTaskInfo(taskId, payload, this.key);
    if (info.status === 'SUCCEEDED' && !info.modelUrl) {
      throw malformed(this.clean, 'get', res.status, 'SUCCEEDED without a model URL', requestId);
    }
    this.logger?.debug({ op: 'get', taskId, status: info.status, ms: res.ms }, 'dmxapi get');
    return info;
  }

  private async getJson(path: string): Promise<unknown> {
    try {
      const res = await this.http.send('balance', 'GET', path);
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
