import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ApplicationCommandType } from 'discord.js';
import type { CommandModule, MessageCommandModule, SlashCommandModule } from './command.js';

/** commands/ beside src/, both in the source tree and in dist/. */
const commandsDir = fileURLToPath(new URL('../../commands/', import.meta.url));

export interface CommandRegistry {
  /** Slash commands by name. */
  commands: Map<string, SlashCommandModule>;
  /** Apps-menu commands on a message, by name (Discord keeps names unique per type). */
  messageCommands: Map<string, MessageCommandModule>;
  byComponentPrefix: Map<string, CommandModule>;
}

/** The command types this bot handles; anything else in commands/ is refused at boot. */
const KINDS = { [ApplicationCommandType.ChatInput]: 'slash', [ApplicationCommandType.Message]: 'message' } as const;

function kindOf(m: unknown): 'slash' | 'message' | null {
  const c = m as Partial<CommandModule>;
  if (typeof c?.definition?.name !== 'string' || typeof c.execute !== 'function') return null;
  return KINDS[(c.definition.type ?? ApplicationCommandType.ChatInput) as keyof typeof KINDS] ?? null;
}

/** Loads one command per file in commands/; adding a command is adding a file. */
export async function loadCommands(dir = commandsDir): Promise<CommandRegistry> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const registry: CommandRegistry = { commands: new Map(), messageCommands: new Map(), byComponentPrefix: new Map() };
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(join(dir, file)).href);
    const kind = kindOf(mod);
    if (kind === null) throw new Error(`commands/${file} does not export a slash or message-command definition and execute()`);
    const name = (mod as CommandModule).definition.name;
    if (kind === 'slash') {
      if (registry.commands.has(name)) throw new Error(`two files define /${name}`);
      registry.commands.set(name, mod as SlashCommandModule);
    } else {
      if (registry.messageCommands.has(name)) throw new Error(`two files define the message command "${name}"`);
      registry.messageCommands.set(name, mod as MessageCommandModule);
    }
    for (const prefix of [(mod as CommandModule).componentPrefix ?? []].flat()) {
      if (registry.byComponentPrefix.has(prefix)) throw new Error(`two files own buttons \`${prefix}:\``);
      registry.byComponentPrefix.set(prefix, mod as CommandModule);
    }
  }
  return registry;
}

/** Every definition, for one bulk registration. */
export function definitionsOf(r: CommandRegistry): CommandModule['definition'][] {
  return [...r.commands.values(), ...r.messageCommands.values()].map((c) => c.definition);
}
