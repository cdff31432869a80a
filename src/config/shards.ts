import { randomBytes } from 'node:crypto';

/**
 * Which shards this process (or this machine) runs. Pure: parsed from the configuration and
 * from what discord.js's ShardingManager puts in a shard process's environment.
 *
 * - `single`: `SHARDS=1`, today's one process holding shard 0 of 1.
 * - `manager`: `SHARDS=auto` or a number; `npm start` runs ShardingManager, which spawns one
 *   process per shard in `ids` (all of them unless `SHARD_IDS` names this machine's range).
 * - `shard`: a process spawned by the manager, holding one shard.
 */
export type ShardLayout =
  | { kind: 'single' }
  | { kind: 'manager'; count: number | 'auto'; ids: number[] | null }
  | { kind: 'shard'; id: number; count: number };

/** Parses `SHARD_IDS`: `0-3`, `4,5` or `0-1,6`. Throws a message naming the rule. */
export function parseShardIds(text: string): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) throw new Error('must be shard ids and ranges such as 0-3 or 0,2,5');
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`has a backwards range ${part}`);
    for (let i = from; i <= to; i++) ids.add(i);
  }
  return [...ids].sort((a, b) => a - b);
}

/** The shard ids and total count that this process's gateway client connects with. */
export function gatewayShards(layout: ShardLayout): { shards: number[]; shardCount: number } {
  return layout.kind === 'shard' ? { shards: [layout.id], shardCount: layout.count } : { shards: [0], shardCount: 1 };
}

/**
 * The process holding shard 0 (or the single process) runs what must happen once for the
 * whole bot: start-up resume of jobs nobody holds, retention, the audit channel.
 */
export function isPrimary(layout: ShardLayout): boolean {
  return layout.kind === 'single' || (layout.kind === 'shard' && layout.id === 0);
}

/**
 * This process's even share of the whole bot's upstream budget: what it can count on when every
 * process is busy (the poller sizes its claims by it). The budget itself is shared through the
 * store (src/upstream/shared-budget.ts), so a busy process may use more.
 */
export function upstreamShare(layout: ShardLayout, maxRps: number): number {
  return layout.kind === 'shard' ? maxRps / layout.count : maxRps;
}

/**
 * The stable name of this process's place in the bot ("shard 1 of 4"); a process that the
 * manager respawns has the same one, so it can take back the job leases its predecessor held.
 */
export function workerKey(layout: ShardLayout): string {
  const { shards, shardCount } = gatewayShards(layout);
  return `${shards.join(',')}/${shardCount}`;
}

/** A lease owner: the worker key plus this boot's random id (`1/4:9f3c…`). */
export function leaseOwner(key: string): string {
  return `${key}:${randomBytes(6).toString('hex')}`;
}
