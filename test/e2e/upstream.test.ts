/**
 * What the member sees when the provider misbehaves: terminal task states, a flaky
 * upstream, refused and lost submits, a task that never ends, a GLB padded past the
 * upload limit, and honest progress edits. The real bot, against both fakes, on each store.
 *
 * "Nothing more happened" is never a sleep: the bot's decision is read where it is made (its log
 * line, the job's row, which every later step reads), then a later job is run to its result
 * (laterJobDelivered) and the counts are read again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fakes/discord/index.js';
import type { Fault } from '../fakes/dmxapi/index.js';
import { STORES, World, laterJobDelivered, sendPicture, visibleText, waitForVisible, type BotProcess } from './harness.js';

interface JobRow {
  id: number;
  state: string;
  task_id: string | null;
  error_code: string | null;
  next_check_at: number | null;
}

const jobOf = (world: World, interactionId: string): Promise<JobRow | undefined> =>
  world.row<JobRow>('SELECT id, state, task_id, error_code, next_check_at FROM jobs WHERE interaction_id = @interactionId', {
    interactionId,
  });

type Started = ReturnType<typeof sendPicture>;

/** Starts one /model3d with a picture of its own (so submits can be counted per image). */
const start = (world: World, name: string): Started => sendPicture(world.discord, name);

function originalEdits(world: World, token: string): RecordedRequest[] {
  return world.discord
    .requestsMatching({ method: 'PATCH', route: '/webhooks/:app/:token/messages/@original', token })
    .filter((r) => r.status === 200);
}

function bodyText(r: RecordedRequest): string {
  const b = (r.body ?? {}) as { content?: string; embeds?: { description?: string; fields?: { value: string }[] }[] };
  return [b.content ?? '', ...(b.embeds ?? []).flatMap((e) => [e.description ?? '', ...(e.fields ?? []).map((f) => f.value)])].join('\n');
}

