import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { envSchema } from '../../src/config/index.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const example = readFileSync(new URL('.env.example', root), 'utf8');
const names = Object.keys(envSchema.shape);

/** `| \`NAME\` | \`default\` | …` rows of the README's configuration table. */
const readmeDefaults = new Map(
  [...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim().replace(/^`|`$/g, '')]),
);
const exampleValues = new Map([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

describe('every configuration variable is documented with its real default', () => {
  // The values the bot uses when a variable is unset.
  const defaults = envSchema.partial().parse({}) as Record<string, unknown>;

  it.each(names)('%s', (name) => {
    expect(readmeDefaults.has(name), `README table row for ${name}`).toBe(true);
    expect(exampleValues.has(name), `.env.example line for ${name}`).toBe(true);
    const d = defaults[name];
    if (d === undefined) return; // required or optional without a default
    expect(exampleValues.get(name)).toBe(String(d));
    expect(readmeDefaults.get(name)).toBe(String(d));
  });
});
