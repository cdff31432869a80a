import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { DmxapiClient, RateBudget, UpstreamError, type DmxapiClientOptions } from '../../src/upstream/index.js';
import { DmxapiSimulator } from '../fakes/dmxapi/index.js';

const KEY = 'sk-SECRET-test-key-0123456789abcdef';
const IMAGE = 'https://cdn.example.com/pictures/cat.png';

class CountingBudget extends RateBudget {
  takes = 0;
  override take(signal?: AbortSignal): Promise<void> {
    this.takes++;
    return super.take(signal);
  }
}

let sim: DmxapiSimulator | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await sim?.close();
  sim = undefined;
});

const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  }),
);

async function setup(
  simOpts: Parameters<typeof DmxapiSimulator.start>[0] = {},
  clientOpts: Partial<DmxapiClientOptions> = {},
) {
  sim = await DmxapiSimulator.start({ key: KEY, timeline: { pendingMs: 30, runningMs: 60 }, ...simOpts });
  const budget = new CountingBudget(1000);
  const delays: number[] = [];
  const client = new DmxapiClient({
    baseUrl: sim.baseUrl,
    key: KEY,
    timeoutMs: 2000,
    budget,
    logger,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...clientOpts,
  });
  cleanups.push(() => client.close(), () => budget.close());
  return { sim, client, budget, delays };
}

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    const e = err as UpstreamError;
    expect(e.message).not.toContain(KEY);
    expect(JSON.stringify(e)).not.toContain(KEY);
    return e;
  }
  throw new Error('expected an UpstreamError');
}

