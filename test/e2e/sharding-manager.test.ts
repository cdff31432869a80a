/**
 * `SHARDS=2` on one machine: `npm start` runs discord.js's ShardingManager, one process per shard.
 * A shard process that crashes is spawned again and its job goes on; SIGTERM to the manager stops
 * every shard cleanly. On each store (every shard process opens the same one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { guildIdOnShard, snowflake } from '../fakes/discord/index.js';
import { STORES, World, downloadButton, samplePng, type LogLine } from './harness.js';

const HELD_MS = 600_000;

describe.each(STORES)('SHARDS=2: the sharding manager (%s)', (store) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('serves each guild from its shard’s process, respawns a killed shard whose job goes on, stops all on SIGTERM', async () => {
    const guilds = [guildIdOnShard(0, 2), guildIdOnShard(1, 2)];
    world = await World.start({ store, guilds: guilds.map((id) => ({ id })), timeline: { pendingMs: 200, runningMs: HELD_MS } });
    const { discord, dmxapi } = world;
    const bot = await world.startBot({ SHARDS: '2', JOB_LEASE_MS: '5000', POLL_INTERVAL_MS: '500' }, 2);
    const connected = (shard: number) => bot.logs().filter((l) => l.msg === 'connected to Discord' && l.shard === shard);
    const [pid0, pid1] = [connected(0)[0]!.pid, connected(1)[0]!.pid];
    expect(pid0).not.toBe(pid1);

    const send = (shard: number) => {
      const image = discord.hostFile(samplePng(), { filename: `s${shard}.png`, contentType: 'image/png', width: 256, height: 256 });
      const user = { id: snowflake(), username: `m${shard}`, global_name: null };
      return discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, guildId: guilds[shard]! }));
    };
    const recs = [send(0), send(1)];
    const submitted = () => bot.logs().filter((l) => l.msg === 'submitted');
    await bot.waitFor('both jobs submitted', 15_000, () => submitted().length === 2);
    // Each interaction was handled by the process of its guild's shard.
    expect(submitted().map((l) => [l.interactionId, l.shard]).sort()).toEqual([[recs[0]!.id, 0], [recs[1]!.id, 1]].sort());
    await bot.waitForLog((l) => l.msg === 'status checked' && l.status === 'RUNNING', 15_000);

    // Shard 1's process crashes.
    process.kill(pid1, 'SIGKILL');
    await bot.waitForLog((l) => l.msg === 'shard process died; starting it again' && l.shard === 1, 15_000);
    const again = await bot.waitFor('shard 1 back', 45_000, () => connected(1).find((l) => l.pid !== pid1));
    expect(bot.running).toBe(true);
    expect(connected(0)).toHaveLength(1); // shard 0 was not touched

    // The respawned process serves its guild again, and both jobs finish, each delivered once.
    dmxapi.timeline = { pendingMs: 200, runningMs: 500 };
    for (const task of dmxapi.tasks.values()) task.runningMs = 0;
    const later = send(1);
    await discord.waitForAck(later.id, { timeoutMs: 10_000 });
    for (const rec of [...recs, later]) {
      await discord.waitFor(() => downloadButton(discord.originalMessage(rec.token)), { timeoutMs: 20_000, description: `result of ${rec.id}` });
      const uploads = discord.requests.filter((r) => r.status === 200 && r.params.token === rec.token && r.files.some((f) => f.filename === 'model.glb'));
      expect(uploads).toHaveLength(1);
    }
    expect(dmxapi.submitCount()).toBe(3);
    expect(submitted().find((l) => l.interactionId === later.id)?.pid).toBe(again.pid);

    // SIGTERM to the manager (as `docker stop` sends to PID 1): every shard stops cleanly, then it.
    await bot.signal('SIGTERM');
    const exit = await bot.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const stopped = (l: LogLine) => l.msg === 'stopped';
    expect(bot.logs().filter(stopped).map((l) => l.shard ?? 'manager').sort()).toEqual([0, 1, 'manager'].sort());
    expect(bot.logs().some((l) => l.msg === 'shard process died; starting it again' && l.shard === 0)).toBe(false);
    // Nothing was spawned again while stopping, and no shard process outlives the manager.
    const spawned = bot.logs().filter((l) => l.msg === 'shard process spawned');
    expect(spawned.map((l) => l.shard).sort()).toEqual([0, 1, 1]);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(spawned.map((l) => l.childPid as number).filter(alive)).toEqual([]);
  }, 120_000);
});
