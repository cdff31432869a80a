/**
 * The discord.js client keeps what the bot uses (guilds, channels, roles, its own member) and drops
 * what would only grow (other members, users, messages), while a member's roles still resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelType, Events, type Client, type Interaction, type TextChannel } from 'discord.js';
import { FakeDiscord, snowflake } from '../fakes/discord/index.js';
import { createDiscordClient } from '../../src/discord/client.js';
import { roleIdsOf } from '../../src/discord/members.js';

describe('discord.js caches', () => {
  let fake: FakeDiscord;
  let client: Client;

  beforeAll(async () => {
    fake = await FakeDiscord.start({ guilds: [{ roles: 3, members: 5, channels: [{ name: 'general' }, { name: 'models' }] }], heartbeatIntervalMs: 500 });
    client = createDiscordClient({ apiUrl: fake.apiUrl });
    const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
    await client.login(fake.botToken);
    await ready;
    await fake.waitForReady();
  });
  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('keeps the guild, its channels and roles and the bot member; not the other members', () => {
    const guild = client.guilds.cache.get(fake.guilds[0]!.id)!;
    expect(guild.channels.cache.filter((c) => c.isTextBased()).size).toBe(2);
    expect(guild.roles.cache.size).toBe(2 + 3);
    expect([...guild.members.cache.keys()]).toEqual([client.user!.id]);
    expect(guild.members.me?.id).toBe(client.user!.id);
  });

  it('what it keeps nothing of (messages, threads, emojis…) shares one empty cache that stays empty', () => {
    const guild = client.guilds.cache.get(fake.guilds[0]!.id)!;
    const [a, b] = [...guild.channels.cache.filter((c) => c.type === ChannelType.GuildText).values()] as TextChannel[];
    expect(a!.messages.cache).toBe(b!.messages.cache);
    expect(guild.emojis.cache).toBe(a!.messages.cache);
    a!.messages.cache.set(snowflake(), {} as never);
    expect(b!.messages.cache.size).toBe(0);
  });

  it('resolves an interacting member’s roles without caching the member or the user', async () => {
    const guild = fake.guilds[0]!;
    const role = guild.roles.find((r) => r.name === 'role-2')!;
    const seen: Interaction[] = [];
    const handled = new Promise<string[]>((resolve) =>
      client.once(Events.InteractionCreate, async (i) => {
        seen.push(i);
        if (!i.isChatInputCommand()) return;
        await i.deferReply({ withResponse: true });
        await i.editReply({ content: 'ok' });
        resolve(roleIdsOf(i));
      }),
    );
    const user = { id: snowflake(), username: 'visitor', global_name: 'Visitor' };
    const rec = fake.sendInteraction(fake.build.chatInput({ name: 'quota', user, roles: [role.id] }));
    const roleIds = await handled;
    await fake.waitForAck(rec.id);
    expect(roleIds).toContain(role.id);
    expect(roleIds).toContain(guild.id); // @everyone
    const g = client.guilds.cache.get(guild.id)!;
    expect(g.members.cache.has(user.id)).toBe(false);
    expect(client.users.cache.has(user.id)).toBe(false);
  });
});
