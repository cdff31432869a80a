import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { landingMs } from '../../src/jobs/schedule.js';
import { JobStore } from '../../src/store/jobs.js';
import { newJob } from '../helpers/jobs.js';
import { STORES, World, hasGlb, sendModel3d, type BotProcess } from './harness.js';

const POLL_MS = 200;
/**
 * Six finished standard jobs, all shorter than the next one (3.3 s): its checks land after the
 * second-shortest, then run past the longest, where each gap adds a fraction of a millisecond that
 * the schedule must round (the store refuses a fractional due time).
 */
const HISTORY_MS = [2000, 2001, 2100, 2200, 2300, 2401];

/** Finished, delivered jobs as the bot would have left them two days ago, written with the app's own store. */
async function seedHistory(world: World): Promise<void> {
  await world.withDb(async (db) => {
    const jobs = new JobStore(db);
    const base = Date.now() - 2 * 24 * 3600_000;
    for (const [i, took] of HISTORY_MS.entries()) {
      const createdAt = base + i * 60_000;
      const job = await jobs.insert(newJob({ createdAt }));
      await jobs.markSubmitted(job.id, `seeded-${i}`, 1, createdAt + 100, createdAt + 100 + POLL_MS);
      const done = await jobs.finish(job.id, { state: 'succeeded', at: createdAt + 100 + took });
      await jobs.markDelivered(job.id, done!.renderVersion, 'webhook', createdAt + 200 + took);
    }
  });
}

describe.each(STORES)('the schedule with a history of finished jobs (%s)', (store) => {
  let world: World;
  let bot: BotProcess;

  beforeEach(async () => {
    // Longer than every recorded job, so the job is still going when the schedule's check lands, and after the longest.
    world = await World.start({ store, timeline: { pendingMs: 300, runningMs: 3000 } });
    await seedHistory(world);
    bot = await world.startBot({ POLL_INTERVAL_MS: String(POLL_MS) });
  });
  afterEach(async () => {
    await world.close();
  });

  it('checks the next job at the learned due time (a whole millisecond) and delivers it', async () => {
    const { discord, dmxapi } = world;
    const errors = () => bot.logs().filter((l) => l.level >= 50);
    // Held running until the checks have gone past the longest recorded duration, so a loaded
    // machine's late checks cannot find the job already finished.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const rec = sendModel3d(discord);
    await dmxapi.waitFor((sim) => {
      const s = sim.submits.at(-1);
      return !!s && sim.calls.filter((c) => c.kind === 'get' && c.taskId === s.taskId && c.at - s.at > Math.max(...HISTORY_MS)).length >= 2;
    }, 25_000);
    dmxapi.release(dmxapi.submits.at(-1)!.taskId!);
    // Until the result, or the first error (a store that refuses the due time: the job would stall).
    await discord.waitFor(() => (hasGlb(discord.originalMessage(rec.token)) || errors().length > 0 ? true : undefined), {
      timeoutMs: 25_000,
      description: 'the result with the GLB',
    });
    expect(errors().map((l) => [l.msg, (l.err as { message?: string } | undefined)?.message])).toEqual([]);

    const submit = dmxapi.submits.at(-1)!;
    const gets = dmxapi.calls.filter((c) => c.kind === 'get' && c.taskId === submit.taskId);
    // One early check an interval after the submit, then none until the landing (an interval after
    // the second-shortest duration); fixed polling would have checked again 200 ms later.
    const landing = landingMs(HISTORY_MS, POLL_MS);
    expect(landing).toBe(2201);
    expect(gets.length).toBeGreaterThanOrEqual(3);
    expect(gets[1]!.at - submit.at).toBeGreaterThanOrEqual(landing);
    // And checks past the longest recorded duration, each due a fraction of a millisecond after an
    // interval unless rounded: the job was still delivered, with no error from the store above.
    expect(gets.filter((g) => g.at - submit.at > Math.max(...HISTORY_MS)).length).toBeGreaterThanOrEqual(2);
    const row = await world.row<{ state: string; took_ms: number }>('SELECT state, took_ms FROM jobs WHERE task_id = @taskId', { taskId: submit.taskId });
    expect(row?.state).toBe('succeeded');
    // Learned from the provider's end_time − submit_time (at least 300 ms pending + 3000 ms running,
    // longer if the release came later), not from when the bot's check saw the end.
    const task = dmxapi.tasks.get(submit.taskId!)!;
    expect(task.pendingMs + task.runningMs).toBeGreaterThanOrEqual(3300);
    expect(Number(row?.took_ms)).toBe(task.pendingMs + task.runningMs);
    expect(errors()).toEqual([]);
  });
});
