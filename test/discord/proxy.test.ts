import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { startDiscordProxy } from '../../src/discord/proxy.js';
import { FakeDiscord } from '../fakes/discord/index.js';

/** The shared Discord proxy on its own (the two-process test is test/e2e/proxy.test.ts). */
describe('startDiscordProxy', () => {
  let server: Server | undefined;
  let fake: FakeDiscord | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await fake?.close();
    server = undefined;
    fake = undefined;
  });

  it('forwards to Discord with the caller’s token', async () => {
    fake = await FakeDiscord.start({ recommendedShards: 3 });
    const p = await startDiscordProxy({ apiUrl: fake.apiUrl, host: '127.0.0.1' });
    server = p.server;
    const res = await fetch(`${p.url}/v10/gateway/bot`, { headers: { authorization: `Bot ${fake.botToken}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { shards: number }).shards).toBe(3);
    const denied = await fetch(`${p.url}/v10/gateway/bot`, { headers: { authorization: 'Bot wrong' } });
    expect(denied.status).toBe(401);
  });

  it('refuses to listen beyond loopback without a secret, with one clear line', async () => {
    await expect(startDiscordProxy({ apiUrl: 'http://127.0.0.1:9/api', host: '0.0.0.0' })).rejects.toThrow(
      'The Discord proxy listens on 0.0.0.0, beyond loopback: set PROXY_SECRET',
    );
  });

  it('beyond loopback, refuses a request without the secret and never forwards the secret', async () => {
    fake = await FakeDiscord.start({ recommendedShards: 2 });
    const secret = 'a-long-shared-secret-0123';
    const p = await startDiscordProxy({ apiUrl: fake.apiUrl, host: '0.0.0.0', secret });
    server = p.server;
    const auth = { authorization: `Bot ${fake.botToken}` };
    const before = fake.requests.length;
    for (const headers of [auth, { ...auth, 'x-proxy-secret': 'wrong' }, { ...auth, 'x-proxy-secret': `${secret}x` }]) {
      expect((await fetch(`${p.url}/v10/gateway/bot`, { headers })).status).toBe(401);
    }
    // Refused at the proxy: nothing reached Discord.
    expect(fake.requests.length).toBe(before);
    const ok = await fetch(`${p.url}/v10/gateway/bot`, { headers: { ...auth, 'x-proxy-secret': secret } });
    expect(ok.status).toBe(200);
    const forwarded = fake.requests.at(-1)!;
    expect(forwarded.path).toContain('/gateway/bot');
    expect(JSON.stringify(forwarded.headers)).not.toContain(secret);
  });

  it('answers 502 when Discord cannot be reached, never an empty 200', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const p = await startDiscordProxy({ apiUrl: `http://127.0.0.1:${port}/api`, host: '127.0.0.1' });
    server = p.server;
    const res = await fetch(`${p.url}/v10/gateway`);
    expect(res.status).toBe(502);
  });
});
