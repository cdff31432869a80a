import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { CommandModule } from './command.js';

/** commands/ beside src/, both in the source tree and in dist/. */
const commandsDir = fileURLToPath(new URL('../../commands/', import.meta.url));

export interface CommandRegistry {
  commands: Map<string, CommandModule>;
  byComponentPrefix: Map<string, CommandModule>;
}

function isCommandModule(m: unknown): m is CommandModule {
  const c = m as Partial<CommandModule>;
  return typeof c?.definition?.name === 'string' && typeof c.execute === 'function';
}

/** Loads one command per file in commands/; adding a command is adding a file. */
export async function loadCommands(dir = commandsDir): Promise<CommandRegistry> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const commands = new Map<string, CommandModule>();
  const byComponentPrefix = new Map<string, CommandModule>();
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(join(dir, file)).href);
    if (!isCommandModule(mod)) throw new Error(`commands/${file} does not export a definition and execute()`);
    if (commands.has(mod.definition.name)) throw new Error(`two files define /${mod.definition.name}`);
    commands.set(mod.definition.name, mod);
    for (const prefix of [mod.componentPrefix ?? []].flat()) {
      if (byComponentPrefix.has(prefix)) throw new Error(`two files own buttons \`${prefix}:\``);
      byComponentPrefix.set(prefix, mod);
    }
  }
  return { commands, byComponentPrefix };
}
