import { randomBytes } from 'node:crypto';

/** Discord epoch (2015-01-01T00:00:00.000Z) in ms. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

/** Makes a realistic, timestamp-based, strictly increasing snowflake (as Discord does). */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  const ts = BigInt(at) - DISCORD_EPOCH;
  const workerId = 1n;
  const processId = BigInt(process.pid & 0x1f);
  return ((ts << 22n) | (workerId << 17n) | (processId << 12n) | increment).toString();
}

/** Timestamp (ms since Unix epoch) encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** A random interaction token, in the shape of real ones (`aW50ZXJhY3Rpb246...`, ~200 chars). */
export function interactionToken(interactionId: string): string {
  const prefix = Buffer.from(`interaction:${interactionId}:`).toString('base64url');
  return `${prefix}${randomBytes(120).toString('base64url')}`;
}

/** A bot token in the usual three-part shape. */
export function botToken(userId: string): string {
  return `${Buffer.from(userId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
}

/** Random hex (session ids, hashes). */
export function randomHex(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** The shard that receives a guild's events: `(guild_id >> 22) % shard_count`, as Discord documents it. */
export function shardOf(guildId: string | null, shardCount: number): number {
  // Direct messages go to shard 0.
  return guildId === null ? 0 : Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A guild id (snowflake) whose events go to `shard` of `shardCount`. */
export function guildIdOnShard(shard: number, shardCount: number, at: number = Date.now()): string {
  for (let t = at; ; t--) {
    const id = snowflake(t);
    if (shardOf(id, shardCount) === shard) return id;
  }
}