describe.each(STORES)('when the provider misbehaves (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  /** A bot of its own whose jobs time out after 3 s. */
  let late: World;
  let lateBot: BotProcess;
  /** Jobs that take seconds: started at once, they run while the other cases do; their own cases come last. */
  let progressJob: Started;
  let neverJob: Started;

  beforeAll(async () => {
    [world, late] = await Promise.all([World.start({ store, env: { UPSTREAM_TIMEOUT_MS: '1500' } }), World.start({ store })]);
    [bot, lateBot] = await Promise.all([world.startBot(), late.startBot({ JOB_TIMEOUT_MS: '3000' })]);
    // Long enough for a progress edit after the 5 s gap.
    world.dmxapi.nextTasks.push({ pendingMs: 300, runningMs: 7000 });
    progressJob = start(world, 'progress');
    late.dmxapi.nextTasks.push({ outcome: 'never' });
    neverJob = start(late, 'never');
    // Submitted before any case sets its plans and faults.
    await world.dmxapi.waitFor((sim) => sim.submitCount(progressJob.imageUrl) === 1, 15_000);
    await late.dmxapi.waitFor((sim) => sim.submitCount(neverJob.imageUrl) === 1, 15_000);
  });
  afterAll(async () => {
    await Promise.all([world?.close(), late?.close()]);
  });
  beforeEach(() => {
    world.dmxapi.faults.length = 0;
    world.dmxapi.nextTasks.length = 0;
    world.dmxapi.setOutcome(undefined);
  });

  /**
   * Starts a job whose task is held PENDING until its faults are in place, scoped to that task
   * (the background jobs' checks must not take them).
   */
  async function startWithFaults(name: string, faults: Omit<Fault, 'taskId'>[]): Promise<Started> {
    const { dmxapi } = world;
    dmxapi.nextTasks.push({ holdIn: 'PENDING' });
    const job = start(world, name);
    await dmxapi.waitFor((sim) => sim.submits.some((x) => x.imageUrl === job.imageUrl && x.taskId), 15_000);
    const taskId = dmxapi.submits.find((x) => x.imageUrl === job.imageUrl)!.taskId!;
    dmxapi.faults.push(...faults.map((f) => ({ ...f, taskId })));
    dmxapi.release(taskId);
    return job;
  }

  it("FAILED shows the provider's code and message as plain text and says nothing more will come", async () => {
    const { discord, dmxapi } = world;
    // A message full of markdown: a masked link, a break out of the code span, a mention, @everyone, a heading.
    const message = '# Verify [your account](https://evil.example/login) now: <@123456789012345678> @everyone ||free|| `x';
    dmxapi.nextTasks.push({ outcome: 'FAILED', code: 'Invalid`Image', message });
    const { rec, imageUrl } = start(world, 'failed');
    const text = await waitForVisible(discord, rec.token, 'Nothing more will come', 15_000);
    expect(text).toContain('could not make a model');
    // Shown as typed: nothing renders as a link, code, heading, spoiler or mention.
    expect(text).toContain(
      'Reason: **Invalid\\`Image** \\# Verify \\[your account](https://evil.example/login) now: \\<@123456789012345678> @\u200beveryone \\|\\|free\\|\\| \\`x\nNothing more',
    );
    const reply = discord.originalMessage(rec.token)!;
    // Only the bot's copy of the member's picture (the thumbnail): nothing from the provider.
    expect(reply.attachments.map((a) => a.filename)).toEqual(['picture.webp']);
    // Nothing to download: the next steps are a retry or taking the message down.
    const job = (await jobOf(world, rec.id))!;
    expect((reply.components as { components: { custom_id?: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id))).toEqual([
      `job:retry:${job.id}`,
      `job:delete:${job.id}`,
    ]);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    // The job is over: no check is due for it any more (the poller checks only what its row says is due)...
    expect(job).toMatchObject({ state: 'failed', error_code: 'Invalid`Image', next_check_at: null });
    await bot.waitForLog((l) => l.msg === 'job failed upstream' && l.jobId === job.id, 5000);
    // ...and while a later job was checked through to its result, its task was not asked about again.
    const gets = dmxapi.getCount(job.task_id!);
    await laterJobDelivered(world, 'after-failed');
    expect(dmxapi.getCount(job.task_id!)).toBe(gets);
  });

  it('CANCELED ends the job with its message', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ outcome: 'CANCELED' });
    const { rec, imageUrl } = start(world, 'canceled');
    const text = await waitForVisible(discord, rec.token, 'the generator canceled this job', 15_000);
    expect(text).toContain('Nothing more will come for this request.');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect((await jobOf(world, rec.id))?.state).toBe('canceled');
  });

  it('UNKNOWN (a task the provider lost) ends the job with its message', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ outcome: 'UNKNOWN' });
    const { rec, imageUrl } = start(world, 'unknown');
    const text = await waitForVisible(discord, rec.token, 'no longer knows this job', 15_000);
    expect(text).toContain('Nothing more will come for this request.');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect((await jobOf(world, rec.id))?.state).toBe('expired');
  });

  it('a flaky upstream (three 500s and a 429 on status checks) still ends delivered, never ended early', async () => {
    const { discord, dmxapi } = world;
    const { rec, imageUrl } = await startWithFaults('flaky', [
      { on: 'get', kind: '500', times: 3 },
      { on: 'get', kind: '429', retryAfterS: 1, times: 1 },
    ]);
    await discord.waitFor(() => discord.originalMessage(rec.token)?.attachments.some((a) => a.filename === 'model.glb'), {
      timeoutMs: 25_000,
      description: 'the GLB after a flaky upstream',
    });
    expect(dmxapi.calls.filter((c) => c.kind === 'get' && c.fault === '500')).toHaveLength(3);
    expect(dmxapi.calls.filter((c) => c.kind === 'get' && c.fault === '429')).toHaveLength(1);
    expect(dmxapi.faults).toHaveLength(0);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    // No edit ever told the member it failed or timed out.
    for (const edit of originalEdits(world, rec.token)) expect(bodyText(edit)).not.toMatch(/❌|⌛|⚠️/);
    expect((await jobOf(world, rec.id))?.state).toBe('succeeded');
    expect(visibleText(discord, rec.token)).toContain('your 3D model is ready');
  });

  it("a longer outage (a hung check, then ten 500s) outlasts the client's retries; the poller backs off and still delivers", async () => {
    const { discord, dmxapi } = world;
    const { rec, imageUrl } = await startWithFaults('outage', [
      { on: 'get', kind: 'hang', times: 1 },
      { on: 'get', kind: '500', times: 10 },
    ]);
    await discord.waitFor(() => discord.originalMessage(rec.token)?.attachments.some((a) => a.filename === 'model.glb'), {
      timeoutMs: 40_000,
      description: 'the GLB after an outage',
    });
    expect(dmxapi.faults).toHaveLength(0);
    const taskId = dmxapi.submits.find((s) => s.imageUrl === imageUrl)!.taskId;
    await bot.waitForLog((l) => l.msg === 'status check failed; will retry' && l.taskId === taskId, 5000);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    for (const edit of originalEdits(world, rec.token)) expect(bodyText(edit)).not.toMatch(/❌|⌛|⚠️/);
    expect((await jobOf(world, rec.id))?.state).toBe('succeeded');
  });

  it('a submit answered 401: not started, nothing charged, exactly one submit', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'submit', kind: '401' });
    const { rec, imageUrl } = start(world, 'refused');
    const text = await waitForVisible(discord, rec.token, 'the job could not be started', 15_000);
    expect(text).toContain('Nothing was charged to your quota.');
    expect(text).toContain('generator account was refused');
    // The bot decided once, after its one submit: the job is over and has no task.
    const job = (await jobOf(world, rec.id))!;
    expect(job).toMatchObject({ state: 'not_submitted', task_id: null, next_check_at: null });
    await bot.waitForLog((l) => l.msg === 'submit refused upstream; nothing was charged' && l.jobId === job.id, 5000);
    // A later job goes all the way through the same submit path; the refused picture was never sent again.
    const later = await laterJobDelivered(world, 'after-refused');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(dmxapi.chargedCount(imageUrl)).toBe(0);
    expect(dmxapi.submits.map((s) => s.imageUrl).slice(-2)).toEqual([imageUrl, later.imageUrl]);
  });

  it('a submit that hangs: outcome unknown, one submit, never resubmitted', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'submit', kind: 'hang', createTask: true });
    const { rec, imageUrl } = start(world, 'hang');
    // Acknowledged at once even though the submit hangs.
    expect((await discord.waitForAck(rec.id)).ackLatencyMs).toBeLessThan(3000);
    const text = await waitForVisible(discord, rec.token, 'lost contact with the generator', 15_000);
    expect(text).toContain('It will not resubmit it on its own');
    const job = (await jobOf(world, rec.id))!;
    expect(job).toMatchObject({ state: 'outcome_unknown', task_id: null, next_check_at: null });
    await bot.waitForLog((l) => l.msg === 'submit outcome unknown' && l.jobId === job.id, 5000);
    // The provider did create (and bill) the task; the bot must not send a second one. The later
    // job is held at the provider for twice as long as the bot waited for the lost submit.
    expect(dmxapi.chargedCount(imageUrl)).toBe(1);
    const later = await laterJobDelivered(world, 'after-hang', { runningMs: 3000 });
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(dmxapi.submits.map((s) => s.imageUrl).slice(-2)).toEqual([imageUrl, later.imageUrl]);
  });

  it('a GLB padded past the upload limit: the lossless step makes it fit; attached, with one line that says so', async () => {
    const { discord, dmxapi } = world;
    dmxapi.setOutcome(() => ({ modelBytes: 12 * 1024 * 1024 }));
    const { rec } = start(world, 'biggl');
    const final = await discord.waitFor(
      () => {
        const m = discord.originalMessage(rec.token);
        return m && m.attachments.some((a) => a.filename === 'model.glb') ? m : undefined;
      },
      { timeoutMs: 20_000, description: 'result with the GLB attached' },
    );
    expect(final.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    const glb = discord.fileBytes(final.attachments.find((a) => a.filename === 'model.glb')!.url)!;
    expect(glb.length).toBeLessThan(10 * 1024);
    const text = visibleText(discord, rec.token);
    expect(text).toContain(`GLB attached (${(glb.length / 1024).toFixed(1)} KB).`);
    expect(text).toContain(`12.0 MB → ${(glb.length / 1024).toFixed(1)} KB: lossless clean-up`);
    expect(text).not.toContain('linked instead');
  });

  it('Queued, then Generating, edits ≥ 5 s apart, and the result right after the task ends', async () => {
    const { discord, dmxapi } = world;
    // Started in beforeAll; the schedule has this world's history by now.
    const { rec, imageUrl } = progressJob;
    // Wait for the recorded request (the message store is updated a moment before the request log).
    const isFinal = (e: RecordedRequest) => bodyText(e).includes('your 3D model is ready');
    await discord.waitFor(() => originalEdits(world, rec.token).some(isFinal), { timeoutMs: 20_000, description: 'the final edit' });

    const edits = originalEdits(world, rec.token);
    const finalIndex = edits.findIndex(isFinal);
    expect(finalIndex).toBeGreaterThan(0);
    const progress = edits.slice(0, finalIndex);
    const texts = progress.map(bodyText);
    const queued = texts.findIndex((t) => t.includes('**Queued**'));
    const generating = texts.findIndex((t) => t.includes('**Generating**'));
    expect(queued).toBeGreaterThanOrEqual(0);
    expect(generating).toBeGreaterThan(queued);
    // Elapsed time is shown with Discord timestamps, which every client renders live.
    for (const t of texts) expect(t).toMatch(/<t:\d+:R>/);

    // Progress edits of one message stay at least 5 s apart.
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.startedAt - progress[i - 1]!.startedAt).toBeGreaterThanOrEqual(5000);
    }
    // The final edit is not held back by that gap...
    const final = edits[finalIndex]!;
    expect(final.startedAt - progress.at(-1)!.startedAt).toBeLessThan(5000);
    // ...and it is what the first status check after the task's end led to: no second check, no wait.
    // (How soon that check comes is the schedule's, tested on a virtual clock in test/jobs/schedule.test.ts;
    // a wall-clock bound here failed on a loaded machine.)
    const task = [...dmxapi.tasks.values()].find((t) => t.imageUrl === imageUrl)!;
    const taskEnd = task.submittedAt + task.pendingMs + task.runningMs;
    expect(final.startedAt).toBeGreaterThanOrEqual(taskEnd);
    const checksAfterEnd = dmxapi.calls.filter((c) => c.kind === 'get' && c.taskId === task.id && c.at >= taskEnd && c.at <= final.startedAt);
    expect(checksAfterEnd.length).toBeLessThanOrEqual(1);
  });

  it('a task that never finishes: timed out with its message after JOB_TIMEOUT_MS, and checks stop', async () => {
    const { discord, dmxapi } = late;
    const { rec, imageUrl } = neverJob;
    const text = await waitForVisible(discord, rec.token, 'the bot stopped waiting', 12_000);
    expect(text).toContain('did not finish within');
    expect(text).toContain('Nothing more will come for this request.');
    // Not before its deadline (the recorded request lags the message store by a moment).
    const told = await discord.waitFor(() => originalEdits(late, rec.token).find((e) => bodyText(e).includes('the bot stopped waiting')), {
      timeoutMs: 5000,
      description: 'the timed-out edit in the request log',
    });
    expect(told.startedAt - rec.sentAt).toBeGreaterThanOrEqual(2500);
    const job = (await jobOf(late, rec.id))!;
    // Timed out for good: no check is due for it, and the task is still running at the provider.
    expect(job).toMatchObject({ state: 'timed_out', next_check_at: null });
    await lateBot.waitForLog((l) => l.msg === 'job did not finish before its deadline' && l.jobId === job.id, 5000);
    expect(dmxapi.statusOf(job.task_id!)).toBe('RUNNING');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    // A later job is checked through to its result; the timed-out task is not asked about again.
    const gets = dmxapi.getCount(job.task_id!);
    await laterJobDelivered(late, 'after-timeout');
    expect(dmxapi.getCount(job.task_id!)).toBe(gets);
  });
});
