import { Client, Events, GatewayIntentBits, REST, Routes, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeDiscord, guildIdOnShard, shardOf } from './index.js';

/** The fake gateway with several shards, as Discord documents sharding: the real discord.js client on each. */

let fake: FakeDiscord | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await fake?.close();
  fake = undefined;
});

async function connect(f: FakeDiscord, shard: number, count: number): Promise<Client> {
  const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: f.apiUrl }, shards: [shard], shardCount: count });
  clients.push(c);
  const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
  await c.login(f.botToken);
  await ready;
  return c;
}

const next = (c: Client) => new Promise<Interaction>((resolve) => c.once(Events.InteractionCreate, resolve));

describe('fake Discord with shards', () => {
  it('splits guilds by (guild_id >> 22) % shard_count and sends each interaction to its guild’s shard only', async () => {
    const ids = [guildIdOnShard(0, 2), guildIdOnShard(1, 2), guildIdOnShard(1, 2)];
    expect(ids.map((id) => shardOf(id, 2))).toEqual([0, 1, 1]);
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 500, guilds: ids.map((id) => ({ id })), recommendedShards: 2 });
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    expect(((await rest.get(Routes.gatewayBot())) as { shards: number }).shards).toBe(2);

    const [c0, c1] = [await connect(fake, 0, 2), await connect(fake, 1, 2)];
    expect([...c0.guilds.cache.keys()]).toEqual([ids[0]]);
    expect([...c1.guilds.cache.keys()].sort()).toEqual([ids[1], ids[2]].sort());
    expect(fake.gateway.identifyPayloads.map((p) => p.shard)).toEqual([[0, 2], [1, 2]]);

    const seen: string[] = [];
    c0.on(Events.InteractionCreate, (i) => seen.push(`0:${i.guildId}`));
    c1.on(Events.InteractionCreate, (i) => seen.push(`1:${i.guildId}`));
    const on1 = next(c1);
    fake.sendInteraction(fake.build.chatInput({ name: 'model3d', guildId: ids[2]! }));
    expect((await on1).guildId).toBe(ids[2]);
    // Direct messages go to shard 0.
    const on0 = next(c0);
    fake.sendInteraction(fake.build.chatInput({ name: 'model3d', guildId: null }));
    expect((await on0).guildId).toBeNull();
    const onGuild0 = next(c0);
    fake.sendInteraction(fake.build.chatInput({ name: 'model3d', guildId: ids[0]! }));
    await onGuild0;
    expect(seen).toEqual([`1:${ids[2]}`, '0:null', `0:${ids[0]}`]);
  });

  it('closes 4010 on a shard id outside the shard count', async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 500 });
    const ws = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json`);
    ws.on('message', (data) => {
      const p = JSON.parse(data.toString()) as { op: number };
      if (p.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: fake!.botToken, intents: 1, properties: {}, shard: [2, 2] } }));
    });
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(4010);
    expect(fake.identifyCount).toBe(0);
  });
});
