import { REST } from '@discordjs/rest';
import { AttachmentBuilder, ChatInputCommandInteraction, Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, Routes, type Interaction } from 'discord.js';
import { createInflate } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeDiscord, opt } from './index.js';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

async function start(opts: Parameters<typeof FakeDiscord.start>[0] = {}, fastReidentify = false): Promise<{ fake: FakeDiscord; client: Client }> {
  fake = await FakeDiscord.start({ heartbeatIntervalMs: 500, ...opts });
  client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: fake.apiUrl, retries: 2 },
    // @discordjs/ws waits ~5 s between two IDENTIFYs of one shard; skip that where a test re-identifies.
    ...(fastReidentify ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) } } : {}),
  });
  const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
  await client.login(fake.botToken);
  await bounded(ready, 5000, 'clientReady');
  await fake.waitForReady();
  return { fake, client };
}

function nextInteraction(c: Client, ms = 3000): Promise<Interaction> {
  return bounded(new Promise<Interaction>((resolve) => c.once(Events.InteractionCreate, resolve)), ms, 'interactionCreate');
}

async function expectApiError(p: Promise<unknown>, code: number): Promise<DiscordAPIError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscordAPIError);
  expect((err as DiscordAPIError).code).toBe(code);
  return err as DiscordAPIError;
}

