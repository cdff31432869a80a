import { afterEach, describe, expect, it } from 'vitest';
import { DmxapiSimulator, formatProviderTime } from './simulator.js';
import { buildGlb, glbLayout, NATURAL_GLB_BYTES } from './glb.js';
import { PREVIEW_WEBP, solidWebp } from './webp.js';
import { providerDurationMs } from '../../../src/upstream/provider-time.js';

const KEY = 'sk-test-key';
let sim: DmxapiSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function post(body: unknown, key: string | null = KEY): Promise<{ status: number; json: any; text?: any }> {
  const res = await fetch(`${sim!.baseUrl}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: key }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  let text: unknown;
  const t = json?.output?.[0]?.content?.[0]?.text;
  if (typeof t === 'string') {
    try {
      text = JSON.parse(t);
    } catch {
      text = t;
    }
  }
  return { status: res.status, json, text };
}

const submit = (image = 'https://example.com/cat.png', quality: string | undefined = 'standard') =>
  post({ model: 'Tripo-P1.0', input: { image }, ...(quality ? { parameters: { texture_quality: quality } } : {}) });
const get = (id: string) => post({ model: 'Tripo-P1.0-get', input: id });

/** Structural validation of a GLB: header, chunks, and every view/accessor inside the buffer. */
function checkGlb(buf: Buffer): any {
  expect(buf.readUInt32LE(0)).toBe(0x46546c67);
  expect(buf.subarray(0, 4).toString('ascii')).toBe('glTF');
  expect(buf.readUInt32LE(4)).toBe(2);
  expect(buf.readUInt32LE(8)).toBe(buf.length);
  expect(buf.length % 4).toBe(0);
  const jsonLen = buf.readUInt32LE(12);
  expect(buf.subarray(16, 20).toString('ascii')).toBe('JSON');
  expect(jsonLen % 4).toBe(0);
  const gltf = JSON.parse(buf.subarray(20, 20 + jsonLen).toString('utf8'));
  const binLen = buf.readUInt32LE(20 + jsonLen);
  expect(buf.readUInt32LE(24 + jsonLen)).toBe(0x004e4942);
  expect(28 + jsonLen + binLen).toBe(buf.length);
  expect(gltf.asset.version).toBe('2.0');
  expect(gltf.buffers[0].byteLength).toBe(binLen);
  const sizes: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };
  const comp: Record<number, number> = { 5121: 1, 5123: 2, 5125: 4, 5126: 4 };
  for (const v of gltf.bufferViews) expect(v.byteOffset + v.byteLength).toBeLessThanOrEqual(binLen);
  for (const a of gltf.accessors) {
    const view = gltf.bufferViews[a.bufferView];
    expect(a.count * sizes[a.type]! * comp[a.componentType]!).toBeLessThanOrEqual(view.byteLength);
  }
  const prim = gltf.meshes[0].primitives[0];
  expect(gltf.accessors[prim.attributes.POSITION].count).toBeGreaterThan(0);
  // Indices point at existing vertices.
  const bin = buf.subarray(28 + jsonLen);
  const idx = gltf.accessors[prim.indices];
  const vcount = gltf.accessors[prim.attributes.POSITION].count;
  for (let i = 0; i < idx.count; i++) expect(bin.readUInt16LE(gltf.bufferViews[idx.bufferView].byteOffset + 2 * i)).toBeLessThan(vcount);
  return gltf;
}

describe('GLB and WebP', () => {
  it('builds a valid GLB of natural size, ~1.5 KB', () => {
    const glb = buildGlb();
    expect(glb.length).toBe(NATURAL_GLB_BYTES);
    expect(glb.length).toBeGreaterThan(1000);
    expect(glb.length).toBeLessThan(2048);
    checkGlb(glb);
  });

  it('pads to exact sizes and stays valid', () => {
    for (const n of [2000, 4096, 65_536, 1_000_000]) {
      const glb = buildGlb(n);
      expect(glb.length).toBe(n);
      checkGlb(glb);
    }
    expect(glbLayout(1999).total).toBe(2000);
    expect(glbLayout(30 * 1024 * 1024).total).toBe(30 * 1024 * 1024);
  });

  it('makes a real lossless WebP', () => {
    const w = solidWebp(3, 5);
    expect(w.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(w.readUInt32LE(4)).toBe(w.length - 8);
    expect(w.subarray(8, 16).toString('ascii')).toBe('WEBPVP8L');
    expect(w[20]).toBe(0x2f);
    const bits = w.readUInt32LE(21);
    expect((bits & 0x3fff) + 1).toBe(3);
    expect(((bits >> 14) & 0x3fff) + 1).toBe(5);
    expect(PREVIEW_WEBP.length % 2).toBe(0);
  });

  it('formats times like the provider (UTC+8, milliseconds)', () => {
    // The doc's end_time 23:15:13.369 is 15:15:13.369 UTC.
    expect(formatProviderTime(Date.UTC(2026, 4, 28, 15, 15, 13, 369))).toBe('2026-05-28 23:15:13.369');
  });
});

describe('DmxapiSimulator', () => {
  it('submits like the doc and walks the timeline to SUCCEEDED', async () => {
    sim = await DmxapiSimulator.start({ timeline: { pendingMs: 10_000, runningMs: 60_000 } });
    const s = await submit();
    expect(s.status).toBe(200);
    expect(s.json.usage.total_tokens).toBe(35000);
    expect(typeof s.json.request_id).toBe('string');
    expect(s.json.output[0].type).toBe('message');
    expect(s.json.output[0].content[0].type).toBe('output_text');
    expect(Object.keys(s.text)).toEqual(['task_id', 'task_status']);
    expect(s.text.task_status).toBe('PENDING');
    const id = s.text.task_id as string;

    const p = await get(id);
    expect(p.json.usage.total_tokens).toBe(0);
    expect(p.text.task_status).toBe('PENDING');
    expect(p.text.submit_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);

    sim.advanceTime(10_000);
    const running = await get(id);
    expect(running.text.task_status).toBe('RUNNING');
    expect(running.text.scheduled_time).toBeTypeOf('string');
    sim.advanceTime(60_000);
    const done = await get(id);
    expect(done.text).toMatchObject({ task_id: id, task_status: 'SUCCEEDED' });
    expect(done.text.end_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    // In the provider's clock, submit to end is the timeline: 10 s pending + 60 s running.
    expect(providerDurationMs({ submitTime: done.text.submit_time, endTime: done.text.end_time })).toBe(70_000);
    const r = done.text.results[0];
    expect(r.pbr_model_url).toMatch(new RegExp(`/cdn/${id}/tripo_pbr_model_${id}\\.glb\\?auth_key=\\d{10}-[A-Za-z0-9]{8}-0-[0-9a-f]{32}$`));
    expect(r.rendered_image_url).toMatch(/legacy_mesh\.webp\?auth_key=/);
    const exp = Number(/auth_key=(\d+)/.exec(r.pbr_model_url)![1]) * 1000;
    expect(exp * 1 - sim.now()).toBeGreaterThan(2 * 3600_000 - 70_000 - 5000);

    const glbRes = await fetch(r.pbr_model_url);
    expect(glbRes.status).toBe(200);
    expect(glbRes.headers.get('content-type')).toBe('model/gltf-binary');
    const glb = Buffer.from(await glbRes.arrayBuffer());
    expect(Number(glbRes.headers.get('content-length'))).toBe(glb.length);
    checkGlb(glb);

    const webpRes = await fetch(r.rendered_image_url);
    expect(webpRes.headers.get('content-type')).toBe('image/webp');
    const webp = Buffer.from(await webpRes.arrayBuffer());
    expect(webp.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(webp.subarray(8, 12).toString('ascii')).toBe('WEBP');

    // Tampered or expired links are refused.
    expect((await fetch(r.pbr_model_url.replace(/.$/, (c: string) => (c === '0' ? '1' : '0')))).status).toBe(403);
    sim.advanceTime(2 * 3600_000 + 1000);
    expect((await fetch(r.pbr_model_url)).status).toBe(403);
    sim.advanceTime(24 * 3600_000);
    expect((await get(id)).text.task_status).toBe('UNKNOWN');
  });

  it('serves an exact large GLB, streamed', async () => {
    sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 } });
    sim.nextTasks.push({ modelBytes: 12 * 1024 * 1024 }, { modelBytes: 30 * 1024 * 1024 });
    const a = (await submit()).text.task_id as string;
    const b = (await submit()).text.task_id as string;
    const ua = (await get(a)).text.results[0].pbr_model_url as string;
    const res = await fetch(ua);
    expect(Number(res.headers.get('content-length'))).toBe(12 * 1024 * 1024);
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.length).toBe(12 * 1024 * 1024);
    checkGlb(buf);
    const ub = (await get(b)).text.results[0].pbr_model_url as string;
    const head = await fetch(ub, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe(30 * 1024 * 1024);
    let n = 0;
    for await (const chunk of (await fetch(ub)).body!) n += (chunk as Uint8Array).length;
    expect(n).toBe(30 * 1024 * 1024);
  });

  it('validates bodies and auth like the gateway', async () => {
    sim = await DmxapiSimulator.start();
    const bad = await post({ model: 'Tripo-P1.0', input: { image: 'https://x/a.png' } }, 'sk-wrong');
    expect(bad.status).toBe(401);
    expect(bad.json.error.message).toContain('无效的令牌');
    expect(bad.json.error.type).toBe('new_api_error');
    expect((await post({ model: 'Tripo-P1.0-get', input: 'x' }, null)).status).toBe(401);
    expect((await post({ model: 'Tripo-P1.0', input: { image: 'https://x/a.png' } }, `Bearer ${KEY}`)).status).toBe(200);
    expect((await post({ model: 'Tripo-P1.0', input: { image: 'https://x/a.png', prompt: 'cat' } })).status).toBe(400);
    expect((await post({ model: 'Tripo-P1.0', input: { image: 'ftp://x/a.png' } })).status).toBe(400);
    expect((await post({ model: 'Tripo-P1.0', input: { image: 'https://x/a.png' }, parameters: { texture_quality: 'ultra' } })).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    expect((await submit('https://x/b.png', undefined)).status).toBe(200);
    expect((await submit('https://x/b.png', 'detailed')).status).toBe(200);
    const unknown = await get('00000000-0000-0000-0000-000000000000');
    expect(unknown.text).toEqual({ task_id: '00000000-0000-0000-0000-000000000000', task_status: 'UNKNOWN' });
    expect(sim.submitCount()).toBe(7);
    expect(sim.submitCount('https://x/b.png')).toBe(2);
    expect(sim.chargedCount()).toBe(3);
    expect([...sim.tasks.values()].map((t) => t.quality)).toEqual(['standard', 'standard', 'detailed']);
    expect(sim.getCount()).toBe(2); // the unauthenticated one counts too
  });

  it('plays outcomes: FAILED, CANCELED, UNKNOWN, never, setOutcome', async () => {
    sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 } });
    sim.nextTasks.push(
      { outcome: 'FAILED', code: 'InvalidImage', message: 'no object found' },
      { outcome: 'CANCELED' },
      { outcome: 'UNKNOWN' },
      { outcome: 'never' },
    );
    sim.setOutcome((body) => (body.input.image?.includes('slow') ? { pendingMs: 10_000 } : undefined));
    const ids: string[] = [];
    for (const img of ['a', 'b', 'c', 'd', 'slow', 'e']) ids.push((await submit(`https://x/${img}.png`)).text.task_id);
    const texts = await Promise.all(ids.map(async (id) => (await get(id)).text));
    expect(texts[0]).toMatchObject({ task_status: 'FAILED', code: 'InvalidImage', message: 'no object found' });
    expect(texts[0].end_time).toBeTypeOf('string');
    expect(texts.map((t) => t.task_status)).toEqual(['FAILED', 'CANCELED', 'UNKNOWN', 'RUNNING', 'PENDING', 'SUCCEEDED']);
    sim.expire(ids[5]!);
    expect((await get(ids[5]!)).text.task_status).toBe('UNKNOWN');
  });

  it('holds a task in a state until released, then runs the rest of its timeline from the release', async () => {
    sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 } });
    sim.nextTasks.push({ holdIn: 'RUNNING' }, { holdIn: 'PENDING', runningMs: 60_000 });
    const running = (await submit()).text.task_id as string;
    const pending = (await submit()).text.task_id as string;
    // Long past their planned end (on the simulator clock), they stay where they are held.
    sim.advanceTime(3600_000);
    expect((await get(running)).text.task_status).toBe('RUNNING');
    expect((await get(pending)).text).not.toHaveProperty('scheduled_time');
    expect(sim.statusOf(pending)).toBe('PENDING');

    sim.release(running);
    const done = (await get(running)).text;
    expect(done.task_status).toBe('SUCCEEDED');
    // It ended at the release, so its links are fresh.
    expect(done.end_time).toBe(formatProviderTime(sim.now()).slice(0, 16) + done.end_time.slice(16));
    const file = await fetch(done.results[0].pbr_model_url);
    expect(file.status).toBe(200);
    await file.arrayBuffer();

    sim.release(pending);
    expect(sim.statusOf(pending)).toBe('RUNNING');
    sim.hold(pending, 'RUNNING');
    sim.advanceTime(120_000);
    expect(sim.statusOf(pending)).toBe('RUNNING');
    sim.release(pending);
    expect(sim.statusOf(pending)).toBe('SUCCEEDED');
  });

  it('injects faults and ends hanging requests on close', async () => {
    sim = await DmxapiSimulator.start({ timeline: { pendingMs: 0, runningMs: 0 } });
    sim.faults.push({ on: 'submit', kind: '429', retryAfterS: 2 });
    const r429 = await fetch(`${sim.baseUrl}/v1/responses`, {
      method: 'POST',
      headers: { authorization: KEY },
      body: JSON.stringify({ model: 'Tripo-P1.0', input: { image: 'https://x/a.png' } }),
    });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('2');
    expect(sim.chargedCount()).toBe(0);

    sim.faults.push({ on: 'any', kind: '403_no_balance' });
    const r403 = await submit();
    expect(r403.status).toBe(403);
    expect(r403.json.error.message).toContain('额度');

    sim.faults.push({ on: 'submit', kind: '500', createTask: true });
    expect((await submit()).status).toBe(500);
    expect(sim.chargedCount()).toBe(1);

    sim.faults.push({ on: 'submit', kind: 'malformed_text' });
    const mal = await submit();
    expect(mal.status).toBe(200);
    expect(typeof mal.text).toBe('string');
    expect(sim.chargedCount()).toBe(2);

    sim.faults.push({ on: 'get', kind: 'delay', ms: 150 });
    const t0 = Date.now();
    expect((await get('nope')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    sim.faults.push({ on: 'get', kind: 'hang' });
    const hanging = fetch(`${sim.baseUrl}/v1/responses`, {
      method: 'POST',
      headers: { authorization: KEY },
      body: JSON.stringify({ model: 'Tripo-P1.0-get', input: 'x' }),
    }).then(
      () => 'answered',
      () => 'failed',
    );
    await sim.waitFor((x) => x.calls.some((c) => c.fault === 'hang'), 1000);
    const closing = Date.now();
    await sim.close();
    await sim.close(); // idempotent
    expect(await hanging).toBe('failed');
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(sim.faults).toHaveLength(0);
  });

  it('serves billing only when enabled', async () => {
    sim = await DmxapiSimulator.start({ billing: { totalUsd: 50, usedUsd: 1.5 } });
    const h = { authorization: KEY };
    const sub = (await (await fetch(`${sim.baseUrl}/v1/dashboard/billing/subscription`, { headers: h })).json()) as any;
    expect(sub.hard_limit_usd).toBe(50);
    const usage = (await (await fetch(`${sim.baseUrl}/v1/dashboard/billing/usage`, { headers: h })).json()) as any;
    expect(usage.total_usage).toBe(150);
    await sim.close();
    sim = await DmxapiSimulator.start();
    expect((await fetch(`${sim.baseUrl}/v1/dashboard/billing/subscription`, { headers: h })).status).toBe(404);
  });
});