describe('DmxapiClient against the simulator', () => {
  it('submits the documented body and polls through the timeline to SUCCEEDED', async () => {
    const { sim, client } = await setup({ timeline: { pendingMs: 10_000, runningMs: 60_000 } });
    const s = await client.submit(IMAGE, 'detailed');
    expect(s.status).toBe('PENDING');
    expect(s.totalTokens).toBe(35000);
    expect(s.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const call = sim.calls.find((c) => c.kind === 'submit')!;
    expect(call.body).toEqual({ model: 'Tripo-P1.0', input: { image: IMAGE }, parameters: { texture_quality: 'detailed' } });
    expect(call.auth).toBe('raw');

    const first = await client.getTask(s.taskId);
    expect(first).toMatchObject({ taskId: s.taskId, status: 'PENDING' });
    expect(first.submitTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    sim.advanceTime(10_000);
    expect((await client.getTask(s.taskId)).status).toBe('RUNNING');
    sim.advanceTime(60_000);
    const done = await client.getTask(s.taskId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.modelUrl).toBe(sim.fileUrls(s.taskId)!.model);
    expect(done.previewUrl).toBe(sim.fileUrls(s.taskId)!.preview);
    expect(done.expiresAt).toBe(sim.fileUrls(s.taskId)!.expiresAt);
    expect(done.expiresAt! - Date.now()).toBeGreaterThan(2 * 3600_000 - 10_000);
    expect(done.endTime).toBeTypeOf('string');
    expect(sim.calls.find((c) => c.kind === 'get')!.body).toEqual({ model: 'Tripo-P1.0-get', input: s.taskId });
    expect(sim.submitCount(IMAGE)).toBe(1);
    expect(logLines.join('')).not.toContain(KEY);
    expect(logLines.some((l) => l.includes(s.taskId) && l.includes('"ms"'))).toBe(true);
  });

  it('reports FAILED with code and message, and UNKNOWN for unknown tasks', async () => {
    const { sim, client } = await setup({ timeline: { pendingMs: 0, runningMs: 0 } });
    sim.nextTasks.push({ outcome: 'FAILED', code: 'InvalidImage', message: 'No object detected in the image' });
    const s = await client.submit(IMAGE, 'standard');
    const t = await client.getTask(s.taskId);
    expect(t).toMatchObject({ status: 'FAILED', code: 'InvalidImage', message: 'No object detected in the image' });
    expect(t.modelUrl).toBeUndefined();
    const u = await client.getTask('11111111-2222-3333-4444-555555555555');
    expect(u.status).toBe('UNKNOWN');
  });

  it('maps 401 to auth, without leaking the key', async () => {
    const { sim } = await setup({ echoKey: true });
    const wrongKey = 'sk-WRONG-key-abcdefghijklmnop';
    // The premise: this gateway quotes the key it was given in its 401 answer.
    const raw = await fetch(`${sim.baseUrl}/v1/responses`, { method: 'POST', headers: { authorization: wrongKey }, body: '{}' });
    expect(await raw.text()).toContain(wrongKey);
    const budget = new RateBudget(1000);
    const wrong = new DmxapiClient({ baseUrl: sim.baseUrl, key: wrongKey, timeoutMs: 2000, budget });
    cleanups.push(() => wrong.close());
    const e = await caught(wrong.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'auth', status: 401, transient: false, mayHaveReachedServer: false });
    expect(e.message).toContain('401');
    expect(e.message).toContain('无效的令牌');
    expect(e.message).not.toContain('sk-WRONG');
    expect(e.message).not.toContain('abcdefghijklmnop');
  });

  it('maps 403 with balance wording to no_balance', async () => {
    const { sim, client } = await setup();
    sim.faults.push({ on: 'submit', kind: '403_no_balance' });
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'no_balance', status: 403, transient: false, mayHaveReachedServer: false });
  });

  it('never retries a submit, not even on 429', async () => {
    const { sim, client, delays } = await setup();
    sim.faults.push({ on: 'submit', kind: '429', retryAfterS: 3 });
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'rate_limited', status: 429, transient: true, retryAfterMs: 3000, mayHaveReachedServer: false });
    expect(sim.submitCount()).toBe(1);
    expect(delays).toEqual([]);
  });

  it('does not retry a 500 on submit and says it may have reached the server', async () => {
    const { sim, client } = await setup();
    sim.faults.push({ on: 'submit', kind: '500', createTask: true });
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'server', status: 500, transient: true, mayHaveReachedServer: true });
    expect(sim.submitCount()).toBe(1);
    expect(sim.chargedCount()).toBe(1);
  });

  it('retries gets on 429 and 500 with backoff, each attempt taking from the budget', async () => {
    const { sim, client, budget, delays } = await setup({ timeline: { pendingMs: 0, runningMs: 0 } });
    const { taskId } = await client.submit(IMAGE, 'standard');
    const before = budget.takes;
    sim.faults.push({ on: 'get', kind: '429' }, { on: 'get', kind: '500' });
    const t = await client.getTask(taskId);
    expect(t.status).toBe('SUCCEEDED');
    expect(sim.getCount(taskId)).toBe(3);
    expect(budget.takes - before).toBe(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(250);
    expect(delays[1]).toBeLessThanOrEqual(500);
  });

  it('honours Retry-After on gets, and gives up after the retries', async () => {
    const { sim, client, delays } = await setup({ timeline: { pendingMs: 0, runningMs: 0 } }, { getRetries: 2 });
    const { taskId } = await client.submit(IMAGE, 'standard');
    sim.faults.push({ on: 'get', kind: '429', retryAfterS: 2 });
    await client.getTask(taskId);
    expect(delays).toEqual([2000]);
    sim.faults.push({ on: 'get', kind: '500', times: 5 });
    const e = await caught(client.getTask(taskId));
    expect(e.kind).toBe('server');
    expect(sim.getCount(taskId)).toBe(1 + 1 + 3);
    sim.faults.splice(0);
    sim.faults.push({ on: 'get', kind: '429', retryAfterS: 600 });
    const tooLong = await caught(client.getTask(taskId));
    expect(tooLong.retryAfterMs).toBe(600_000); // longer than maxRetryAfterMs: surfaced, not slept
  });

  it('times out a hanging call: submit is ambiguous, get is retried', async () => {
    const { sim, client } = await setup({ timeline: { pendingMs: 0, runningMs: 0 } }, { timeoutMs: 200, getRetries: 1 });
    sim.faults.push({ on: 'submit', kind: 'hang', createTask: true });
    const t0 = Date.now();
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(e).toMatchObject({ kind: 'timeout', transient: true, mayHaveReachedServer: true });
    expect(sim.submitCount()).toBe(1);
    const taskId = [...sim.tasks.keys()][0]!;
    sim.faults.push({ on: 'get', kind: 'hang' });
    const t = await client.getTask(taskId);
    expect(t.status).toBe('SUCCEEDED');
    expect(sim.getCount(taskId)).toBe(2);
  });

  it('maps a malformed answer to malformed (not retried)', async () => {
    const { sim, client } = await setup();
    sim.faults.push({ on: 'submit', kind: 'malformed_text' });
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'malformed', status: 200, transient: false, mayHaveReachedServer: true });
    expect(sim.chargedCount()).toBe(1);
    sim.faults.push({ on: 'get', kind: 'malformed_text' });
    const g = await caught(client.getTask([...sim.tasks.keys()][0]!));
    expect(g.kind).toBe('malformed');
    expect(sim.getCount()).toBe(1);
  });

  it('maps a refused connection to network, not reached', async () => {
    const probe = await DmxapiSimulator.start();
    const baseUrl = probe.baseUrl;
    await probe.close();
    const budget = new RateBudget(1000);
    const client = new DmxapiClient({ baseUrl, key: KEY, timeoutMs: 1000, budget, getRetries: 0 });
    cleanups.push(() => client.close());
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'network', transient: true, mayHaveReachedServer: false });
  });

  it('reads the balance when billing exists, null when it does not (or hangs)', async () => {
    const { sim, client } = await setup({ billing: { totalUsd: 20, usedUsd: 4.25, submitCostUsd: 0.07 } });
    await client.submit(IMAGE, 'standard');
    expect(await client.getBalance()).toEqual({ totalUsd: 20, usedUsd: 4.32, remainingUsd: 15.68 });
    expect(sim.calls.filter((c) => c.kind === 'billing').every((c) => c.auth === 'raw')).toBe(true);
    await sim.close();

    const off = await setup();
    expect(await off.client.getBalance()).toBeNull();
    off.sim.faults.push({ on: 'billing', kind: 'hang', times: 2 });
    const slow = new DmxapiClient({ baseUrl: off.sim.baseUrl, key: KEY, timeoutMs: 150, budget: new RateBudget(1000) });
    cleanups.push(() => slow.close());
    expect(await slow.getBalance()).toBeNull();
  });

  it('spends the shared budget: a burst of gets is spread out', async () => {
    const { client } = await setup({ timeline: { pendingMs: 0, runningMs: 0 } }, { budget: new RateBudget(50) });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 15 }, (_, i) => client.getTask(`missing-${i}`)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250); // 14 gaps of 20 ms
  });
});

