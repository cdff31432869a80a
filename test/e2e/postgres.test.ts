import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../fakes/discord/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { freshSchemaUrl } from '../helpers/store.js';
import { World, hasGlb, killWhileRunning, sendModel3d } from './harness.js';

/**
 * The built bot with DATABASE_URL set: the whole store is in PostgreSQL (a schema of its own on the
 * test run's server) and no SQLite file is created. A SIGKILL and a restart on that database lose nothing.
 */


describe('the bot on PostgreSQL (DATABASE_URL)', () => {
  let world: World;

  afterEach(async () => {
    await world?.close();
  });

  const send = (): InteractionRecord => sendModel3d(world.discord);

  async function jobRows(url: string) {
    const db = await openPostgres(url, { max: 1 });
    try {
      return await db.all<{ state: string; task_id: string; delivered_version: number; render_version: number }>(
        'SELECT state, task_id, delivered_version, render_version FROM jobs',
      );
    } finally {
      await db.close();
    }
  }

  it('a job goes from command to GLB with every row in PostgreSQL', async () => {
    const url = await freshSchemaUrl();
    world = await World.start({ env: { DATABASE_URL: url } });
    const { discord, dmxapi } = world;
    await world.startBot();
    const rec = send();
    await discord.waitForAck(rec.id);
    const id = rec.originalMessageId!;
    const final = await discord.waitFor(() => (hasGlb(discord.message(id)) ? discord.message(id) : undefined), {
      timeoutMs: 15_000,
      description: 'the reply edited with the GLB',
    });
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    expect(dmxapi.submitCount()).toBe(1);
    await discord.waitFor(() => discord.message(id)?.components?.length, { timeoutMs: 5000, description: 'download button' });
    const rows = await jobRows(url);
    expect(rows).toEqual([expect.objectContaining({ state: 'succeeded', task_id: dmxapi.submits[0]!.taskId })]);
    expect(rows[0]!.delivered_version).toBe(rows[0]!.render_version);
    expect(existsSync(join(world.dir, 'bot.sqlite'))).toBe(false);
  });

  it('killed while the task runs: the restarted bot resumes from PostgreSQL, one submit, one result', async () => {
    const url = await freshSchemaUrl();
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 1500 }, env: { DATABASE_URL: url } });
    const { discord, dmxapi } = world;
    const { rec } = await killWhileRunning(world);

    const second = await world.startBot();
    const id = rec.originalMessageId!;
    await discord.waitFor(() => (hasGlb(discord.message(id)) ? discord.message(id) : undefined), {
      timeoutMs: 30_000,
      description: 'the original reply edited with the GLB',
    });
    await discord.waitFor(() => discord.requests.every((r) => r.finishedAt > 0), { timeoutMs: 5000, description: 'requests answered' });
    expect(dmxapi.submitCount()).toBe(1);
    expect(second.logs().find((l) => l.msg === 'resuming unfinished jobs')).toMatchObject({ checks: 1 });
    const uploads = discord.requests.filter((r) => r.status === 200 && r.files.some((f) => f.filename === 'model.glb'));
    expect(uploads).toHaveLength(1);
    expect(await jobRows(url)).toEqual([expect.objectContaining({ state: 'succeeded' })]);
  });

  it('a malformed DATABASE_URL stops start-up with one line naming it, without echoing it', async () => {
    world = await World.start({ env: { DATABASE_URL: 'mysql://root:hunter22@db/bot' } });
    const { BotProcess } = await import('./harness.js');
    const bot = new BotProcess(world.env);
    const exit = await bot.exited;
    expect(exit.code).toBe(1);
    expect(bot.allOutput()).toContain('Configuration error: DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(bot.allOutput()).not.toContain('hunter22');
  });
});
