import { config as loadDotenv } from 'dotenv';
import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig, secretsOf } from './config/index.js';
import { definitionsOf, loadCommands } from './app/registry.js';
import { scrubString } from './log/index.js';
import { restOptions } from './discord/client.js';

/** Secrets known once the configuration is loaded; scrubbed from anything printed. */
const secrets: string[] = [];

/** Registers every command in commands/ with one bulk overwrite: to DISCORD_GUILD_ID if set, else globally. */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  secrets.push(...secretsOf(config));
  const appId = config.discord.applicationId;
  if (!appId) throw new ConfigError('Configuration error: DISCORD_APPLICATION_ID is required to register commands');
  const body = definitionsOf(await loadCommands());
  const rest = new REST(restOptions(config.discord)).setToken(config.discord.token);
  const guildId = config.discord.guildId;
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  // REST throws on any non-2xx status, with Discord's error code and message.
  const result = (await rest.put(route, { body })) as { id: string; name: string; type?: number }[];
  const where = guildId ? `server ${guildId} (available at once)` : 'globally (may take up to an hour to appear)';
  console.log(`Registered ${result.length} command(s) ${where}: ${result.map(commandLabel).join(', ')}`);
}

/** `/model3d` for a slash command, `"Make 3D model" (message menu)` for the others. */
function commandLabel(c: { name: string; type?: number }): string {
  return (c.type ?? 1) === 1 ? `/${c.name}` : `"${c.name}" (message menu)`;
}

main().catch((err: unknown) => {
  const text = err instanceof ConfigError ? err.message : `Registering commands failed: ${err instanceof Error ? err.message : String(err)}`;
  console.error(scrubString(text, secrets));
  process.exit(1);
});
