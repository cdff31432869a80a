import { Client, GatewayIntentBits } from 'discord.js';

/** The gateway client: Guilds is the only intent a slash-command bot needs (no privileged intents). */
export function createDiscordClient(apiUrl: string): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: apiUrl, timeout: 15_000, retries: 2 },
  });
}
