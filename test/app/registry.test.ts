import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definitionsOf, loadCommands } from '../../src/app/registry.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A commands/ folder of plain modules: `name` → [type, name]. */
function commandsDir(files: Record<string, [number, string]>): string {
  const tmp = tempDir('model3d-commands-');
  cleanups.push(tmp.cleanup);
  for (const [file, [type, name]] of Object.entries(files)) {
    writeFileSync(join(tmp.dir, file), `export const definition = { type: ${type}, name: ${JSON.stringify(name)} };\nexport async function execute() {}\n`);
  }
  return tmp.dir;
}

describe('the command registry', () => {
  it('takes the slash commands and the message command in commands/, each under its own kind', async () => {
    const r = await loadCommands();
    expect([...r.commands.keys()].sort()).toEqual(['model3d', 'model3d-admin', 'model3d-history', 'quota']);
    expect([...r.messageCommands.keys()]).toEqual(['Make 3D model']);
    expect(definitionsOf(r).map((d) => d.name)).toContain('Make 3D model');
  });

  it('refuses two message commands of one name at boot, but a slash and a message command may share one', async () => {
    await expect(loadCommands(commandsDir({ 'a.js': [3, 'Make it'], 'b.js': [3, 'Make it'] }))).rejects.toThrow('two files define the message command "Make it"');
    await expect(loadCommands(commandsDir({ 'a.js': [1, 'make'], 'b.js': [1, 'make'] }))).rejects.toThrow('two files define /make');
    const mixed = await loadCommands(commandsDir({ 'a.js': [1, 'make'], 'b.js': [3, 'make'] }));
    expect([mixed.commands.size, mixed.messageCommands.size]).toEqual([1, 1]);
  });

  it('refuses a command type the router cannot route (a user command)', async () => {
    await expect(loadCommands(commandsDir({ 'u.js': [2, 'Inspect'] }))).rejects.toThrow('commands/u.js does not export');
  });
});
