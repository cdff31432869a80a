/**
 * Several bot processes share Discord's rate limits through one `@discordjs/proxy` (README
 * "Scaling"): the proxy, started here in-process with the fake Discord behind it, holds every
 * process's requests while Discord's global limit is hit.
 */
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { guildIdOnShard, snowflake } from '../fakes/discord/index.js';
import { startDiscordProxy } from '../../src/discord/proxy.js';
import { STORES, World, downloadButton, samplePng } from './harness.js';

describe.each(STORES)('two bot processes through one @discordjs/proxy (%s)', (store) => {
  let world: World | undefined;
  let proxy: Server | undefined;
  afterEach(async () => {
    await world?.close();
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    world = undefined;
    proxy = undefined;
  });

  it('a global rate limit hit by one process holds the other’s requests; both results delivered once', async () => {
    const guilds = [guildIdOnShard(0, 2), guildIdOnShard(1, 2)];
    world = await World.start({ store, guilds: guilds.map((id) => ({ id })), timeline: { pendingMs: 100, runningMs: 300 } });
    const { discord } = world;
    // One REST instance (one view of the limits) for every process.
    // Listening beyond loopback, as on a private network: every bot sends the shared secret.
    const secret = 'proxy-secret-for-the-test';
    const p = await startDiscordProxy({ apiUrl: discord.apiUrl, host: '0.0.0.0', secret });
    proxy = p.server;
    expect((await fetch(`${p.url}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.botToken}` } })).status).toBe(401);
    const env = { SHARDS: '2', DISCORD_API_URL: p.url, PROXY_SECRET: secret };
    await Promise.all([world.startBot({ ...env, SHARD_IDS: '0' }), world.startBot({ ...env, SHARD_IDS: '1' })]);

    const send = (shard: number) => {
      const image = discord.hostFile(samplePng(), { filename: `s${shard}.png`, contentType: 'image/png', width: 256, height: 256 });
      const user = { id: snowflake(), username: `m${shard}`, global_name: null };
      return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, guildId: guilds[shard]! }));
    };
    const first = send(0);
    // Discord answers shard 0's first message edit with the global limit (retry after 3 s).
    const limited = discord.faults.rateLimit({ method: 'PATCH', token: first.token, global: true, retryAfterSec: 3, times: 1 });
    await discord.waitFor(() => limited.fired === 1, { timeoutMs: 45_000, description: 'the global 429' });
    const limitAnswered = discord.requests.find((r) => r.status === 429)!.finishedAt;
    // Now shard 1 gets an interaction: its process answers it through the same proxy. The
    // acknowledgement is not bound to the global limit (as on Discord); the message edits are.
    const second = send(1);
    await discord.waitForAck(second.id, { timeoutMs: 10_000 });
    expect(second.ackLatencyMs).toBeLessThan(3000);
    const firstEdit = await discord.waitForRequest({ token: second.token, method: 'PATCH' }, { timeoutMs: 15_000 });
    // The proxy held shard 1's edit until the limit that shard 0 hit was over.
    expect(firstEdit.startedAt).toBeGreaterThanOrEqual(limitAnswered + 2950);

    for (const rec of [first, second]) {
      await discord.waitFor(() => downloadButton(discord.originalMessage(rec.token)), { timeoutMs: 20_000, description: `result of ${rec.id}` });
      const uploads = discord.requests.filter((r) => r.status === 200 && r.params.token === rec.token && r.files.some((f) => f.filename === 'model.glb'));
      expect(uploads).toHaveLength(1);
    }
    // Nothing was lost on the way: every edit reached Discord with its body (the proxy does not re-send a streamed body).
    expect(discord.requests.filter((r) => r.method === 'PATCH' && r.status === 200 && r.body === null && r.files.length === 0)).toEqual([]);
    // Every request reached Discord through the proxy (the bots' own user agent names discord.js; the proxy's does not).
    const api = discord.requests.filter((r) => r.path.startsWith('/api/'));
    for (const rec of [first, second]) expect(api.filter((r) => r.params.token === rec.token).length).toBeGreaterThanOrEqual(3);
    expect(api.filter((r) => String(r.headers['user-agent']).includes('discord.js/'))).toEqual([]);
  }, 90_000);
});
