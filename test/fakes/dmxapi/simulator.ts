import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { glbStream } from './glb.js';
import { PREVIEW_WEBP } from './webp.js';
import { tripoGlb, tripoPreview, type TripoVariant } from './tripo.js';
import { hostileFiles, isHostileModel, type HostileModel } from './hostile-models.js';
// The one key to check against the live API (src/upstream/multiview.ts): the simulator reads it too.
import { VIEW_IMAGE_URL_KEY } from '../../../src/upstream/multiview.js';

/**
 * A faithful stand-in for DMXAPI's `/v1/responses` endpoint serving Tripo-P1.0
 * (image to 3D), with new-api style gateway errors, scripted task timelines,
 * scripted HTTP faults, a signed "CDN" for the result files and optional billing
 * endpoints. Loopback only; no dependency beyond Node.
 */

export const DEFAULT_KEY = 'sk-test-key';
export const SUBMIT_TOKENS = 35_000;
/** The doc's sample: ~30 ms to schedule, 78 s from submit to end. */
export const DEFAULT_TIMELINE = { pendingMs: 2_000, runningMs: 76_000 } as const;
/** The signed result URLs die about 2 h after the task ends. */
export const DEFAULT_URL_TTL_MS = 2 * 3600_000;
/** Finished tasks are forgotten (UNKNOWN) after about 24 h. */
export const DEFAULT_RETENTION_MS = 24 * 3600_000;

export type SimModel = 'tripo' | 'cube' | 'corrupt' | HostileModel;
export type SimOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN' | 'never';
export type SimStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN';

/** How one task goes. Every field is optional. */
export interface TaskPlan {
  /** Final state. 'never' stays RUNNING forever; 'UNKNOWN' is a task that vanishes (expired). Default SUCCEEDED. */
  outcome?: SimOutcome;
  /** For FAILED. Defaults: 'InternalError' / 'The task failed.' */
  code?: string;
  message?: string;
  pendingMs?: number;
  runningMs?: number;
  /**
   * The GLB served: 'tripo' (Tripo-like, textures from the member's picture: standard is laid out like
   * the real files, about 3 MB; detailed is the heavy variant, 30–60 MB), 'cube' (~1.5 KB, or
   * `modelBytes`), or 'corrupt' (a GLB header and garbage).
   * Default: the simulator's `model` option.
   */
  model?: SimModel;
  /** A cube GLB of this size (exact, rounded up to a multiple of 4); implies model 'cube'. */
  modelBytes?: number;
  /** For 'tripo': the maps' size, format and grain instead of the quality's (see TripoVariant). */
  modelVariant?: TripoVariant;
  /** Life of the signed result URLs after the end. Default 2 h. */
  urlTtlMs?: number;
  /**
   * Stop in this state (once the timeline reaches it) until `release(taskId)`: tests
   * assert the order of events instead of racing the wall clock on a loaded machine.
   */
  holdIn?: HoldState;
}

/** States a task can be held in. */
export type HoldState = 'PENDING' | 'RUNNING';

export interface SubmitBody {
  model: string;
  input: { image?: string; prompt?: string; images?: unknown };
  parameters?: { texture_quality?: string };
  [k: string]: unknown;
}

export interface SimTask {
  id: string;
  imageUrl: string;
  quality: 'standard' | 'detailed';
  body: SubmitBody;
  /** Simulator clock (ms epoch) at submit. */
  submittedAt: number;
  outcome: SimOutcome;
  code: string;
  message: string;
  pendingMs: number;
  runningMs: number;
  modelBytes: number | undefined;
  modelVariant: TripoVariant | undefined;
  model: SimModel;
  /** Tripo-like files, built (or taken from the cache) on the first download. */
  files?: () => Promise<{ glb: Uint8Array; preview: Buffer }>;
  urlTtlMs: number;
  /** Set by expire(): the task answers UNKNOWN from then on. */
  expired: boolean;
  /** Set by cancel(): CANCELED at that simulator time. */
  canceledAt?: number;
  /** The rand parts of the two auth_keys, fixed per task. */
  rand: { model: string; preview: string };
  /** Held in this state until release() (see TaskPlan.holdIn). */
  heldIn?: HoldState;
}

