import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from '@discordjs/rest';
import { proxyRequests } from '@discordjs/proxy';

/**
 * One `@discordjs/proxy` in front of Discord for every bot process (README "Scaling"): one REST
 * queue, so the processes share Discord's global and per-route rate limits.
 *
 * A rate-limited request is answered 429 with Retry-After instead of being retried inside the
 * proxy: the proxy streams request bodies through and cannot send one twice, so the bot's own
 * REST client waits and re-sends it whole.
 */
export async function startDiscordProxy(o: { apiUrl: string; port?: number; host?: string }): Promise<{ server: Server; url: string }> {
  const handle = proxyRequests(new REST({ api: o.apiUrl, rejectOnRateLimit: () => true }));
  const server = createServer((req, res) => {
    // Discord unreachable: the proxy would end the response with its default 200 and no body.
    res.statusCode = 502;
    Promise.resolve(handle(req, res)).catch(() => res.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${o.host === '0.0.0.0' || !o.host ? '127.0.0.1' : o.host}:${port}/api` };
}
