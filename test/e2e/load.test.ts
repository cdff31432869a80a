/**
 * 30 /model3d at once against the built bot: every one acknowledged in time, every
 * one delivered, one submit each, and the provider never called faster than the
 * bot's global budget (10 calls per second by default). On each store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snowflake } from '../fakes/discord/index.js';
import { STORES, World, samplePng } from './harness.js';
import { maxInWindow } from '../helpers/rate.js';

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

  it('all acknowledged within 3 s, all delivered with the GLB, 30 submits, upstream rate within budget', async () => {
    const { discord, dmxapi } = world;
    const png = samplePng();
    const recs = Array.from({ length: N }, (_, i) => {
      const image = discord.hostFile(png, { filename: `load-${i}.png`, contentType: 'image/png', width: 256, height: 256 });
      const user = { id: snowflake(), username: `member${i}`, global_name: `Member ${i}` };
      return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user }));
    });

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