export type FaultKind = '401' | '403_no_balance' | '429' | '500' | 'hang' | 'malformed_text' | 'delay';
export type FaultTarget = 'submit' | 'get' | 'any' | 'file' | 'billing';

/**
 * A scripted failure. Faults are matched in order against each request; a match
 * uses one of its `times` (default 1) and is removed when they are spent.
 */
export interface Fault {
  /** 'any' = submit or get. 'file' (CDN) and 'billing' support 500, hang and delay. */
  on: FaultTarget;
  kind: FaultKind;
  times?: number;
  /** For 'delay': how long before answering normally. */
  ms?: number;
  /** Only for gets of this task (or file requests of this task). */
  taskId?: string;
  /** For 429 (and 500): send `Retry-After: <seconds>`. */
  retryAfterS?: number;
  /**
   * For submits: create (and bill) the task before failing, as when the upstream
   * accepted the job but the answer was lost. Default true for malformed_text,
   * false for the others.
   */
  createTask?: boolean;
}

export type CallKind = 'submit' | 'get' | 'file' | 'billing' | 'other';

export interface SimCall {
  seq: number;
  kind: CallKind;
  method: string;
  path: string;
  /** Parsed JSON body of POSTs (or the raw text when it was not JSON). */
  body: unknown;
  /** 0 while the request is still open (hang, delay). */
  status: number;
  /** Wall clock (ms epoch) at arrival. */
  at: number;
  taskId?: string;
  fault?: FaultKind;
  /** How the Authorization header looked. */
  auth: 'raw' | 'bearer' | 'missing' | 'wrong';
}

export interface SubmitRecord {
  at: number;
  imageUrl: string | undefined;
  quality: string | undefined;
  body: unknown;
  status: number;
  /** Set when a task was created (and billed). */
  taskId?: string;
}

export interface BillingOptions {
  totalUsd?: number;
  usedUsd?: number;
  /** Added to the used amount for each created task. Default 0.07. */
  submitCostUsd?: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  key?: string;
  /** Default shape of every task. Default { pendingMs: 2000, runningMs: 76000 }. */
  timeline?: { pendingMs: number; runningMs: number };
  /** Multiplies the default timeline (ignored when `timeline` is given). e.g. 0.01 → 20 ms + 760 ms. */
  timeScale?: number;
  /** Serve the billing endpoints (404 otherwise). */
  billing?: boolean | BillingOptions;
  /** The default model of every task (see TaskPlan.model). Default 'tripo'. */
  model?: SimModel;
  retentionMs?: number;
  /** Called when each request has been answered (or when its connection closed). */
  onCall?: (call: SimCall) => void;
  /** 401 answers quote the Authorization header that was sent (to test that the bot scrubs it). */
  echoKey?: boolean;
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_BODY = 1024 * 1024;

/** `YYYY-MM-DD HH:mm:ss.SSS` in China time (UTC+8), as the provider writes it. */
export function formatProviderTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

function randAlnum(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * `input.images` as DMXAPI documents it (Tripo-P1.0 multi-image to 3D, with textures): exactly four
 * entries, front, left, back, right; `{}` for a missing view; two to four hold a picture. Null when acceptable, else the provider-style message.
 */
function invalidImages(images: unknown): string | null {
  if (!Array.isArray(images) || images.length !== 4) return 'InvalidParameter: input.images must be an array of exactly 4 objects (front, left, back, right)';
  let given = 0;
  for (const [i, entry] of images.entries()) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return `InvalidParameter: input.images[${i}] must be an object`;
    const keys = Object.keys(entry as object);
    if (keys.length === 0) continue;
    const url = (entry as Record<string, unknown>)[VIEW_IMAGE_URL_KEY];
    if (keys.length !== 1 || !isHttpUrl(url)) return `InvalidParameter: input.images[${i}] must be {} or { ${VIEW_IMAGE_URL_KEY}: <http(s) URL> }`;
    given++;
  }
  if (given < 2) return 'InvalidParameter: input.images needs at least 2 pictures';
  return null;
}

/** The front view's URL of an `input.images` array, if it has one. */
function frontOf(images: unknown): string | undefined {
  const url = Array.isArray(images) ? (images[0] as Record<string, unknown> | undefined)?.[VIEW_IMAGE_URL_KEY] : undefined;
  return typeof url === 'string' ? url : undefined;
}

export class DmxapiSimulator {
  readonly key: string;
  readonly calls: SimCall[] = [];
  readonly submits: SubmitRecord[] = [];
  readonly tasks = new Map<string, SimTask>();
  /** Plans for the next submits, used first to last. */
  readonly nextTasks: TaskPlan[] = [];
  readonly faults: Fault[] = [];
  timeline: { pendingMs: number; runningMs: number };
  retentionMs: number;
  billing: BillingOptions | null;
  model: SimModel;

