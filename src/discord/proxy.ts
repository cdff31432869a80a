import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { REST } from '@discordjs/rest';
import { proxyRequests } from '@discordjs/proxy';

/** The header a bot process sends the proxy its shared secret in (PROXY_SECRET); never forwarded to Discord. */
export const PROXY_SECRET_HEADER = 'x-proxy-secret';

/** Loopback addresses: only this machine can reach them. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function hasSecret(req: IncomingMessage, secret: Buffer): boolean {
  const given = req.headers[PROXY_SECRET_HEADER];
  if (typeof given !== 'string') return false;
  const g = Buffer.from(given);
  return g.length === secret.length && timingSafeEqual(g, secret);
}

/**
 * One `@discordjs/proxy` in front of Discord for every bot process (README "Scaling"): one REST
 * queue, so the processes share Discord's global and per-route rate limits.
 *
 * A rate-limited request is answered 429 with Retry-After instead of being retried inside the
 * proxy: the proxy streams request bodies through and cannot send one twice, so the bot's own
 * REST client waits and re-sends it whole.
 *
 * It forwards whatever bot token it is given, so it listens on loopback unless told otherwise, and
 * beyond loopback only with a shared secret (checked on every request when set).
 */
export async function startDiscordProxy(o: { apiUrl: string; port?: number; host?: string; secret?: string }): Promise<{ server: Server; url: string }> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.secret) {
    throw new Error(`The Discord proxy listens on ${host}, beyond loopback: set PROXY_SECRET (and the same PROXY_SECRET on every bot) or listen on 127.0.0.1`);
  }
  const secret = o.secret ? Buffer.from(o.secret) : null;
  const handle = proxyRequests(new REST({ api: o.apiUrl, rejectOnRateLimit: () => true }));
  const server = createServer((req, res) => {
    if (secret && !hasSecret(req, secret)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `missing or wrong ${PROXY_SECRET_HEADER}` }));
      return;
    }
    // Discord unreachable: the proxy would end the response with its default 200 and no body.
    res.statusCode = 502;
    Promise.resolve(handle(req, res)).catch(() => res.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}/api` };
}