const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('FakeDiscord with the real discord.js Client', () => {
  it('logs in with 0 guilds', async () => {
    const { fake, client } = await start({ guilds: 0 });
    expect(client.isReady()).toBe(true);
    expect(client.guilds.cache.size).toBe(0);
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(fake.identifyCount).toBe(1);
    expect(fake.requestsMatching({ route: '/gateway/bot' })[0]?.headers.authorization).toBe(`Bot ${fake.botToken}`);
  });

  it('logs in with 3 guilds, each with a text channel and @everyone', async () => {
    const { fake, client } = await start({ guilds: 3 });
    expect(client.guilds.cache.size).toBe(3);
    for (const g of fake.guilds) {
      const guild = client.guilds.cache.get(g.id);
      expect(guild?.available).toBe(true);
      expect(guild?.roles.everyone.id).toBe(g.id);
      expect(guild?.channels.cache.some((c) => c.isTextBased())).toBe(true);
      expect(guild?.members.me?.id).toBe(fake.botUser.id);
    }
  });

  it('defers, edits with a file, fetches the reply and follows up ephemerally', async () => {
    const { fake, client } = await start();
    const image = fake.hostFile(PNG_1x1, { filename: 'cat.png' });
    expect(image.width).toBe(1);
    const payload = fake.build.chatInput({ name: 'model', subcommand: 'create', options: { image, prompt: 'a cat', steps: 3, hd: true, who: opt.user({ id: fake.build.defaultUser.id }) } });
    const got = nextInteraction(client);
    const rec = fake.sendInteraction(payload);
    const interaction = (await got) as ChatInputCommandInteraction;
    expect(interaction.isChatInputCommand()).toBe(true);
    expect(interaction.options.getSubcommand()).toBe('create');
    expect(interaction.options.getString('prompt')).toBe('a cat');
    expect(interaction.options.getInteger('steps')).toBe(3);
    expect(interaction.options.getBoolean('hd')).toBe(true);
    expect(interaction.options.getUser('who')?.id).toBe(fake.build.defaultUser.id);
    const att = interaction.options.getAttachment('image', true);
    expect(att.size).toBe(PNG_1x1.length);
    expect(interaction.attachmentSizeLimit).toBe(10 * 1024 * 1024);
    expect(interaction.inGuild()).toBe(true);

    // The bot can download the user's upload, including by range.
    const full = await fetch(att.url);
    expect(full.headers.get('content-length')).toBe(String(PNG_1x1.length));
    expect(Buffer.from(await full.arrayBuffer()).equals(PNG_1x1)).toBe(true);
    const part = await fetch(att.url, { headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-7/${PNG_1x1.length}`);
    expect((await part.arrayBuffer()).byteLength).toBe(8);

    await interaction.deferReply();
    expect(rec.ackType).toBe(5);
    expect(rec.ackLatencyMs).toBeGreaterThanOrEqual(0);
    expect(fake.originalMessage(rec.token)?.flags).toBe(128);

    const glb = Buffer.alloc(2048, 7);
    await interaction.editReply({ content: 'done', files: [new AttachmentBuilder(glb, { name: 'model.glb' })] });
    const patch = fake.requestsMatching({ method: 'PATCH', route: '/webhooks/:app/:token/messages/@original' })[0];
    expect(patch?.files[0]?.filename).toBe('model.glb');
    expect(patch?.files[0]?.size).toBe(2048);
    expect(patch?.files[0]?.field).toBe('files[0]');
    const original = fake.originalMessage(rec.token);
    expect(original?.content).toBe('done');
    expect(original?.flags).toBe(0);
    expect(original?.attachments[0]?.filename).toBe('model.glb');
    expect(fake.fileBytes(original!.attachments[0]!.url)?.equals(glb)).toBe(true);

    const fetched = await interaction.fetchReply();
    expect(fetched.content).toBe('done');
    expect(fetched.attachments.first()?.size).toBe(2048);

    const follow = await interaction.followUp({ content: 'only you', flags: MessageFlags.Ephemeral });
    expect(follow.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(fake.followups(rec.token).map((m) => m.flags)).toEqual([64]);

    // Acknowledging twice: 40060.
    await expectApiError(client.rest.post(Routes.interactionCallback(rec.id, rec.token), { body: { type: 5 }, auth: false }), 40060);
  });

  it('answers 10062 for unknown interactions and late acknowledgements', async () => {
    const { fake, client } = await start({ ackDeadlineMs: 50 });
    await expectApiError(client.rest.post(Routes.interactionCallback('123456789012345678', 'nope'), { body: { type: 5 }, auth: false }), 10062);
    const got = nextInteraction(client);
    fake.sendInteraction(fake.build.chatInput({ name: 'ping', guildId: null }));
    const interaction = (await got) as ChatInputCommandInteraction;
    expect(interaction.inGuild()).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    await expectApiError(interaction.deferReply(), 10062);
  });

  it('reply with_response, and button presses update their message', async () => {
    const { fake, client } = await start();
    const got = nextInteraction(client);
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'ping' }));
    const interaction = (await got) as ChatInputCommandInteraction;
    const response = await interaction.reply({ content: 'pong', withResponse: true });
    expect(response.resource?.message?.content).toBe('pong');
    const msgId = fake.originalMessage(rec.token)!.id;
    expect(response.resource?.message?.id).toBe(msgId);
    expect(response.interaction.responseMessageId).toBe(msgId);

    // A deferred reply (type 5): no `resource`, the id only in interaction.response_message_id.
    const gotDeferred = nextInteraction(client);
    const deferredRec = fake.sendInteraction(fake.build.chatInput({ name: 'ping' }));
    const deferred = (await gotDeferred) as ChatInputCommandInteraction;
    const ack = await deferred.deferReply({ withResponse: true });
    expect(ack.resource).toBeNull();
    expect(ack.interaction.responseMessageId).toBe(fake.originalMessage(deferredRec.token)!.id);
    expect(ack.interaction.responseMessageLoading).toBe(true);
    const raw = fake.requestsMatching({ route: '/interactions/:id/:token/callback', token: deferredRec.token })[0]!;
    expect(raw.response).not.toHaveProperty('resource');

    const gotButton = nextInteraction(client);
    fake.sendInteraction(fake.build.button({ customId: 'cancel:1', message: { id: msgId } }));
    const button = await gotButton;
    expect(button.isButton() && button.customId).toBe('cancel:1');
    if (!button.isButton()) throw new Error('not a button');
    await button.update({ content: 'cancelled', components: [] });
    expect(fake.message(msgId)?.content).toBe('cancelled');
  });

  it('webhook token expiry gives DiscordAPIError 50027 (or 10015)', async () => {
    const { fake, client } = await start();
    const got = nextInteraction(client);
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model' }));
    const interaction = (await got) as ChatInputCommandInteraction;
    await interaction.deferReply();
    fake.faults.expireWebhookToken(rec.token, { afterCalls: 1 });
    await interaction.editReply('progress 1');
    const err = await expectApiError(interaction.editReply('progress 2'), 50027);
    expect(err.status).toBe(401);
    fake.faults.clear();
    fake.faults.expireWebhookToken(rec.token, { as: 404 });
    await expectApiError(interaction.fetchReply(), 10015);
  });

  it('edits a channel message, then 10008 after deletion; permission faults', async () => {
    const { fake, client } = await start();
    const channelId = fake.guilds[0]!.channels.find((c) => c.type === 0)!.id;
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const msg = await channel.send('hello');
    const edited = await msg.edit({ content: 'hello again', embeds: [{ title: 'x' }] });
    expect(edited.content).toBe('hello again');
    expect(fake.message(msg.id)?.edited_timestamp).not.toBeNull();
    expect(fake.messagesIn(channelId).map((m) => m.content)).toEqual(['hello again']);

    fake.deleteMessage(msg.id);
    await expectApiError(msg.edit('again'), 10008);
    await expectApiError(channel.messages.fetch({ message: msg.id, force: true }), 10008);

    fake.faults.missingPermissions({ method: 'POST', route: '/channels/:channel/messages', channelId, times: 1 });
    await expectApiError(channel.send('x'), 50013);
    fake.faults.missingAccess({ route: '/channels/:channel/messages', channelId });
    await expectApiError(channel.send('x'), 50001);
    await expectApiError(client.rest.get(Routes.channel('111111111111111111')), 10003);
  });

  it('discord.js retries a 429 (and a 500) then succeeds', async () => {
    const { fake, client } = await start();
    const channelId = fake.guilds[0]!.channels.find((c) => c.type === 0)!.id;
    const rl = fake.faults.rateLimit({ route: '/channels/:channel/messages', times: 2, retryAfterSec: 0.05 });
    const t0 = Date.now();
    const res = (await client.rest.post(Routes.channelMessages(channelId), { body: { content: 'hi' } })) as { id: string };
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(rl.fired).toBe(2);
    const posts = fake.requestsMatching({ method: 'POST', route: '/channels/:channel/messages' });
    expect(posts.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(posts[0]?.headers['content-type']).toContain('application/json');
    expect(fake.message(res.id)?.content).toBe('hi');

    fake.faults.serverError({ route: '/channels/:channel/messages', status: 502 });
    await client.rest.post(Routes.channelMessages(channelId), { body: { content: 'again' } });
    expect(fake.requestsMatching({ method: 'POST', route: '/channels/:channel/messages' }).map((r) => r.status)).toEqual([429, 429, 200, 502, 200]);
  });

  it('resumes after a resumable disconnect and still receives interactions', async () => {
    const { fake, client } = await start();
    const resumed = bounded(new Promise<void>((resolve) => client.once(Events.ShardResume, () => resolve())), 5000, 'shardResume');
    fake.disconnect({ resumable: true });
    await resumed;
    expect(fake.resumeCount).toBe(1);
    expect(fake.identifyCount).toBe(1);
    const got = nextInteraction(client);
    fake.sendInteraction(fake.build.chatInput({ name: 'after' }));
    const i = await got;
    expect(i.isChatInputCommand() && i.commandName).toBe('after');
  });

  it('replays dispatches missed while disconnected on RESUME', async () => {
    const { fake, client } = await start();
    const got = nextInteraction(client, 5000);
    fake.disconnect({ resumable: true, mode: 'terminate' });
    await fake.waitFor(() => fake.gateway.connectedSessions().length === 0, { description: 'socket gone' });
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'missed' }));
    const i = await got;
    expect(i.id).toBe(rec.id);
    expect(fake.resumeCount).toBe(1);
    expect(fake.identifyCount).toBe(1);
  });

  it('the first follow-up after a deferral replaces the thinking message', async () => {
    const { fake, client } = await start();
    const got = nextInteraction(client);
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model' }));
    const interaction = (await got) as ChatInputCommandInteraction;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(fake.originalMessage(rec.token)?.flags).toBe(64 | 128);
    const first = await interaction.followUp('result');
    expect(first.id).toBe(fake.originalMessage(rec.token)?.id);
    expect(fake.originalMessage(rec.token)?.flags).toBe(64);
    const second = await interaction.followUp('more');
    expect(second.id).not.toBe(first.id);
    expect(fake.followups(rec.token).map((m) => m.content)).toEqual(['more']);
    // Ephemeral messages are not reachable through channel routes.
    await expectApiError(client.rest.get(Routes.channelMessage(rec.channelId, first.id)), 10008);
  });

  it('non-resumable disconnect makes the client identify again', async () => {
    const { fake, client } = await start({}, true);
    // Wait for the client side too: destroying a discord.js client mid-IDENTIFY makes it hang.
    const readyAgain = bounded(new Promise<void>((resolve) => client.once(Events.ShardReady, () => resolve())), 5000, 'shardReady');
    fake.disconnect({ resumable: false });
    await readyAgain;
    expect(fake.identifyCount).toBe(2);
    expect(fake.resumeCount).toBe(0);
    expect(fake.gateway.stats.failedResumes).toBe(0);
  });
});

describe('FakeDiscord gateway details', () => {
  it('supports compress=zlib-stream and rejects a bad token with 4004', async () => {
    fake = await FakeDiscord.start();
    const ws = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json&compress=zlib-stream`);
    const inflate = createInflate();
    const hello = new Promise<{ op: number; d: { heartbeat_interval: number } }>((resolve) => inflate.on('data', (c: Buffer) => resolve(JSON.parse(c.toString()))));
    ws.on('message', (data: Buffer) => inflate.write(data));
    const payload = await bounded(hello, 2000, 'HELLO');
    expect(payload.op).toBe(10);
    expect(payload.d.heartbeat_interval).toBe(41250);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ op: 2, d: { token: 'bad', intents: 1, properties: {} } }));
    expect(await bounded(closed, 2000, 'close')).toBe(4004);
    inflate.destroy();
  });
});

