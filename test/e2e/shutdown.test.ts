import { afterEach, describe, expect, it } from 'vitest';
import { BotProcess, STORES, World, samplePng, hasGlb } from './harness.js';

/** How the bot process starts and stops: SIGTERM with work in flight (on each store), and a start-up it refuses. */

describe.each(STORES)('SIGTERM (%s)', (store) => {
  let world: World;

  afterEach(async () => {
    await world?.close();
  });

  it('with a job in flight: exits 0 within 10 s; after restart the job completes and is delivered once', async () => {
    world = await World.start({ store, timeline: { pendingMs: 300, runningMs: 300 } });
    const { discord, dmxapi } = world;
    // The task stays RUNNING until the test releases it, after the restart: no race with the clock.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const first = await world.startBot();
    const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image } }));
    await discord.waitForAck(rec.id);
    await first.waitForLog((l) => l.msg === 'status checked' && l.status === 'RUNNING', 30_000);
    // The signal lands while a status check is in flight (answered 1.5 s later): the bot lets it finish.
    dmxapi.faults.push({ on: 'get', kind: 'delay', ms: 1500 });
    await dmxapi.waitFor((s) => s.calls.some((c) => c.kind === 'get' && c.fault === 'delay' && c.status === 0), 30_000);

    // As Docker does: the signal goes to the node process itself, not to npm.
    const started = Date.now();
    await first.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      first.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 12_000))),
    ]);
    clearTimeout(timer);
    const tookMs = Date.now() - started;
    expect(exit, first.tail()).not.toBe('timeout');
    expect(tookMs).toBeLessThan(10_000);
    // npm passes on the exit code of its child: 0 means the bot itself exited 0.
    expect(exit).toEqual({ code: 0, signal: null });
    const logs = first.logs();
    expect(logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(logs.at(-1)?.msg).toBe('stopped');
    // The in-flight check was completed and recorded before the process exited.
    const stopping = logs.findIndex((l) => l.msg === 'shutting down');
    expect(logs.slice(stopping).some((l) => l.msg === 'status checked' && l.status === 'RUNNING')).toBe(true);
    expect(logs.some((l) => l.msg === 'shutdown took too long; exiting with work still pending (it resumes on restart)')).toBe(false);
    const taskId = dmxapi.submits[0]!.taskId!;
    expect(dmxapi.statusOf(taskId)).toBe('RUNNING');
    expect(hasGlb(discord.originalMessage(rec.token))).toBe(false);

    await world.startBot();
    dmxapi.release(taskId);
    const id = rec.originalMessageId!;
    await discord.waitFor(() => hasGlb(discord.message(id)), { timeoutMs: 15_000, description: 'the original reply with the GLB' });
    await discord.waitFor(() => discord.message(id)?.components?.length, { timeoutMs: 5000, description: 'download button' });
    await discord.waitFor(() => discord.requests.every((r) => r.finishedAt > 0), { timeoutMs: 5000, description: 'requests answered' });
    expect(discord.messagesIn(rec.channelId).map((m) => m.id)).toEqual([id]);
    const uploads = discord.requests.filter((r) => r.status === 200 && r.files.some((f) => f.filename === 'model.glb'));
    expect(uploads).toHaveLength(1);
    expect(dmxapi.submitCount()).toBe(1);
  });
});

describe('start-up', () => {
  let world: World;

  afterEach(async () => {
    await world?.close();
  });

  it('a malformed DATABASE_URL stops start-up with one line naming it, without echoing it', async () => {
    world = await World.start({ env: { DATABASE_URL: 'mysql://root:hunter22@db/bot' } });
    const bot = new BotProcess(world.env);
    const exit = await bot.exited;
    expect(exit.code).toBe(1);
    expect(bot.allOutput()).toContain('Configuration error: DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(bot.allOutput()).not.toContain('hunter22');
  });
});
