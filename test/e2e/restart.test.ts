import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage, InteractionRecord } from '../fakes/discord/index.js';
import { t } from '../../src/i18n/index.js';
import { World, hasGlb, killWhileRunning, sendModel3d, statusChecked } from './harness.js';

/**
 * The bot dies (SIGKILL: no cleanup) at the worst moments and is started again on the same
 * database. The member still gets one result in the original reply, and nothing is submitted twice.
 */

const WEBHOOK_ORIGINAL = '/webhooks/:app/:token/messages/@original';

describe('SIGKILL and restart on the same database', () => {
  let world: World;

  afterEach(async () => {
    await world?.close();
  });

  const send = (): InteractionRecord => sendModel3d(world.discord);

  async function deliveredToOriginal(rec: InteractionRecord): Promise<FakeMessage> {
    const { discord } = world;
    const id = rec.originalMessageId!;
    const msg = await discord.waitFor(() => (hasGlb(discord.message(id)) ? discord.message(id) : undefined), {
      timeoutMs: 15_000,
      description: 'the original reply edited with the GLB',
    });
    // The button edit follows; then every request has been answered.
    await discord.waitFor(() => discord.message(id)?.components?.length, { timeoutMs: 5000, description: 'download button' });
    await discord.waitFor(() => discord.requests.every((r) => r.finishedAt > 0), { timeoutMs: 5000, description: 'requests answered' });
    expect(msg.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    // One result, in the original message: no re-post in the channel, one GLB upload.
    expect(discord.messagesIn(rec.channelId).map((m) => m.id)).toEqual([id]);
    const uploads = discord.requests.filter((r) => r.status === 200 && r.files.some((f) => f.filename === 'model.glb'));
    expect(uploads).toHaveLength(1);
    return msg;
  }

  it('killed while the task runs, task finishes while the bot is down: delivered after restart, one submit', async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 300 } });
    const { discord, dmxapi } = world;
    const { rec } = await killWhileRunning(world);
    expect(hasGlb(discord.message(rec.originalMessageId!))).toBe(false);

    const second = await world.startBot();
    await deliveredToOriginal(rec);
    expect(dmxapi.submitCount()).toBe(1);
    expect(second.logs().some((l) => l.msg === 'submitted')).toBe(false);
    expect(second.logs().find((l) => l.msg === 'resuming unfinished jobs')).toMatchObject({ checks: 1 });
  });

  it('killed in the middle of a status check while RUNNING: the restarted bot resumes polling at once', async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 300 } });
    const { discord, dmxapi } = world;
    // Held RUNNING until the test releases it: no race with the wall clock.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const first = await world.startBot();
    const rec = send();
    await discord.waitForAck(rec.id);
    await first.waitForLog(statusChecked('RUNNING'), 30_000);
    // The next status check never gets an answer: the bot dies holding the job's lease.
    dmxapi.faults.push({ on: 'get', kind: 'hang' });
    await dmxapi.waitFor((s) => s.calls.some((c) => c.kind === 'get' && c.fault === 'hang'), 30_000);
    await first.kill();
    const taskId = dmxapi.submits[0]!.taskId!;
    const getsBefore = dmxapi.getCount(taskId);

    const second = await world.startBot();
    // It polls the still-running task, and sees it RUNNING, well before the dead process's
    // 2-minute lease would have run out (a generous bound: the lease is 120 s).
    await second.waitForLog(statusChecked('RUNNING'), 60_000);
    expect(dmxapi.statusOf(taskId)).toBe('RUNNING');
    expect(dmxapi.getCount(taskId)).toBeGreaterThan(getsBefore);
    expect(second.logs().find((l) => l.msg === 'resuming unfinished jobs')).toMatchObject({ checks: 1 });
    dmxapi.release(taskId);
    await deliveredToOriginal(rec);
    expect(dmxapi.submitCount()).toBe(1);
  });

  it('killed while the final edit is in flight: the restarted bot delivers it', async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 1200 } });
    const { discord, dmxapi } = world;
    const first = await world.startBot();
    const rec = send();
    // The first webhook edit (queued) passes; the next one (the result) is held, then refused.
    const held = discord.faults.add({
      name: 'held-final-edit',
      method: 'PATCH',
      route: WEBHOOK_ORIGINAL,
      token: rec.token,
      afterCalls: 1,
      times: 1,
      delayMs: 4000,
      status: 503,
    });
    await discord.waitForAck(rec.id);
    await discord.waitFor(() => held.fired === 1, { timeoutMs: 10_000, description: 'the final edit held' });
    expect(first.logs().some((l) => l.msg === 'job succeeded')).toBe(true);
    await first.kill();
    expect(hasGlb(discord.message(rec.originalMessageId!))).toBe(false);

    const second = await world.startBot();
    await deliveredToOriginal(rec);
    expect(second.logs().find((l) => l.msg === 'resuming unfinished jobs')).toMatchObject({ deliveries: 1 });
    expect(dmxapi.submitCount()).toBe(1);
  });

  it('killed between submit and recording the task id: the member is told the outcome is unknown, no resubmit', async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 900 } });
    const { discord, dmxapi } = world;
    const env = { UPSTREAM_TIMEOUT_MS: '60000' };
    const first = await world.startBot(env);
    // The provider creates (and bills) the task, but its answer never arrives.
    dmxapi.faults.push({ on: 'submit', kind: 'hang', createTask: true });
    const rec = send();
    await discord.waitForAck(rec.id);
    await dmxapi.waitFor((s) => s.submitCount() === 1, 5000);
    await first.kill();
    expect(first.logs().some((l) => l.msg === 'submitted')).toBe(false);

    const second = await world.startBot(env);
    const userId = discord.build.defaultUser.id;
    const expected = t('en-US', 'job.outcomeUnknown', { user: `<@${userId}>` });
    const msg = await discord.waitFor(
      () => {
        const m = discord.originalMessage(rec.token);
        return m?.content.includes(expected) ? m : undefined;
      },
      { timeoutMs: 10_000, description: 'the outcome-unknown message in the original reply' },
    );
    expect(msg.id).toBe(rec.originalMessageId);
    expect(second.logs().some((l) => l.msg === 'job was interrupted mid-submit; outcome unknown, not resubmitting')).toBe(true);
    // Give a resubmit every chance to happen, then check it did not.
    await new Promise((r) => setTimeout(r, 1000));
    expect(dmxapi.submitCount()).toBe(1);
    expect(dmxapi.chargedCount()).toBe(1);
    expect(discord.messagesIn(rec.channelId)).toHaveLength(1);
    expect(second.running).toBe(true);
  });
});