describe('FakeDiscord REST routes via @discordjs/rest', () => {
  it('commands, DMs, auth, 404s and waitFor timeouts', async () => {
    fake = await FakeDiscord.start({ guilds: 1 });
    const rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken(fake.botToken);
    const guildId = fake.guilds[0]!.id;
    const cmds = (await rest.put(Routes.applicationCommands(fake.applicationId), {
      body: [{ name: 'model', description: 'Make a 3D model', options: [{ type: 11, name: 'image', description: 'img', required: true }] }],
    })) as Array<{ id: string; name: string }>;
    expect(cmds[0]?.id).toMatch(/^\d{17,20}$/);
    const again = (await rest.put(Routes.applicationCommands(fake.applicationId), { body: [{ name: 'model', description: 'v2' }] })) as Array<{ id: string }>;
    expect(again[0]?.id).toBe(cmds[0]?.id);
    expect(fake.build.chatInput({ name: 'model' }).data).toMatchObject({ id: cmds[0]?.id });
    await rest.put(Routes.applicationGuildCommands(fake.applicationId, guildId), { body: [] });
    expect(await rest.get(Routes.applicationGuildCommands(fake.applicationId, guildId))).toEqual([]);
    const bad = await rest.put(Routes.applicationCommands(fake.applicationId), { body: [{ name: 'Bad Name', description: '' }] }).catch((e: unknown) => e);
    expect((bad as DiscordAPIError).code).toBe(50035);

    const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: fake.build.defaultUser.id } })) as { id: string; type: number };
    expect(dm.type).toBe(1);
    await rest.post(Routes.channelMessages(dm.id), { body: { content: 'your model is ready' } });
    expect(fake.messagesIn(dm.id)[0]?.content).toBe('your model is ready');
    await expect(rest.post(Routes.channelMessages(dm.id), { body: {} })).rejects.toMatchObject({ code: 50006 });

    expect(await rest.get(Routes.user('@me'))).toMatchObject({ id: fake.botUser.id, bot: true });
    const unauth = new REST({ api: fake.apiUrl, retries: 0 }).setToken('wrong');
    await expect(unauth.get(Routes.user('@me'))).rejects.toMatchObject({ status: 401 });
    const nf = await fetch(`${fake.apiUrl}/v10/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ message: '404: Not Found', code: 0 });

    fake.faults.delay(100, { route: '/users/@me' });
    const t0 = Date.now();
    await rest.get(Routes.user('@me'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);

    await expect(fake.waitFor(() => false, { timeoutMs: 30, description: 'nothing' })).rejects.toThrow(/timed out after 30 ms waiting for nothing/);
    await fake.close();
    await fake.close();
  });
});

describe('FakeDiscord forum channels (type 15)', () => {
  it('creates a post with a first message, files and applied tags; edits tags; deletes the post', async () => {
    const { fake, client } = await start({
      guilds: [{ channels: [{ name: 'general' }, { name: 'gallery', type: 15, available_tags: [{ id: '900000000000000001', name: 'Existing', moderated: false, emoji_id: null, emoji_name: null }] }] }],
    });
    const forum = fake.guilds[0]!.channels.find((c) => c.type === 15)!;
    expect((client.channels.cache.get(forum.id) as { type: number } | undefined)?.type).toBe(15);

    // New tag: the spec's update_channel with available_tags; ids are given to new tags, kept for old ones.
    const updated = (await client.rest.patch(Routes.channel(forum.id), {
      body: { available_tags: [{ id: '900000000000000001', name: 'Existing' }, { name: 'Standard' }] },
    })) as { available_tags: { id: string; name: string }[] };
    expect(updated.available_tags.map((t) => t.name)).toEqual(['Existing', 'Standard']);
    expect(updated.available_tags[0]!.id).toBe('900000000000000001');
    const standard = updated.available_tags[1]!.id;
    await fake.waitFor(() => (client.channels.cache.get(forum.id) as unknown as { availableTags?: unknown[] })?.availableTags?.length === 2, {
      description: 'CHANNEL_UPDATE reached the client',
    });

    await expectApiError(client.rest.post(Routes.threads(forum.id), { body: { name: 'x', message: { content: 'a' }, applied_tags: ['123'] } }), 50035);
    await expectApiError(client.rest.post(Routes.threads(forum.id), { body: { name: 'x' } }), 50035);
    await expectApiError(client.rest.post(Routes.threads(forum.id), { body: { name: '', message: { content: 'a' } } }), 50035);

    const post = (await client.rest.post(Routes.threads(forum.id), {
      body: { name: 'Teapot', applied_tags: [standard], message: { content: 'Look', attachments: [{ id: 0, filename: 'teapot.glb' }] } },
      files: [{ name: 'teapot.glb', data: Buffer.from('glTF model') }],
    })) as { id: string; type: number; parent_id: string; applied_tags: string[]; message: { id: string; attachments: { filename: string; url: string }[] } };
    expect(post).toMatchObject({ type: 11, parent_id: forum.id, applied_tags: [standard] });
    expect(post.message.id).toBe(post.id);
    expect(fake.messagesIn(post.id)[0]?.content).toBe('Look');
    expect(fake.fileBytes(post.message.attachments[0]!.url)?.toString()).toBe('glTF model');
    await fake.waitFor(() => client.channels.cache.has(post.id), { description: 'THREAD_CREATE reached the client' });

    const retagged = (await client.rest.patch(Routes.channel(post.id), { body: { applied_tags: [] } })) as { applied_tags: string[] };
    expect(retagged.applied_tags).toEqual([]);

    // A text channel has no forum posts: a thread there takes no first message.
    const general = fake.guilds[0]!.channels.find((c) => c.name === 'general')!;
    await expectApiError(client.rest.patch(Routes.channel(general.id), { body: { available_tags: [] } }), 50024);

    await client.rest.delete(Routes.channel(post.id));
    await expectApiError(client.rest.get(Routes.channel(post.id)), 10003);
    await expectApiError(client.rest.get(Routes.channelMessage(post.id, post.message.id)), 10003);
  });

  it('a forum that requires tags refuses an untagged post (40067)', async () => {
    const { fake, client } = await start({ guilds: [{ channels: [{ name: 'gallery', type: 15, flags: 16 }] }] });
    const forum = fake.guilds[0]!.channels.find((c) => c.type === 15)!;
    await expectApiError(client.rest.post(Routes.threads(forum.id), { body: { name: 'x', message: { content: 'a' } } }), 40067);
  });

  it('a message with message_reference is a reply (type 19) naming the message it answers', async () => {
    const { fake, client } = await start();
    const ch = fake.guilds[0]!.channels.find((c) => c.type === 0)!;
    const first = (await client.rest.post(Routes.channelMessages(ch.id), { body: { content: 'first' } })) as { id: string };
    const reply = (await client.rest.post(Routes.channelMessages(ch.id), {
      body: { content: 'second', message_reference: { message_id: first.id } },
    })) as { type: number; message_reference: { message_id: string; channel_id: string } };
    expect(reply.type).toBe(19);
    expect(reply.message_reference).toMatchObject({ message_id: first.id, channel_id: ch.id });
  });
});

describe('guilds joined after READY', () => {
  it('arrive as GUILD_CREATE with their channels, roles and members, and reach the client cache', async () => {
    const { fake, client } = await start({ guilds: 1 });
    const created = new Promise<string[]>((resolve) => {
      const ids: string[] = [];
      client.on(Events.GuildCreate, (g) => {
        ids.push(g.id);
        if (ids.length === 3) resolve(ids);
      });
    });
    const added = fake.addGuilds([{ roles: 4, members: 3, channels: [{ name: 'a' }, { name: 'b' }] }, {}, { members: 1 }]);
    expect(await bounded(created, 3000, 'three guildCreate')).toEqual(added.map((g) => g.id));
    const g = client.guilds.cache.get(added[0]!.id)!;
    expect(g.roles.cache.size).toBe(2 + 4);
    expect(g.members.cache.size).toBe(1 + 3);
    expect(g.channels.cache.filter((c) => c.isTextBased()).size).toBe(2);
    expect(client.guilds.cache.size).toBe(4);
    expect(fake.guilds).toHaveLength(4);
  });
});
