import { Events, Routes, type Client } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord, type InteractionRecord } from '../fakes/discord/index.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { Deliverer, INTERACTION_TOKEN_TTL_MS, UndeliverableError } from '../../src/discord/deliver.js';
import { createLogger } from '../../src/log/index.js';
import type { MessagePayload } from '../../src/discord/render.js';
import type { Job } from '../../src/domain/job.js';
import { jobRow } from '../helpers/jobs.js';

/** The Deliverer's fallback routes against the fake Discord, through the bot's own discord.js REST. */
let fake: FakeDiscord;
let client: Client;
let deliverer: Deliverer;
let channelId: string;

beforeAll(async () => {
  fake = await FakeDiscord.start({ guilds: 1 });
  client = createDiscordClient({ apiUrl: fake.apiUrl });
  const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
  await client.login(fake.botToken);
  await ready;
  deliverer = new Deliverer(client.rest, createLogger({ level: 'silent' }));
  channelId = fake.guilds[0]!.channels.find((c) => c.type === 0)!.id;
});
afterAll(async () => {
  await client.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.faults.clear();
});

const payload = (content: string): MessagePayload => ({ content, embeds: [], components: [], files: [], mentionUsers: ['555'] });
const webhookCalls = () => fake.requests.filter((r) => r.route?.startsWith('/webhooks/'));

/** A /model3d acknowledged with a deferred reply, as the command leaves it. */
async function deferred(): Promise<InteractionRecord> {
  const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model3d', options: {}, channelId }));
  await client.rest.post(Routes.interactionCallback(rec.id, rec.token), { body: { type: 5 }, auth: false });
  return fake.interaction(rec.id)!;
}

function jobFor(rec: InteractionRecord, o: Partial<Job>): Job {
  return jobRow({
    interactionId: rec.id,
    interactionToken: rec.token,
    applicationId: fake.applicationId,
    guildId: rec.guildId,
    channelId: rec.channelId,
    userId: fake.build.defaultUser.id,
    messageId: rec.originalMessageId,
    createdAt: Date.now(),
    ...o,
  });
}

describe('Deliverer', () => {
  it('uses the webhook while the token lives (the baseline the other cases depart from)', async () => {
    const rec = await deferred();
    const d = await deliverer.deliver(jobFor(rec, {}), payload('hello'), { final: true, now: Date.now() });
    expect(d).toMatchObject({ route: 'webhook', messageId: rec.originalMessageId });
    expect(fake.message(rec.originalMessageId!)?.content).toBe('hello');
  });

  it('a token past its age goes straight to the channel route without trying the webhook', async () => {
    const rec = await deferred();
    const now = Date.now();
    const job = jobFor(rec, { createdAt: now - INTERACTION_TOKEN_TTL_MS - 1 });
    const before = webhookCalls().length;
    const d = await deliverer.deliver(job, payload('late result'), { final: true, now });
    expect(d).toMatchObject({ route: 'channel_edit', messageId: rec.originalMessageId });
    expect(fake.message(rec.originalMessageId!)?.content).toBe('late result');
    // The token still works on the fake (its own clock), so only the age check kept the bot off it.
    expect(webhookCalls().length).toBe(before);
  });

  it('a cleared token ("" after 15 minutes) is never sent to the webhook route', async () => {
    const rec = await deferred();
    const before = webhookCalls().length;
    const d = await deliverer.deliver(jobFor(rec, { interactionToken: '' }), payload('x'), { final: false, now: Date.now() });
    expect(d?.route).toBe('channel_edit');
    expect(webhookCalls().length).toBe(before);
  });

  it('a moved message (re-posted in the channel) is never edited through @original', async () => {
    const rec = await deferred();
    const moved = (await client.rest.post(Routes.channelMessages(rec.channelId), { body: { content: 'moved result' } })) as { id: string };
    const job = jobFor(rec, { deliveryRoute: 'channel_message', messageId: moved.id });
    const before = webhookCalls().length;
    const d = await deliverer.deliver(job, payload('updated'), { final: true, now: Date.now() });
    expect(d).toMatchObject({ route: 'channel_edit', messageId: moved.id });
    expect(fake.message(moved.id)?.content).toBe('updated');
    expect(webhookCalls().length).toBe(before);
    expect(fake.message(rec.originalMessageId!)?.content).toBe('');
    // The button edit after it follows the message too.
    await deliverer.editComponents(job, 'channel_message', moved.id, rec.channelId, payload('updated'), Date.now());
    expect(webhookCalls().length).toBe(before);
  });

  it('a refused DM (50007) after every channel route failed ends as undeliverable', async () => {
    const rec = await deferred();
    fake.faults.missingAccess({ channelId: rec.channelId });
    fake.faults.add({
      name: 'dm-refused',
      method: 'POST',
      route: '/channels/:channel/messages',
      status: 403,
      body: { message: 'Cannot send messages to this user', code: 50007 },
    });
    const now = Date.now();
    const job = jobFor(rec, { createdAt: now - INTERACTION_TOKEN_TTL_MS - 1 });
    const err = await deliverer.deliver(job, payload('result'), { final: true, now }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UndeliverableError);
    expect((err as Error).message).toContain('50007');
    // It did try the DM: the DM channel was opened and the message refused there.
    const dmPost = fake.requests.filter((r) => r.fault === 'dm-refused');
    expect(dmPost).toHaveLength(1);
    expect(dmPost[0]!.params.channel).not.toBe(rec.channelId);
  });
});