describe('DmxapiClient against odd servers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  });

  async function serve(
    handler: (body: string, auth: string | undefined) => { status: number; body: string; headers?: Record<string, string> },
    key = KEY,
  ) {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const out = handler(body, req.headers.authorization);
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
        res.end(out.body);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const budget = new RateBudget(1000);
    const client = new DmxapiClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      key,
      timeoutMs: 1000,
      budget,
      getRetries: 0,
    });
    cleanups.push(() => client.close());
    return client;
  }

  it('scrubs a key echoed by the upstream and truncates long messages', async () => {
    const client = await serve((_b, auth) => ({
      status: 400,
      body: JSON.stringify({ error: { message: `bad token ${auth} ${'x'.repeat(500)}`, type: 'invalid_request_error' } }),
    }));
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toContain('HTTP 400');
    expect(e.message).not.toContain(KEY);
    expect(e.message.length).toBeLessThan(300);
  });

  it('a failed task\'s message (shown to the member) carries no form of the key and is capped', async () => {
    // A key whose URL-encoded form differs from the raw one, and that no generic "sk-..." pattern covers.
    const key = 'Zk+secret/Key=9876543210_abcdef';
    const percentAll = [...Buffer.from(key)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const message = [
      `raw ${key}`,
      `header Bearer ${key}`,
      `query ?key=${encodeURIComponent(key)}`,
      `lower ${encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`,
      `every byte ${percentAll}`,
      'y'.repeat(1000),
    ].join(' ');
    const envelope = (text: string) =>
      JSON.stringify({ request_id: 'r', output: [{ type: 'message', content: [{ type: 'output_text', text }] }], usage: { total_tokens: 0 } });
    const client = await serve(
      () => ({ status: 200, body: envelope(JSON.stringify({ task_id: 't', task_status: 'FAILED', code: `E ${key}`, message })) }),
      key,
    );
    const info = await client.getTask('t');
    expect(info.status).toBe('FAILED');
    for (const text of [info.message!, info.code!]) {
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain('secret');
      expect(text).not.toContain('9876543210');
      expect(text.toLowerCase()).not.toContain('%2bsecret');
    }
    expect(info.message!.startsWith('raw [REDACTED] header Bearer [REDACTED] query ?key=[REDACTED] lower [REDACTED] every byte [REDACTED]')).toBe(true);
    expect(info.message!.length).toBeLessThanOrEqual(200);
  });

  it('maps 403 without balance wording to auth, 422/404 to bad_request, 503 to server', async () => {
    let status = 403;
    const client = await serve(() => ({ status, body: JSON.stringify({ error: { message: 'forbidden: ip not allowed' } }) }));
    expect((await caught(client.getTask('t'))).kind).toBe('auth');
    status = 422;
    expect((await caught(client.getTask('t'))).kind).toBe('bad_request');
    status = 404;
    expect((await caught(client.getTask('t'))).kind).toBe('bad_request');
    status = 503;
    const e = await caught(client.getTask('t'));
    expect(e).toMatchObject({ kind: 'server', transient: true, mayHaveReachedServer: true });
  });

  it('rejects unknown task statuses and answers about another task as malformed', async () => {
    let text = JSON.stringify({ task_id: 't', task_status: 'EXPLODED' });
    const client = await serve(() => ({
      status: 200,
      body: JSON.stringify({ request_id: 'r', output: [{ type: 'message', content: [{ type: 'output_text', text }] }], usage: { total_tokens: 0 } }),
    }));
    expect((await caught(client.getTask('t'))).kind).toBe('malformed');
    text = JSON.stringify({ task_id: 'other', task_status: 'RUNNING' });
    expect((await caught(client.getTask('t'))).kind).toBe('malformed');
    text = JSON.stringify({ task_id: 't', task_status: 'SUCCEEDED', results: [] });
    expect((await caught(client.getTask('t'))).kind).toBe('malformed');
    text = JSON.stringify({ task_id: 't', task_status: 'RUNNING', extra: { nested: true }, submit_time: '2026-05-28 23:13:55.082' });
    expect(await client.getTask('t')).toEqual({ taskId: 't', status: 'RUNNING', submitTime: '2026-05-28 23:13:55.082' });
    text = JSON.stringify({ code: 'InvalidParameter', message: 'image too small' });
    const e = await caught(client.submit(IMAGE, 'standard'));
    expect(e).toMatchObject({ kind: 'bad_request', upstreamCode: 'InvalidParameter' });
    expect(e.message).toContain('image too small');
  });

  it('a billed submit whose usage is no whole count still succeeds, with the tokens unknown', async () => {
    let tokens: unknown = 12.5;
    const text = JSON.stringify({ task_id: 't', task_status: 'PENDING' });
    const client = await serve(() => ({
      status: 200,
      body: JSON.stringify({ request_id: 'r', output: [{ type: 'message', content: [{ type: 'output_text', text }] }], usage: { total_tokens: tokens } }),
    }));
    expect(await client.submit(IMAGE, 'standard')).toMatchObject({ taskId: 't', totalTokens: null });
    tokens = -3;
    expect(await client.submit(IMAGE, 'standard')).toMatchObject({ taskId: 't', totalTokens: null });
    tokens = 4200;
    expect(await client.submit(IMAGE, 'standard')).toMatchObject({ taskId: 't', totalTokens: 4200 });
  });

  it('reads expiresAt as the earlier of the two auth_keys', async () => {
    const text = JSON.stringify({
      task_id: 't',
      task_status: 'SUCCEEDED',
      results: [
        {
          pbr_model_url: 'https://cdn.example/a.glb?auth_key=1779988512-IUSzc8lR-0-1f19a2b6a2b0038a9d24fc02c09422b4',
          rendered_image_url: 'https://cdn.example/a.webp?auth_key=1779988500-lHDHysK4-0-6dd610c8ab8ee02450d75550bd7ffa8e',
        },
      ],
    });
    const client = await serve(() => ({
      status: 200,
      body: JSON.stringify({ request_id: 'r', output: [{ type: 'message', content: [{ type: 'output_text', text }] }] }),
    }));
    const t = await client.getTask('t');
    expect(t.expiresAt).toBe(1779988500_000);
  });
});
