import { Client, GatewayIntentBits } from 'discord.js';

/**
 * The gateway client: Guilds is the only intent a slash-command bot needs (no privileged intents).
 * The shards are always given, so that discord.js never reads them from the SHARDS variable itself.
 */
export function createDiscordClient(
  apiUrl: string,
  shards: { shards: number[]; shardCount: number } = { shards: [0], shardCount: 1 },
): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: apiUrl, timeout: 15_000, retries: 2 },
    ...shards,
  });
}
