import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser, InteractionRecord } from '../fakes/discord/index.js';
import type { TaskPlan } from '../fakes/dmxapi/index.js';
import { STORES, World, downloadButton, hasGlb, samplePng, type BotProcess } from './harness.js';

/**
 * Discord says no while a job runs: expired interaction tokens, a deleted reply, a channel
 * the bot can no longer use, 5xx and 429 answers, a gateway drop. The member still gets
 * the preview and the GLB, and the bot keeps running. On each store.
 *
 * One bot per store serves every case: each job comes from a member of its own in a channel of
 * its own, so the faults and the counts of one case do not reach another. Where a case needs the
 * task to still run (a deleted reply, a gateway drop), the simulator holds it until the test lets go.
 */

const WEBHOOK_ORIGINAL = '/webhooks/:app/:token/messages/@original';
const CHANNEL_MESSAGE = '/channels/:channel/messages/:message';

/** One job of a case: its interaction, its member, its channel and its picture. */
interface Case {
  rec: InteractionRecord;
  user: FakeUser;
  channelId: string;
  imageUrl: string;
}

describe.each(STORES)('delivery keeps working when Discord says no (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  let channels: string[] = [];

  beforeAll(async () => {
    world = await World.start({
      store,
      guilds: [{ channels: Array.from({ length: 10 }, (_, i) => ({ name: `case-${i}` })) }],
      timeline: { pendingMs: 200, runningMs: 400 },
    });
    bot = await world.startBot();
    channels = world.discord.guilds[0]!.channels.filter((c) => c.type === 0).map((c) => c.id);
  });
  afterAll(async () => {
    await world?.close();
  });

  /**
   * A /model3d in the next unused channel, from a new member (`plan`: the simulator's plan for its
   * task). `defaultUser`: from the fake's default member, the one member it can open a DM with.
   */
  function send(plan?: TaskPlan, { defaultUser = false } = {}): Case {
    const { discord, dmxapi } = world;
    const channelId = channels.shift();
    if (!channelId) throw new Error('no channel left: give the world more');
    const user = defaultUser ? discord.build.defaultUser : discord.build.user({ username: `member-${channelId.slice(-4)}` });
    if (plan) dmxapi.nextTasks.push(plan);
    const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, channelId }));
    return { rec, user, channelId, imageUrl: image.url };
  }

  const taskOf = async (c: Case): Promise<string> => {
    await world.dmxapi.waitFor((s) => s.submits.some((x) => x.imageUrl === c.imageUrl && x.taskId), 10_000);
    return world.dmxapi.submits.find((x) => x.imageUrl === c.imageUrl)!.taskId!;
  };

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

  const uploadsIn = (channelId: string, token: string) =>
    world.discord.requests.filter(
      (r) => r.status === 200 && (r.params.token === token || r.params.channel === channelId) && r.files.some((f) => f.filename === 'model.glb'),
    );

  it.each([
    { as: 401 as const, code: 50027 },
    { as: 404 as const, code: 10015 },
  ])('expired interaction token ($code): the result is edited into the same message through the channel route', async ({ as, code }) => {
    const { discord, dmxapi } = world;
    const c = send();
    const expiry = discord.faults.expireWebhookToken(c.rec.token, { afterCalls: 1, as });
    await discord.waitForAck(c.rec.id);
    const originalId = c.rec.originalMessageId!;
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
    const viaChannel = discord.requestsMatching({ method: 'PATCH', route: CHANNEL_MESSAGE, status: 200 }).filter((r) => r.params.channel === c.channelId);
    expect(viaChannel.length).toBeGreaterThanOrEqual(1);
    expect(viaChannel.every((r) => r.params.message === originalId)).toBe(true);
    // No second message in the channel, one submit, one upload, the bot still up.
    expect(discord.messagesIn(c.channelId).map((m) => m.id)).toEqual([originalId]);
    expect(dmxapi.submitCount(c.imageUrl)).toBe(1);
    expect(uploadsIn(c.channelId, c.rec.token)).toHaveLength(1);
    const taskId = await taskOf(c);
    await bot.waitForLog((l) => l.msg === 'interaction token no longer valid; using the channel route' && l.code === code && l.taskId === taskId, 5000);
    expectHealthy();
  });

  it('deleted reply: the result arrives as a new channel message that mentions the member', async () => {
    const { discord, dmxapi } = world;
    // The task runs until the reply is gone.
    const c = send({ holdIn: 'RUNNING' });
    await discord.waitForAck(c.rec.id);
    const originalId = c.rec.originalMessageId!;
    await firstEdit(c.rec);
    expect(discord.deleteMessage(originalId)).toBe(true);
    dmxapi.release(await taskOf(c));

    const fresh = await discord.waitFor(() => discord.messagesIn(c.channelId).find(hasGlb), {
      timeoutMs: 15_000,
      description: 'a new channel message with the GLB',
    });
    // The button is added to the new message, not posted again.
    await discord.waitFor(() => downloadButton(discord.message(fresh.id)), { timeoutMs: 5000, description: 'download button' });
    await settled();
    expect(fresh.id).not.toBe(originalId);
    expect(discord.message(originalId)).toBeUndefined();
    expect(fresh.content).toContain(`<@${c.user.id}>`);
    expect(fresh.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    const post = discord.requestsMatching({ method: 'POST', route: '/channels/:channel/messages', status: 200 }).filter((r) => r.params.channel === c.channelId);
    expect(post).toHaveLength(1);
    expect((post[0]!.body as { allowed_mentions?: { users?: string[] } }).allowed_mentions?.users).toEqual([c.user.id]);
    expect(discord.messagesIn(c.channelId).filter(hasGlb)).toHaveLength(1);
    // The store follows the message: the job now lives in the new one.
    expect(await world.row('SELECT message_id, delivery_route FROM jobs WHERE interaction_id = @id', { id: c.rec.id })).toEqual({
      message_id: fresh.id,
      delivery_route: 'channel_message',
    });
    expectHealthy();
  });

  it.each([
    { name: 'missing access (50001)', apply: (w: World, channelId: string) => w.discord.faults.missingAccess({ channelId }) },
    { name: 'missing permissions (50013)', apply: (w: World, channelId: string) => w.discord.faults.missingPermissions({ channelId }) },
  ])('token expired and channel unusable ($name): the result arrives as a DM', async ({ apply }) => {
    const { discord } = world;
    // Both DM cases go to one member (the DM channel is theirs): only what came after this send counts.
    const from = discord.requests.length;
    const c = send(undefined, { defaultUser: true });
    discord.faults.expireWebhookToken(c.rec.token, { afterCalls: 1 });
    const channelFault = apply(world, c.channelId);
    await discord.waitForAck(c.rec.id);

    const open = await discord.waitFor(
      () =>
        discord.requests
          .slice(from)
          .find((r) => r.method === 'POST' && r.route === '/users/@me/channels' && r.status === 200 && (r.body as { recipient_id?: string }).recipient_id === c.user.id),
      { timeoutMs: 15_000, description: "the DM channel opened with the job's member" },
    );
    const dmId = (open.response as { id: string }).id;
    // The DM this job posted (the channel may hold the other case's DM too).
    const dm = await discord.waitFor(
      () => {
        const post = discord.requests
          .slice(from)
          .find((r) => r.method === 'POST' && r.route === '/channels/:channel/messages' && r.params.channel === dmId && r.status === 200);
        const m = post && discord.message((post.response as { id: string }).id);
        return hasGlb(m) ? m : undefined;
      },
      { timeoutMs: 5000, description: 'DM with the GLB' },
    );
    expect(dm.content).toContain(`<@${c.user.id}>`);
    expect(dm.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    await discord.waitFor(() => downloadButton(discord.message(dm.id)), { timeoutMs: 5000, description: 'download button in the DM' });
    await settled();
    // Both channel routes were tried first (edit by id, then a new message).
    expect(channelFault.fired).toBeGreaterThanOrEqual(2);
    const inChannel = (r: { params: Record<string, string> }) => r.params.channel === c.channelId;
    expect(discord.requestsMatching({ method: 'PATCH', route: CHANNEL_MESSAGE }).filter(inChannel).length).toBeGreaterThanOrEqual(1);
    expect(discord.requestsMatching({ method: 'POST', route: '/channels/:channel/messages' }).some(inChannel)).toBe(true);
    expect(discord.messagesIn(c.channelId).filter(hasGlb)).toHaveLength(0);
    expect(await world.row('SELECT delivery_route FROM jobs WHERE interaction_id = @id', { id: c.rec.id })).toEqual({ delivery_route: 'dm' });
    expectHealthy();
  });

  it('transient 5xx and 429 on the webhook edit: retried, delivered once, no crash', async () => {
    const { discord } = world;
    const c = send();
    const scope = { method: 'PATCH', route: WEBHOOK_ORIGINAL, token: c.rec.token, afterCalls: 1 };
    // After the first progress edit: three 502s (more than discord.js retries on its own), then two 429s.
    const errors = discord.faults.serverError({ ...scope, status: 502, times: 3 });
    const limited = discord.faults.rateLimit({ ...scope, times: 2, retryAfterSec: 0.1 });
    await discord.waitForAck(c.rec.id);

    const final = await discord.waitFor(() => (hasGlb(discord.originalMessage(c.rec.token)) ? discord.originalMessage(c.rec.token) : undefined), {
      timeoutMs: 20_000,
      description: 'final message with the GLB',
    });
    await discord.waitFor(() => downloadButton(discord.originalMessage(c.rec.token)), { timeoutMs: 5000, description: 'download button' });
    await settled();
    expect(errors.fired).toBe(3);
    expect(limited.fired).toBe(2);
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    const taskId = await taskOf(c);
    await bot.waitForLog((l) => l.msg === 'delivery failed; will retry' && l.taskId === taskId, 5000);
    // Delivered once: one successful upload of the GLB, one message.
    expect(uploadsIn(c.channelId, c.rec.token)).toHaveLength(1);
    expect(discord.messagesIn(c.channelId)).toHaveLength(1);
    expectHealthy();
  });

  // Last: the gateway drop reaches every case's bot session.
  it('gateway disconnect and resume mid-job: the job delivers, and a new /model3d after the resume works', async () => {
    const { discord, dmxapi } = world;
    const identified = discord.identifyCount;
    // The task runs until the session is back.
    const first = send({ holdIn: 'RUNNING' });
    await discord.waitForAck(first.rec.id);
    await firstEdit(first.rec);
    const resumedBefore = bot.logs().filter((l) => l.msg === 'gateway session resumed').length;
    discord.disconnect({ resumable: true });
    await bot.waitFor('gateway session resumed', 15_000, () => bot.logs().filter((l) => l.msg === 'gateway session resumed').length > resumedBefore);
    expect(discord.resumeCount).toBeGreaterThanOrEqual(1);
    expect(discord.identifyCount).toBe(identified);
    const taskId = await taskOf(first);
    expect(dmxapi.statusOf(taskId)).toBe('RUNNING');
    dmxapi.release(taskId);

    await discord.waitFor(() => hasGlb(discord.originalMessage(first.rec.token)), { timeoutMs: 15_000, description: 'first job delivered' });

    const second = send();
    const acked = await discord.waitForAck(second.rec.id, { timeoutMs: 5000 });
    expect(acked.ackLatencyMs).toBeLessThan(3000);
    await discord.waitFor(() => hasGlb(discord.originalMessage(second.rec.token)), { timeoutMs: 15_000, description: 'second job delivered' });
    expect(dmxapi.submitCount(first.imageUrl)).toBe(1);
    expect(dmxapi.submitCount(second.imageUrl)).toBe(1);
    expectHealthy();
  });
});
