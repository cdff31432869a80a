import { startDiscordProxy } from './discord/proxy.js';

/**
 * `node dist/src/discord-proxy.js [--port 8080] [--api https://discord.com/api]`: the shared
 * Discord REST proxy for several bot processes; point their DISCORD_API_URL at
 * `http://<this host>:<port>/api`.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('port') ?? 8080);
const apiUrl = arg('api') ?? 'https://discord.com/api';
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a port number from 1 to 65535 (got "${arg('port')}")`);
  process.exit(1);
}
const { server } = await startDiscordProxy({ apiUrl, port });
console.log(JSON.stringify({ msg: 'discord proxy listening', port, upstream: apiUrl }));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
