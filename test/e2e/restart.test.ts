import { afterEach, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../fakes/discord/index.js';
import { t } from '../../src/i18n/index.js';
import { STORES, World, hasGlb, laterJobDelivered, sendPicture, statusChecked } from './harness.js';

/**
 * The bot dies (SIGKILL: no cleanup) at the worst moments and is started again on the same store.
 * Each member still gets one result in the original reply, and nothing is submitted twice.
 *
 * The worst moments happen to four jobs at once, so that one kill and one restart (the costly part:
 * two bot starts) cover them all, on each store:
 * - A: the task runs, and finishes while the bot is down;
 * - C: a status check of a running task is in flight (it never gets an answer);
 * - B: the submit has left, its answer has not come back (the provider did create the task);
 * - D: the final edit of the reply is in flight (held, then refused).
 * Every task is held by the simulator (or its request hangs) until the test lets it go, so the
 * order of events is fixed however slow the machine.
 */

const WEBHOOK_ORIGINAL = '/webhooks/:app/:token/messages/@original';

interface Sent {
  rec: InteractionRecord;
  imageUrl: string;
  taskId?: string;
}

describe.each(STORES)('SIGKILL and restart on the same store (%s)', (store) => {
  let world: World;

  afterEach(async () => {
    await world?.close();
  });

  it('killed at four worst moments at once: each job resumes where it was, one result each, one submit each', async () => {
    world = await World.start({ store, timeline: { pendingMs: 300, runningMs: 300 } });
    const { discord, dmxapi } = world;
    // B's submit must outlive the bot: no client timeout before the kill.
    const env = { UPSTREAM_TIMEOUT_MS: '60000' };
    const first = await world.startBot(env);

    /** Sends one job and waits until its submit reached the provider (so plans and faults go to the right job). */
    const send = async (name: string): Promise<Sent> => {
      const before = dmxapi.submitCount();
      const sent: Sent = sendPicture(discord, name);
      await discord.waitForAck(sent.rec.id);
      await dmxapi.waitFor((s) => s.submitCount() === before + 1, 10_000);
      sent.taskId = dmxapi.submits.at(-1)!.taskId;
      return sent;
    };

    // A and C: held RUNNING until the test releases them.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' }, { holdIn: 'RUNNING' });
    const a = await send('a');
    const c = await send('c');
    await first.waitForLog((l) => statusChecked('RUNNING')(l) && l.taskId === a.taskId, 30_000);
    await first.waitForLog((l) => statusChecked('RUNNING')(l) && l.taskId === c.taskId, 30_000);
    // C's next status check never gets an answer: the bot dies holding the job's lease.
    dmxapi.faults.push({ on: 'get', kind: 'hang', taskId: c.taskId! });
    await dmxapi.waitFor((s) => s.calls.some((call) => call.kind === 'get' && call.taskId === c.taskId && call.fault === 'hang'), 30_000);

    // B: the provider creates (and bills) the task, but its answer never arrives.
    dmxapi.faults.push({ on: 'submit', kind: 'hang', createTask: true });
    const b = await send('b');
    expect(first.logs().some((l) => l.msg === 'submitted' && l.interactionId === b.rec.id)).toBe(false);

    // D: the task ends at once; its first webhook edit (queued) passes, the next one (the result) is held, then refused.
    const dImage = sendPicture(discord, 'd');
    const held = discord.faults.add({
      name: 'held-final-edit',
      method: 'PATCH',
      route: WEBHOOK_ORIGINAL,
      token: dImage.rec.token,
      afterCalls: 1,
      times: 1,
      delayMs: 4000,
      status: 503,
    });
    await discord.waitFor(() => held.fired === 1, { timeoutMs: 15_000, description: "D's final edit held" });
    const d: Sent = { ...dImage, taskId: dmxapi.submits.find((s) => s.imageUrl === dImage.imageUrl)!.taskId };
    await first.waitForLog((l) => l.msg === 'job succeeded' && l.taskId === d.taskId, 5000);
    // At once: the held edit is refused 4 s after it came.
    await first.kill();
    // A's task finishes while no bot is up.
    dmxapi.release(a.taskId!);
    await dmxapi.waitFor((s) => s.statusOf(a.taskId!) === 'SUCCEEDED', 30_000);
    for (const job of [a, b, c, d]) expect(hasGlb(discord.message(job.rec.originalMessageId!)), job.rec.id).toBe(false);
    const cGetsBefore = dmxapi.getCount(c.taskId);

    const second = await world.startBot(env);
    // B: decided at start-up, before the bot took any work: outcome unknown, not resubmitted.
    await second.waitForLog('job was interrupted mid-submit; outcome unknown, not resubmitting', 5000);
    // A and C are checked again at once, well before the dead process's 2-minute leases run out.
    expect(await second.waitForLog('resuming unfinished jobs', 5000)).toMatchObject({ checks: 2 });
    await second.waitForLog((l) => statusChecked('RUNNING')(l) && l.taskId === c.taskId, 60_000);
    expect(dmxapi.statusOf(c.taskId!)).toBe('RUNNING');
    expect(dmxapi.getCount(c.taskId)).toBeGreaterThan(cGetsBefore);
    dmxapi.release(c.taskId!);

    // A, C and D: each delivered once, into the original reply.
    for (const job of [a, c, d]) await deliveredToOriginal(job);
    await second.waitFor('A, C and D delivered by the restarted bot', 5000, () =>
      [a, c, d].every((job) => second.logs().some((l) => l.msg === 'result delivered' && l.taskId === job.taskId)),
    );
    // B: the member is told the outcome is unknown, in the original reply.
    const expected = t('en-US', 'job.outcomeUnknown', { user: `<@${discord.build.defaultUser.id}>` });
    const bMsg = await discord.waitFor(() => (discord.originalMessage(b.rec.token)?.content.includes(expected) ? discord.originalMessage(b.rec.token) : undefined), {
      timeoutMs: 10_000,
      description: 'the outcome-unknown message in the original reply',
    });
    expect(bMsg.id).toBe(b.rec.originalMessageId);

    await discord.waitFor(() => discord.requests.every((r) => r.finishedAt > 0), { timeoutMs: 10_000, description: 'requests answered' });
    // The store agrees with what members see: every message is up to date with its job.
    const rows = await world.rows<{ interaction_id: string; state: string; task_id: string | null; render_version: number; delivered_version: number }>(
      'SELECT interaction_id, state, task_id, render_version, delivered_version FROM jobs',
    );
    const row = (job: Sent) => rows.find((r) => r.interaction_id === job.rec.id);
    for (const job of [a, c, d]) expect(row(job)).toMatchObject({ state: 'succeeded', task_id: job.taskId });
    expect(row(b)).toMatchObject({ state: 'outcome_unknown', task_id: null });
    for (const r of rows) expect(r.delivered_version, r.interaction_id).toBe(r.render_version);

    // Nothing was submitted again: a later job goes through the restarted bot's submit path, and
    // the submits are the four of before the kill and that one.
    const later = await laterJobDelivered(world, 'after-restart', { runningMs: 1200 });
    expect(dmxapi.submits.map((s) => s.imageUrl)).toEqual([a, c, b, d, later].map((j) => j.imageUrl));
    expect(dmxapi.chargedCount()).toBe(5);
    expect(second.logs().filter((l) => l.msg === 'submitted').map((l) => l.interactionId)).toEqual([later.rec.id]);
    // Nothing was re-posted: the channel holds the original replies only.
    const channel = a.rec.channelId;
    expect(discord.messagesIn(channel).map((m) => m.id).sort()).toEqual([a, b, c, d, later].map((j) => j.rec.originalMessageId!).sort());
    expect(second.running).toBe(true);

    async function deliveredToOriginal(job: Sent): Promise<void> {
      const id = job.rec.originalMessageId!;
      const msg = await discord.waitFor(() => (hasGlb(discord.message(id)) ? discord.message(id) : undefined), {
        timeoutMs: 15_000,
        description: `the original reply of ${job.rec.id} edited with the GLB`,
      });
      // The button edit follows.
      await discord.waitFor(() => discord.message(id)?.components?.length, { timeoutMs: 5000, description: 'download button' });
      expect(msg.attachments.map((f) => f.filename).sort()).toEqual(['model.glb', 'preview.webp']);
      const uploads = discord.requests.filter((r) => r.status === 200 && r.params.token === job.rec.token && r.files.some((f) => f.filename === 'model.glb'));
      expect(uploads, `one GLB upload for ${job.rec.id}`).toHaveLength(1);
    }
  }, 120_000);
});
