/**
 * 30 /model3d at once against the built bot: every one acknowledged in time, every
 * one delivered, one submit each, and the provider never called faster than the
 * bot's global budget (10 calls per second by default); no job's work starts while an
 * acknowledgement of the burst is still under way (src/jobs/start-queue.ts). On each store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snowflake } from '../fakes/discord/index.js';
import { STORES, World, samplePng } from './harness.js';
import { maxInWindow } from '../helpers/rate.js';
import { ACK_WINDOW_MS } from '../../src/jobs/start-queue.js';

const N = 30;
const RATE_PER_S = 10;

describe.each(STORES)('30 interactions at once (%s)', (store) => {
  let world: World;

  beforeEach(async () => {
    world = await World.start({ store });
    await world.startBot();
  });
  afterEach(async () => {
    await world.close();
  });

  it('all acknowledged within 3 s, every acknowledgement before any job work, all delivered with the GLB, 30 submits, upstream rate within budget', async () => {
    const { discord, dmxapi } = world;
    const png = samplePng();
    const command = (i: number) => {
      const image = discord.hostFile(png, { filename: `load-${i}.png`, contentType: 'image/png', width: 256, height: 256 });
      const user = { id: snowflake(), username: `member${i}`, global_name: `Member ${i}` };
      return discord.build.chatInput({ name: 'model3d', options: { image }, user });
    };
    // The burst's first acknowledgement is held at Discord until the others are in: every job's
    // work must wait for it, as it was received before them.
    const first = command(0);
    let release = () => undefined as void;
    const held = discord.faults.add({ name: 'hold the first ack', method: 'POST', route: '/interactions/:id/:token/callback', token: String(first.token), until: new Promise<void>((r) => (release = r)) });
    const recs = [discord.sendInteraction(first), ...Array.from({ length: N - 1 }, (_, i) => discord.sendInteraction(command(i + 1)))];
    await discord.waitFor(() => held.matched === 1 && recs.slice(1).every((r) => r.ackedAt !== null), { timeoutMs: 10_000, description: 'the other acknowledgements' });
    // A later command answered proves the bot has moved on past the others' acknowledgements.
    const later = discord.sendInteraction(discord.build.chatInput({ name: 'quota', user: { id: snowflake(), username: 'later', global_name: null } }));
    await discord.waitForAck(later.id, { timeoutMs: 10_000 });
    release();

    await discord.waitFor(() => recs.every((r) => r.ackedAt !== null), { timeoutMs: 10_000, description: 'all acknowledgements' });
    const latencies = recs.map((r) => r.ackLatencyMs!);
    expect(recs.every((r) => r.ackType === 5)).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(3000);

    const delivered = () => recs.filter((r) => discord.originalMessage(r.token)?.attachments.some((a) => a.filename === 'model.glb'));
    await discord.waitFor(() => delivered().length === N, {
      timeoutMs: 55_000,
      description: `all ${N} results (delivered so far: ${delivered().length})`,
    });

    for (const r of recs) {
      const m = discord.originalMessage(r.token)!;
      expect(m.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
      expect(m.content).toContain('your 3D model is ready');
    }
    // Exactly one submit per member's picture, none twice.
    expect(dmxapi.submitCount()).toBe(N);
    expect(new Set(dmxapi.submits.map((s) => s.imageUrl)).size).toBe(N);
    expect(dmxapi.chargedCount()).toBe(N);
    // Each job's work (its picture fetched for the probe first) began after the held acknowledgement,
    // or once it was past Discord's window and could hold nothing back.
    const probes = discord.requests.filter((r) => r.route === '/attachments/:channel/:id/:filename' && r.path.includes('/load-'));
    expect(probes.length).toBeGreaterThanOrEqual(N);
    const heldUntil = Math.min(recs[0]!.ackedAt!, recs[0]!.sentAt + ACK_WINDOW_MS);
    expect(probes.filter((r) => r.startedAt < heldUntil).map((r) => r.path)).toEqual([]);

    // Submits and status checks share one token bucket (burst 1, 10/s): in any span T it grants at
    // most 1 + T·rate calls. Times here are arrival times at the simulator: the bound holds where the
    // calls leave the bot, and on a loaded machine (tests run two files at a time) arrivals bunch up, so
    // a 1 s window gets half again as much room (no budget at all puts all 30 submits in one) and the
    // 5 s window and the average over the burst stay tight.
    const apiCalls = dmxapi.calls.filter((c) => c.kind === 'submit' || c.kind === 'get').map((c) => c.at);
    expect(apiCalls.length).toBeGreaterThanOrEqual(2 * N);
    expect(maxInWindow(apiCalls, 1000)).toBeLessThanOrEqual(Math.ceil(1.5 * RATE_PER_S));
    expect(maxInWindow(apiCalls, 5000)).toBeLessThanOrEqual(5 * RATE_PER_S + 2);
    // And on average, over the whole burst, no faster than the budget.
    const span = Math.max(...apiCalls) - Math.min(...apiCalls);
    expect(apiCalls.length - 1).toBeLessThanOrEqual((span * RATE_PER_S) / 1000 + 1);
  }, 75_000);
});
