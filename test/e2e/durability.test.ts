import { afterEach, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../fakes/discord/index.js';
import { World, downloadButton, hasGlb, sendModel3d, type BotProcess } from './harness.js';

/**
 * Discord says no while a job runs: expired interaction tokens, a deleted reply, a channel
 * the bot can no longer use, 5xx and 429 answers, a gateway drop. The member still gets
 * the preview and the GLB, and the bot keeps running.
 */

const WEBHOOK_ORIGINAL = '/webhooks/:app/:token/messages/@original';
const CHANNEL_MESSAGE = '/channels/:channel/messages/:message';

describe('delivery keeps working when Discord says no', () => {
  let world: World;
  let bot: BotProcess;

  afterEach(async () => {
    await world?.close();
  });

  async function setup(): Promise<void> {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 1500 } });
    bot = await world.startBot();
  }

  const send = (): InteractionRecord => sendModel3d(world.discord);

  /** The first progress edit (queued) went through the interaction webhook. */
  async function firstEdit(rec: InteractionRecord): Promise<void> {
    await world.discord.waitForRequest(
      { method: 'PATCH', route: WEBHOOK_ORIGINAL, token: rec.token, status: 200 },
      { timeoutMs: 10_000 },
    );
  }

  /** Every request the fake received has been answered (the store changes before the log entry is complete). */
  async function settled(): Promise<void> {
    await world.discord.waitFor(() => world.discord.requests.every((r) => r.finishedAt > 0), {
      timeoutMs: 5000,
      description: 'all requests answered',
    });
  }

  function expectHealthy(): void {
    expect(bot.running).toBe(true);
    const bad = bot.logs().filter((l) => l.msg === 'unhandled rejection' || l.msg === 'poller task failed' || l.level >= 60);
    expect(bad).toEqual([]);
  }

  it.each([
    { as: 401 as const, code: 50027 },
    { as: 404 as const, code: 10015 },
  ])('expired interaction token ($code): the result is edited into the same message through the channel route', async ({ as, code }) => {
    await setup();
    const { discord, dmxapi } = world;
    const rec = send();
    const expiry = discord.faults.expireWebhookToken(rec.token, { afterCalls: 1, as });
    await discord.waitForAck(rec.id);
    const originalId = rec.originalMessageId!;
    expect(originalId).toBeTruthy();

    const final = await discord.waitFor(() => (hasGlb(discord.message(originalId)) ? discord.message(originalId) : undefined), {
      timeoutMs: 15_000,
      description: 'the original message edited with the GLB',
    });
    // The download button lands on the same message, through the channel route too.
    await discord.waitFor(() => downloadButton(discord.message(originalId)), { timeoutMs: 5000, description: 'download button' });
    await settled();
    expect(expiry.fired).toBeGreaterThanOrEqual(1);
    expect(final.content).toContain('ready');
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    const viaChannel = discord.requestsMatching({ method: 'PATCH', route: CHANNEL_MESSAGE, status: 200 });
    expect(viaChannel.length).toBeGreaterThanOrEqual(1);
    expect(viaChannel.every((r) => r.params.message === originalId && r.params.channel === rec.channelId)).toBe(true);
    // No second message in the channel, one submit, the bot still up.
    expect(discord.messagesIn(rec.channelId).map((m) => m.id)).toEqual([originalId]);
    expect(dmxapi.submitCount()).toBe(1);
    expect(bot.logs().some((l) => l.msg === 'interaction token no longer valid; using the channel route' && l.code === code)).toBe(true);
    expectHealthy();
  });

  it('deleted reply: the result arrives as a new channel message that mentions the member', async () => {
    await setup();
    const { discord } = world;
    const rec = send();
    await discord.waitForAck(rec.id);
    const originalId = rec.originalMessageId!;
    await firstEdit(rec);
    expect(discord.deleteMessage(originalId)).toBe(true);
    const userId = discord.build.defaultUser.id;

    const fresh = await discord.waitFor(() => discord.messagesIn(rec.channelId).find(hasGlb), {
      timeoutMs: 15_000,
      description: 'a new channel message with the GLB',
    });
    // The button is added to the new message, not posted again.
    await discord.waitFor(() => downloadButton(discord.message(fresh.id)), { timeoutMs: 5000, description: 'download button' });
    await settled();
    expect(fresh.id).not.toBe(originalId);
    expect(discord.message(originalId)).toBeUndefined();
    expect(fresh.content).toContain(`<@${userId}>`);
    expect(fresh.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    const post = discord.requestsMatching({ method: 'POST', route: '/channels/:channel/messages', status: 200 });
    expect(post).toHaveLength(1);
    expect((post[0]!.body as { allowed_mentions?: { users?: string[] } }).allowed_mentions?.users).toEqual([userId]);
    expect(discord.messagesIn(rec.channelId).filter(hasGlb)).toHaveLength(1);
    expectHealthy();
  });

  it.each([
    { name: 'missing access (50001)', apply: (w: World, channelId: string) => w.discord.faults.missingAccess({ channelId }) },
    { name: 'missing permissions (50013)', apply: (w: World, channelId: string) => w.discord.faults.missingPermissions({ channelId }) },
  ])('token expired and channel unusable ($name): the result arrives as a DM', async ({ apply }) => {
    await setup();
    const { discord } = world;
    const rec = send();
    discord.faults.expireWebhookToken(rec.token, { afterCalls: 1 });
    const channelFault = apply(world, rec.channelId);
    await discord.waitForAck(rec.id);
    const userId = discord.build.defaultUser.id;

    const open = await discord.waitForRequest(
      { method: 'POST', route: '/users/@me/channels', status: 200 },
      { timeoutMs: 15_000 },
    );
    expect((open.body as { recipient_id: string }).recipient_id).toBe(userId);
    const dmId = (open.response as { id: string }).id;
    const dm = await discord.waitFor(() => discord.messagesIn(dmId).find(hasGlb), { timeoutMs: 5000, description: 'DM with the GLB' });
    expect(dm.content).toContain(`<@${userId}>`);
    expect(dm.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    await discord.waitFor(() => downloadButton(discord.message(dm.id)), { timeoutMs: 5000, description: 'download button in the DM' });
    await settled();
    // Both channel routes were tried first (edit by id, then a new message).
    expect(channelFault.fired).toBeGreaterThanOrEqual(2);
    expect(discord.requestsMatching({ method: 'PATCH', route: CHANNEL_MESSAGE }).length).toBeGreaterThanOrEqual(1);
    expect(discord.requestsMatching({ method: 'POST', route: '/channels/:channel/messages' }).some((r) => r.params.channel === rec.channelId)).toBe(true);
    expect(discord.messagesIn(rec.channelId).filter(hasGlb)).toHaveLength(0);
    expectHealthy();
  });

  it('transient 5xx and 429 on the webhook edit: retried, delivered once, no crash', async () => {
    await setup();
    const { discord } = world;
    const rec = send();
    const scope = { method: 'PATCH', route: WEBHOOK_ORIGINAL, token: rec.token, afterCalls: 1 };
    // After the first progress edit: three 502s (more than discord.js retries on its own), then two 429s.
    const errors = discord.faults.serverError({ ...scope, status: 502, times: 3 });
    const limited = discord.faults.rateLimit({ ...scope, times: 2, retryAfterSec: 0.1 });
    await discord.waitForAck(rec.id);

    const final = await discord.waitFor(() => (hasGlb(discord.originalMessage(rec.token)) ? discord.originalMessage(rec.token) : undefined), {
      timeoutMs: 20_000,
      description: 'final message with the GLB',
    });
    await discord.waitFor(() => downloadButton(discord.originalMessage(rec.token)), { timeoutMs: 5000, description: 'download button' });
    await settled();
    expect(errors.fired).toBe(3);
    expect(limited.fired).toBe(2);
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    expect(bot.logs().some((l) => l.msg === 'delivery failed; will retry')).toBe(true);
    // Delivered once: one successful upload of the GLB, one message.
    const uploads = discord.requests.filter((r) => r.status === 200 && r.files.some((f) => f.filename === 'model.glb'));
    expect(uploads).toHaveLength(1);
    expect(discord.messagesIn(rec.channelId)).toHaveLength(1);
    expectHealthy();
  });

  it('gateway disconnect and resume mid-job: the job delivers, and a new /model3d after the resume works', async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 2500 } });
    bot = await world.startBot();
    const { discord, dmxapi } = world;
    const first = send();
    await discord.waitForAck(first.id);
    await firstEdit(first);
    discord.disconnect({ resumable: true });
    expect(dmxapi.statusOf(dmxapi.submits[0]!.taskId!)).not.toBe('SUCCEEDED');
    await bot.waitForLog('gateway session resumed', 15_000);
    expect(discord.resumeCount).toBeGreaterThanOrEqual(1);
    expect(discord.identifyCount).toBe(1);

    await discord.waitFor(() => hasGlb(discord.originalMessage(first.token)), { timeoutMs: 15_000, description: 'first job delivered' });

    const second = send();
    const acked = await discord.waitForAck(second.id, { timeoutMs: 5000 });
    expect(acked.ackLatencyMs).toBeLessThan(3000);
    await discord.waitFor(() => hasGlb(discord.originalMessage(second.token)), { timeoutMs: 15_000, description: 'second job delivered' });
    expect(dmxapi.submitCount()).toBe(2);
    expectHealthy();
  });
});