  private outcomeFn: ((body: SubmitBody) => TaskPlan | undefined) | undefined;
  private server!: Server;
  private base = '';
  private offsetMs = 0;
  private seq = 0;
  private readonly open = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;
  private readonly cdnSecret = randomBytes(16).toString('hex');
  private readonly onCall: ((call: SimCall) => void) | undefined;
  private readonly echoKey: boolean;

  private constructor(opts: SimulatorOptions) {
    this.key = opts.key ?? DEFAULT_KEY;
    const scale = opts.timeScale ?? 1;
    this.timeline = opts.timeline ?? {
      pendingMs: Math.round(DEFAULT_TIMELINE.pendingMs * scale),
      runningMs: Math.round(DEFAULT_TIMELINE.runningMs * scale),
    };
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.billing = opts.billing ? { totalUsd: 100, usedUsd: 0, submitCostUsd: 0.07, ...(opts.billing === true ? {} : opts.billing) } : null;
    this.onCall = opts.onCall;
    this.echoKey = opts.echoKey ?? false;
    this.model = opts.model ?? 'tripo';
  }

  static async start(opts: SimulatorOptions = {}): Promise<DmxapiSimulator> {
    const sim = new DmxapiSimulator(opts);
    sim.server = createServer((req, res) => {
      sim.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': TEXT_PLAIN });
          res.end(`simulator error: ${String(err)}`);
        }
      });
    });
    sim.server.keepAliveTimeout = 5_000;
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(opts.port ?? 0, host, () => {
        sim.server.off('error', reject);
        resolve();
      });
    });
    const { port } = sim.server.address() as AddressInfo;
    sim.base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return sim;
  }

  get baseUrl(): string {
    return this.base;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Simulator clock (ms epoch): wall clock plus advanceTime(). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the simulator clock forward: tasks progress, URLs expire, tasks are forgotten. */
  advanceTime(ms: number): void {
    this.offsetMs += ms;
  }

  /** Decides each new task's plan (after nextTasks is empty). Return undefined for the default. */
  setOutcome(fn: ((body: SubmitBody) => TaskPlan | undefined) | undefined): void {
    this.outcomeFn = fn;
  }

  /** Submit requests that reached the simulator (whatever their answer), optionally for one image URL. */
  submitCount(imageUrl?: string): number {
    return this.submits.filter((s) => imageUrl === undefined || s.imageUrl === imageUrl).length;
  }

  /** Tasks created, i.e. submits that were billed. */
  chargedCount(imageUrl?: string): number {
    return [...this.tasks.values()].filter((t) => imageUrl === undefined || t.imageUrl === imageUrl).length;
  }

  getCount(taskId?: string): number {
    return this.calls.filter((c) => c.kind === 'get' && (taskId === undefined || c.taskId === taskId)).length;
  }

  /** Makes a task answer UNKNOWN from now on (as when the provider forgot it). */
  expire(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (t) t.expired = true;
  }

  /** Holds a task in `state` (once its timeline reaches it) until release(). */
  hold(taskId: string, state: HoldState): void {
    const t = this.tasks.get(taskId);
    if (t) t.heldIn = state;
  }

  /**
   * Lets a held task go on: what was left of its timeline runs from now, so a task held
   * past its planned end finishes at once, and its end time is the release time.
   */
  release(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (!t?.heldIn) return;
    const elapsed = this.now() - t.submittedAt;
    if (t.heldIn === 'PENDING') t.pendingMs = Math.max(t.pendingMs, elapsed);
    else t.runningMs = Math.max(t.runningMs, elapsed - t.pendingMs);
    delete t.heldIn;
  }

  /** Cancels a task now. */
  cancel(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (t && t.canceledAt === undefined) t.canceledAt = this.now();
  }

  /** The status a get would answer now. */
  statusOf(taskId: string): SimStatus {
    const t = this.tasks.get(taskId);
    return t ? this.status(t, this.now()) : 'UNKNOWN';
  }

  /** URLs of a task's files (valid only once it SUCCEEDED; they are signed for end + urlTtlMs). */
  fileUrls(taskId: string): { model: string; preview: string; expiresAt: number } | undefined {
    const t = this.tasks.get(taskId);
    if (!t) return undefined;
    const exp = Math.floor((this.endAt(t) + t.urlTtlMs) / 1000);
    const modelPath = `/cdn/${t.id}/tripo_pbr_model_${t.id}.glb`;
    const previewPath = `/cdn/${t.id}/legacy_mesh.webp`;
    return {
      model: `${this.base}${modelPath}?auth_key=${this.authKey(modelPath, exp, t.rand.model)}`,
      preview: `${this.base}${previewPath}?auth_key=${this.authKey(previewPath, exp, t.rand.preview)}`,
      expiresAt: exp * 1000,
    };
  }

  /** Resolves when predicate(sim) holds (checked every 10 ms); rejects after timeoutMs. */
  waitFor(predicate: (sim: DmxapiSimulator) => boolean, timeoutMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        let ok = false;
        try {
          ok = predicate(this);
        } catch (err) {
          reject(err);
          return;
        }
        if (ok) return resolve();
        if (Date.now() >= deadline) return reject(new Error(`DmxapiSimulator.waitFor: timed out after ${timeoutMs} ms`));
        const t = setTimeout(() => {
          this.timers.delete(t);
          check();
        }, 10);
        this.timers.add(t);
      };
      check();
    });
  }

  /** Stops the server, ending hanging and delayed requests. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      for (const res of this.open) res.destroy();
      this.open.clear();
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------------------

  private endAt(t: SimTask): number {
    return t.canceledAt ?? t.submittedAt + t.pendingMs + t.runningMs;
  }

  private status(t: SimTask, now: number): SimStatus {
    if (t.expired) return 'UNKNOWN';
    const elapsed = now - t.submittedAt;
    if (t.canceledAt !== undefined && now >= t.canceledAt) {
      return now - t.canceledAt > this.retentionMs ? 'UNKNOWN' : 'CANCELED';
    }
    if (elapsed < t.pendingMs || t.heldIn === 'PENDING') return 'PENDING';
    if (t.outcome === 'never' || elapsed < t.pendingMs + t.runningMs || t.heldIn === 'RUNNING') return 'RUNNING';
    if (t.outcome === 'UNKNOWN') return 'UNKNOWN';
    if (now - this.endAt(t) > this.retentionMs) return 'UNKNOWN';
    return t.outcome;
  }

  private authKey(path: string, exp: number, rand: string): string {
    // Aliyun CDN type-A signing: md5("URI-timestamp-rand-uid-privatekey").
    const hash = createHash('md5').update(`${path}-${exp}-${rand}-0-${this.cdnSecret}`).digest('hex');
    return `${exp}-${rand}-0-${hash}`;
  }

  private requestId(): string {
    // Shaped like the doc's: 8-4-4-4-12 hex.
    return randomUUID();
  }

  private envelope(text: string, totalTokens: number): object {
    return {
      request_id: this.requestId(),
      output: [{ type: 'message', content: [{ type: 'output_text', text }] }],
      usage: {
        total_tokens: totalTokens,
        input_tokens: 0,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: totalTokens,
        output_tokens_details: { reasoning_tokens: 0 },
      },
    };
  }

  private gatewayError(message: string, type = 'new_api_error', code?: string): object {
    const rid = `${formatProviderTime(this.now()).replace(/\D/g, '').slice(0, 17)}${randAlnum(8)}`;
    return { error: { message: `${message} (request id: ${rid})`, type, ...(code ? { code } : {}) } };
  }

  /** 401 body; with `echoKey` it quotes the Authorization header it got, as careless gateways do. */
  private invalidToken(req: IncomingMessage): object {
    const auth = req.headers.authorization;
    return this.gatewayError(this.echoKey && auth ? `无效的令牌 ${auth}` : '无效的令牌');
  }

  private taskText(t: SimTask | undefined, id: string): string {
    if (!t) return JSON.stringify({ task_id: id, task_status: 'UNKNOWN' });
    const now = this.now();
    const status = this.status(t, now);
    const base: Record<string, unknown> = { task_id: t.id, task_status: status };
    if (status === 'UNKNOWN') return JSON.stringify(base);
    base.submit_time = formatProviderTime(t.submittedAt);
    const scheduledAt = t.submittedAt + t.pendingMs;
    if (status !== 'PENDING' && !(status === 'CANCELED' && t.canceledAt! < scheduledAt)) {
      base.scheduled_time = formatProviderTime(scheduledAt);
    }
    if (status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELED') {
      base.end_time = formatProviderTime(this.endAt(t));
    }
    if (status === 'SUCCEEDED') {
      const urls = this.fileUrls(t.id)!;
      base.results = [{ pbr_model_url: urls.model, rendered_image_url: urls.preview }];
    }
    if (status === 'FAILED') {
      base.code = t.code;
      base.message = t.message;
    }
    return JSON.stringify(base);
  }

  private createTask(body: SubmitBody): SimTask {
    const plan: TaskPlan = this.nextTasks.shift() ?? this.outcomeFn?.(body) ?? {};
    const task: SimTask = {
      id: randomUUID(),
      imageUrl: String(body.input.image ?? frontOf(body.input.images) ?? ''),
      quality: body.parameters?.texture_quality === 'detailed' ? 'detailed' : 'standard',
      body,
      submittedAt: this.now(),
      outcome: plan.outcome ?? 'SUCCEEDED',
      code: plan.code ?? 'InternalError',
      message: plan.message ?? 'The task failed.',
      pendingMs: plan.pendingMs ?? this.timeline.pendingMs,
      runningMs: plan.runningMs ?? this.timeline.runningMs,
      modelBytes: plan.modelBytes,
      modelVariant: plan.modelVariant,
      model: plan.model ?? (plan.modelBytes !== undefined ? 'cube' : this.model),
      urlTtlMs: plan.urlTtlMs ?? DEFAULT_URL_TTL_MS,
      expired: false,
      rand: { model: randAlnum(8), preview: randAlnum(8) },
      ...(plan.holdIn ? { heldIn: plan.holdIn } : {}),
    };
    if (task.model === 'tripo') {
      let files: Promise<{ glb: Uint8Array; preview: Buffer }> | undefined;
      task.files = () => (files ??= this.tripoFiles(task));
    } else if (isHostileModel(task.model)) task.files = hostileFiles(task.model);
    this.tasks.set(task.id, task);
    if (this.billing) this.billing.usedUsd = (this.billing.usedUsd ?? 0) + (this.billing.submitCostUsd ?? 0);
    return task;
  }

  /** The member's picture (the sample picture when it cannot be fetched) made into a model and a preview. */
  private async tripoFiles(task: SimTask): Promise<{ glb: Uint8Array; preview: Buffer }> {
    let picture: Buffer;
    try {
      const res = await fetch(task.imageUrl, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      picture = Buffer.from(await res.arrayBuffer());
    } catch {
      picture = readFileSync(new URL('../../fixtures/sample.png', import.meta.url));
    }
    const [glb, preview] = await Promise.all([tripoGlb(picture, task.modelVariant ?? task.quality), tripoPreview(picture)]);
    return { glb, preview };
  }

  private takeFault(kind: CallKind, taskId: string | undefined): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.on === kind || (f.on === 'any' && (kind === 'submit' || kind === 'get'))) &&
        (f.taskId === undefined || f.taskId === taskId),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) this.faults.splice(i, 1);
    else f.times = left;
    return f;
  }

  private authOf(req: IncomingMessage): SimCall['auth'] {
    const h = req.headers.authorization;
    if (h === undefined || h === '') return 'missing';
    if (h === this.key) return 'raw';
    if (h === `Bearer ${this.key}`) return 'bearer';
    return 'wrong';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async readBody(req: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private record(call: SimCall, res: ServerResponse): void {
    this.calls.push(call);
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      this.onCall?.(call);
    });
  }

  private send(res: ServerResponse, call: SimCall, status: number, body: object | string, headers: Record<string, string> = {}): void {
    call.status = status;
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? TEXT_PLAIN : JSON_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = req.method ?? 'GET';
    const call: SimCall = { seq: ++this.seq, kind: 'other', method, path: url.pathname, body: undefined, status: 0, at: Date.now(), auth: this.authOf(req) };

    if (url.pathname.startsWith('/cdn/') && (method === 'GET' || method === 'HEAD')) {
      call.kind = 'file';
      this.record(call, res);
      return this.serveFile(url, method, call, res);
    }
    if (url.pathname.startsWith('/v1/dashboard/billing/') && method === 'GET') {
      call.kind = 'billing';
      this.record(call, res);
      return this.serveBilling(url.pathname, call, res, req);
    }
    if (url.pathname !== '/v1/responses' || method !== 'POST') {
      this.record(call, res);
      if (call.auth !== 'raw' && call.auth !== 'bearer') return this.send(res, call, 401, this.invalidToken(req));
      return this.send(res, call, 404, { error: { message: `Invalid URL (${method} ${url.pathname})`, type: 'invalid_request_error', param: '', code: '' } });
    }

    const raw = await this.readBody(req);
    let body: unknown = raw;
    try {
      body = raw === null ? null : JSON.parse(raw);
    } catch {
      /* keep the text */
    }
    call.body = body;
    const obj = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    const model = obj?.model;
    if (model === 'Tripo-P1.0') call.kind = 'submit';
    else if (model === 'Tripo-P1.0-get') {
      call.kind = 'get';
      if (typeof obj?.input === 'string') call.taskId = obj.input;
    }
    this.record(call, res);

    const input = obj?.input as Record<string, unknown> | undefined;
    const params = obj?.parameters as Record<string, unknown> | undefined;
    let submit: SubmitRecord | undefined;
    if (call.kind === 'submit') {
      submit = {
        at: call.at,
        imageUrl: typeof input?.image === 'string' ? input.image : frontOf(input?.images),
        quality: typeof params?.texture_quality === 'string' ? params.texture_quality : undefined,
        body,
        status: 0,
      };
      this.submits.push(submit);
      res.on('close', () => (submit!.status = call.status));
    }

    const fault = this.takeFault(call.kind, call.taskId);
    if (fault) call.fault = fault.kind;
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms ?? 1000);
      if (res.destroyed) return;
    } else if (fault) {
      const createFirst = fault.createTask ?? fault.kind === 'malformed_text';
      if (call.kind === 'submit' && createFirst && fault.kind !== 'malformed_text' && this.validSubmit(obj) === null) {
        const t = this.createTask(obj as SubmitBody);
        call.taskId = t.id;
        submit!.taskId = t.id;
      }
      const retry: Record<string, string> = fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {};
      switch (fault.kind) {
        case '401':
          return this.send(res, call, 401, this.invalidToken(req));
        case '403_no_balance':
          return this.send(res, call, 403, this.gatewayError('用户额度不足, 剩余额度: ＄0.000000', 'new_api_error', 'insufficient_user_quota'));
        case '429':
          return this.send(res, call, 429, this.gatewayError('当前分组上游负载已饱和，请稍后再试', 'new_api_error', 'rate_limit_exceeded'), retry);
        case '500':
          return this.send(res, call, 500, this.gatewayError('do request failed: upstream error', 'new_api_error', 'do_request_failed'), retry);
        case 'hang':
          return; // never answered; close() or the client's timeout ends it
        case 'malformed_text':
          break; // handled below
      }
    }

    if (call.auth !== 'raw' && call.auth !== 'bearer') return this.send(res, call, 401, this.invalidToken(req));
    if (raw === null) return this.send(res, call, 413, this.gatewayError('request body too large', 'invalid_request_error'));
    if (!obj) return this.send(res, call, 400, this.gatewayError('invalid request body: not a JSON object', 'invalid_request_error', 'invalid_request'));
    if (typeof model !== 'string' || (call.kind !== 'submit' && call.kind !== 'get')) {
      return this.send(res, call, 400, this.gatewayError(`当前分组 default 下对于模型 ${String(model)} 无可用渠道`, 'new_api_error', 'model_not_found'));
    }

    const malformed = fault?.kind === 'malformed_text';
    if (call.kind === 'get') {
      if (typeof obj.input !== 'string' || obj.input.length === 0) {
        return this.send(res, call, 400, this.gatewayError('input must be a task id string', 'upstream_error', 'InvalidParameter'));
      }
      const text = malformed ? '{"task_id":"' + obj.input + '","task_st' : this.taskText(this.tasks.get(obj.input), obj.input);
      return this.send(res, call, 200, this.envelope(text, 0));
    }

    const invalid = this.validSubmit(obj);
    if (invalid !== null) return this.send(res, call, 400, this.gatewayError(invalid, 'upstream_error', 'InvalidParameter'));
    const createTask = fault?.createTask ?? true;
    let text: string;
    if (createTask) {
      const t = this.createTask(obj as SubmitBody);
      call.taskId = t.id;
      submit!.taskId = t.id;
      text = malformed ? `<html><body>502 Bad Gateway</body></html>` : JSON.stringify({ task_id: t.id, task_status: 'PENDING' });
    } else {
      text = '{"task_status":"PEND';
    }
    return this.send(res, call, 200, this.envelope(text, SUBMIT_TOKENS));
  }

  /** Null when the submit body is acceptable, else the provider-style error message. */
  private validSubmit(obj: Record<string, unknown> | undefined): string | null {
    if (!obj) return 'invalid request body';
    const input = obj.input;
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'InvalidParameter: input must be an object';
    const i = input as Record<string, unknown>;
    const given = ['prompt', 'image', 'images'].filter((k) => i[k] !== undefined);
    if (given.length > 1) return `InvalidParameter: input.prompt, input.image and input.images are mutually exclusive (got ${given.join(', ')})`;
    if (i.images !== undefined) {
      const bad = invalidImages(i.images);
      if (bad) return bad;
    } else if (!isHttpUrl(i.image)) return 'InvalidParameter: input.image must be a public http or https URL';
    const params = obj.parameters;
    if (params !== undefined) {
      if (params === null || typeof params !== 'object' || Array.isArray(params)) return 'InvalidParameter: parameters must be an object';
      const q = (params as Record<string, unknown>).texture_quality;
      if (q !== undefined && q !== 'standard' && q !== 'detailed') return 'InvalidParameter: parameters.texture_quality must be standard or detailed';
    }
    return null;
  }

  private async serveBilling(path: string, call: SimCall, res: ServerResponse, req: IncomingMessage): Promise<void> {
    const fault = this.takeFault('billing', undefined);
    if (fault) {
      call.fault = fault.kind;
      if (fault.kind === 'hang') return;
      if (fault.kind === 'delay') await this.sleep(fault.ms ?? 1000);
      else if (fault.kind === '500') return this.send(res, call, 500, this.gatewayError('internal error'));
    }
    if (!this.billing) return this.send(res, call, 404, '404 page not found');
    if (call.auth !== 'raw' && call.auth !== 'bearer') return this.send(res, call, 401, this.invalidToken(req));
    const total = this.billing.totalUsd ?? 100;
    const used = this.billing.usedUsd ?? 0;
    if (path === '/v1/dashboard/billing/subscription') {
      return this.send(res, call, 200, {
        object: 'billing_subscription',
        has_payment_method: true,
        soft_limit_usd: total,
        hard_limit_usd: total,
        system_hard_limit_usd: total,
        access_until: 0,
      });
    }
    if (path === '/v1/dashboard/billing/usage') {
      return this.send(res, call, 200, { object: 'list', total_usage: Math.round(used * 100 * 1e6) / 1e6 });
    }
    return this.send(res, call, 404, '404 page not found');
  }

  private async serveFile(url: URL, method: string, call: SimCall, res: ServerResponse): Promise<void> {
    const m = /^\/cdn\/([0-9a-f-]{36})\/(tripo_pbr_model_([0-9a-f-]{36})\.glb|legacy_mesh\.webp)$/.exec(url.pathname);
    const task = m ? this.tasks.get(m[1]!) : undefined;
    if (m) call.taskId = m[1]!;
    const fault = this.takeFault('file', call.taskId);
    if (fault) {
      call.fault = fault.kind;
      if (fault.kind === 'hang') return;
      if (fault.kind === 'delay') await this.sleep(fault.ms ?? 1000);
      else if (fault.kind === '500') return this.send(res, call, 500, '<html><body>500 Internal Server Error</body></html>');
    }
    if (!m || !task || (m[3] !== undefined && m[3] !== m[1]) || this.status(task, this.now()) !== 'SUCCEEDED') {
      return this.send(res, call, 404, '<html><body>404 Not Found</body></html>', { 'content-type': 'text/html' });
    }
    const isModel = m[2]!.endsWith('.glb');
    const authKey = url.searchParams.get('auth_key') ?? '';
    const parts = /^(\d+)-([A-Za-z0-9]+)-0-([0-9a-f]{32})$/.exec(authKey);
    const exp = parts ? Number(parts[1]) : 0;
    const goodSig = parts !== null && this.authKey(url.pathname, exp, parts[2]!) === authKey;
    if (!goodSig || exp * 1000 < this.now()) {
      return this.send(res, call, 403, '<html><body>403 Forbidden</body></html>', { 'content-type': 'text/html' });
    }
    call.status = 200;
    if (task.files) {
      const files = await task.files();
      const body = isModel ? files.glb : files.preview;
      res.writeHead(200, { 'content-type': isModel ? 'model/gltf-binary' : 'image/webp', 'content-length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (!isModel) {
      res.writeHead(200, { 'content-type': 'image/webp', 'content-length': String(PREVIEW_WEBP.length) });
      res.end(method === 'HEAD' ? undefined : PREVIEW_WEBP);
      return;
    }
    if (task.model === 'corrupt') {
      // Looks like a GLB from its first bytes; the rest is not glTF.
      const body = Buffer.concat([Buffer.from('glTF'), Buffer.from([2, 0, 0, 0, 0, 0, 1, 0]), Buffer.alloc(65_536, 0x5a)]);
      res.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const { stream, total } = glbStream(task.modelBytes);
    res.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': String(total) });
    if (method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }
}
