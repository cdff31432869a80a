import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { parseShardIds } from '../../src/config/shards.js';

/**
 * compose.yaml cannot run here; this checks that what it configures fits together: the bots'
 * shard ranges cover every shard once, they reach the proxy service, and the config loads.
 */
const root = new URL('../../', import.meta.url);
const compose = readFileSync(new URL('compose.yaml', root), 'utf8');

/** `  name:` blocks under `services:` (two-space indent, up to the next top-level key), as text. */
function services(): Map<string, string> {
  const start = compose.indexOf('\nservices:\n') + 11;
  const next = /\n[a-z][a-z0-9_-]*:\n/.exec(compose.slice(start));
  const body = compose.slice(start, next ? start + next.index + 1 : undefined);
  const out = new Map<string, string>();
  for (const m of body.matchAll(/^ {2}([a-z][a-z0-9-]*):\n((?: {4}.*\n|\n)*)/gm)) out.set(m[1]!, m[2]!);
  return out;
}
const env = (block: string, name: string) => new RegExp(`^ {6}${name}: "?([^"\\n]+)"?$`, 'm').exec(block)?.[1];

describe('compose.yaml', () => {
  const all = services();
  const bots = [...all].filter(([name]) => name.startsWith('bot-'));

  it('has PostgreSQL, the proxy, two bots, the viewer\'s reverse proxy and (as a profile) Prometheus', () => {
    expect([...all.keys()].sort()).toEqual(['bot-a', 'bot-b', 'caddy', 'discord-proxy', 'postgres', 'prometheus']);
  });

  it('the bots run the same shard count with ranges that cover every shard exactly once', () => {
    const counts = new Set(bots.map(([, b]) => env(b, 'SHARDS')));
    expect(counts.size).toBe(1);
    const total = Number([...counts][0]);
    const ids = bots.flatMap(([, b]) => parseShardIds(env(b, 'SHARD_IDS')!));
    expect(ids.sort((x, y) => x - y)).toEqual([...Array(total).keys()]);
  });

  it('every bot talks to Discord through the proxy service, which runs the bot image’s proxy entry', () => {
    const proxy = all.get('discord-proxy')!;
    const port = /"--port", "(\d+)"/.exec(proxy)?.[1];
    expect(proxy).toContain('"dist/src/discord-proxy.js"');
    expect(existsSync(new URL('src/discord-proxy.ts', root))).toBe(true);
    for (const [, b] of bots) expect(env(b, 'DISCORD_API_URL')).toBe(`http://discord-proxy:${port}/api`);
  });

  it('each bot’s settings load as a sharding manager for its range', () => {
    for (const [, b] of bots) {
      const c = loadConfig({ DISCORD_TOKEN: 't', DMXAPI_KEY: 'k', SHARDS: env(b, 'SHARDS'), SHARD_IDS: env(b, 'SHARD_IDS') });
      expect(c.shards).toMatchObject({ kind: 'manager', ids: parseShardIds(env(b, 'SHARD_IDS')!) });
    }
  });
});
