import { startDiscordProxy } from './discord/proxy.js';

/**
 * `node dist/src/discord-proxy.js [--port 8080] [--host 127.0.0.1] [--api https://discord.com/api]`:
 * the shared Discord REST proxy for several bot processes; point their DISCORD_API_URL at
 * `http://<this host>:<port>/api`. The host defaults to PROXY_HOST, else loopback; beyond loopback
 * PROXY_SECRET is required (from the environment, not the command line, which `ps` shows).
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('port') ?? 8080);
const host = arg('host') ?? (process.env.PROXY_HOST || '127.0.0.1');
const apiUrl = arg('api') ?? 'https://discord.com/api';
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a port number from 1 to 65535 (got "${arg('port')}")`);
  process.exit(1);
}
try {
  const { server } = await startDiscordProxy({ apiUrl, port, host, secret: process.env.PROXY_SECRET || undefined });
  console.log(JSON.stringify({ msg: 'discord proxy listening', host, port, upstream: apiUrl, secret: Boolean(process.env.PROXY_SECRET) }));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
