import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError, requiredEnv } from '../helpers/config.js';
import { gatewayShards, isPrimary, parseShardIds, upstreamShare, workerKey } from '../../src/config/shards.js';

const required = requiredEnv;
const fail = configError;

describe('SHARDS and SHARD_IDS', () => {
  it('default: one process, shard 0 of 1, the whole budget, the primary', () => {
    const c = loadConfig(required);
    expect(c.shards).toEqual({ kind: 'single' });
    expect(c.jobLeaseMs).toBe(120_000);
    expect(gatewayShards(c.shards)).toEqual({ shards: [0], shardCount: 1 });
    expect(isPrimary(c.shards)).toBe(true);
    expect(upstreamShare(c.shards, 10)).toBe(10);
  });

  it('auto or a number runs the manager; SHARD_IDS gives this machine its range', () => {
    expect(loadConfig({ ...required, SHARDS: 'auto' }).shards).toEqual({ kind: 'manager', count: 'auto', ids: null });
    expect(loadConfig({ ...required, SHARDS: '4' }).shards).toEqual({ kind: 'manager', count: 4, ids: null });
    expect(loadConfig({ ...required, SHARDS: '8', SHARD_IDS: '4-5,7' }).shards).toEqual({ kind: 'manager', count: 8, ids: [4, 5, 7] });
  });

  it('refuses what cannot work, naming the variable', () => {
    expect(fail({ ...required, SHARDS: '0' })).toBe('Configuration error: SHARDS must be auto or a whole number from 1 to 99999 (got "0")');
    expect(fail({ ...required, SHARDS: 'many' })).toContain('SHARDS must be auto or a whole number');
    expect(fail({ ...required, SHARDS: '4', SHARD_IDS: '2-x' })).toBe(
      'Configuration error: SHARD_IDS must be shard ids and ranges such as 0-3 or 0,2,5 (got "2-x")',
    );
    expect(fail({ ...required, SHARDS: 'auto', SHARD_IDS: '0-1' })).toContain("SHARD_IDS needs SHARDS set to the bot's total number of shards");
    expect(fail({ ...required, SHARDS: '4', SHARD_IDS: '3-4' })).toBe(
      'Configuration error: SHARD_IDS must be below SHARDS (4); shard 4 does not exist',
    );
  });

  it('a process spawned by the manager reads its shard from what discord.js sets', () => {
    // ShardingManager overwrites SHARDS with the shard id and adds SHARD_COUNT and SHARDING_MANAGER.
    const env = { ...required, SHARDS: '3', SHARD_COUNT: '4', SHARDING_MANAGER: 'true', SHARD_IDS: '2-3' };
    const c = loadConfig(env);
    expect(c.shards).toEqual({ kind: 'shard', id: 3, count: 4 });
    expect(gatewayShards(c.shards)).toEqual({ shards: [3], shardCount: 4 });
    expect(isPrimary(c.shards)).toBe(false);
    expect(isPrimary(loadConfig({ ...env, SHARDS: '0' }).shards)).toBe(true);
    // Four processes share UPSTREAM_MAX_RPS evenly: together never more than the whole budget.
    expect(upstreamShare(c.shards, 10) * 4).toBe(10);
    expect(workerKey(c.shards)).toBe('3/4');
    expect(workerKey(loadConfig(required).shards)).toBe('0/1');
  });

  it('parses shard id lists', () => {
    expect(parseShardIds('0')).toEqual([0]);
    expect(parseShardIds(' 0-2, 5 ,1')).toEqual([0, 1, 2, 5]);
    expect(() => parseShardIds('3-1')).toThrow('backwards range 3-1');
    expect(() => parseShardIds('')).toThrow();
  });
});
