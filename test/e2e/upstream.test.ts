/**
 * What the member sees when the provider misbehaves: terminal task states, a flaky
 * upstream, refused and lost submits, a task that never ends, a GLB padded past the
 * upload limit, and honest progress edits. The real bot, against both fakes.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fakes/discord/index.js';
import { World, samplePng, visibleText, waitForVisible, type BotProcess } from './harness.js';

interface JobRow {
  id: number;
  state: string;
  task_id: string | null;
  error_code: string | null;
  poll_failures: number;
  interaction_id: string;
}

function jobOf(world: World, interactionId: string): JobRow | undefined {
  const db = new Database(join(world.dir, 'bot.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM jobs WHERE interaction_id = ?').get(interactionId) as JobRow | undefined;
  } finally {
    db.close();
  }
}

/** Starts one /model3d with a picture of its own (so submits can be counted per image). */
function start(world: World, name: string) {
  const { discord } = world;
  const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
  const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image } }));
  return { rec, imageUrl: image.url };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function originalEdits(world: World, token: string): RecordedRequest[] {
  return world.discord
    .requestsMatching({ method: 'PATCH', route: '/webhooks/:app/:token/messages/@original', token })
    .filter((r) => r.status === 200);
}

function bodyText(r: RecordedRequest): string {
  const b = (r.body ?? {}) as { content?: string; embeds?: { description?: string; fields?: { value: string }[] }[] };
  return [b.content ?? '', ...(b.embeds ?? []).flatMap((e) => [e.description ?? '', ...(e.fields ?? []).map((f) => f.value)])].join('\n');
}

describe('terminal states, flaky upstream and refused submits', () => {
  let world: World;
  let bot: BotProcess;

  beforeAll(async () => {
    world = await World.start({ env: { UPSTREAM_TIMEOUT_MS: '1500' } });
    bot = await world.startBot();
  });
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(() => {
    world.dmxapi.faults.length = 0;
    world.dmxapi.nextTasks.length = 0;
    world.dmxapi.setOutcome(undefined);
  });

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
    expect(reply.attachments).toHaveLength(0);
    // Nothing to download: the next steps are a retry or taking the message down.
    const jobId = jobOf(world, rec.id)!.id;
    expect((reply.components as { components: { custom_id?: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id))).toEqual([
      `job:retry:${jobId}`,
      `job:delete:${jobId}`,
    ]);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(jobOf(world, rec.id)).toMatchObject({ state: 'failed', error_code: 'Invalid`Image' });
    // The job is over: no more status checks for its task.
    const taskId = jobOf(world, rec.id)!.task_id!;
    const gets = dmxapi.getCount(taskId);
    await sleep(800);
    expect(dmxapi.getCount(taskId)).toBe(gets);
  });

  it('CANCELED ends the job with its message', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ outcome: 'CANCELED' });
    const { rec, imageUrl } = start(world, 'canceled');
    const text = await waitForVisible(discord, rec.token, 'the generator canceled this job', 15_000);
    expect(text).toContain('Nothing more will come for this request.');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(jobOf(world, rec.id)?.state).toBe('canceled');
  });

  it('UNKNOWN (a task the provider lost) ends the job with its message', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ outcome: 'UNKNOWN' });
    const { rec, imageUrl } = start(world, 'unknown');
    const text = await waitForVisible(discord, rec.token, 'no longer knows this job', 15_000);
    expect(text).toContain('Nothing more will come for this request.');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(jobOf(world, rec.id)?.state).toBe('expired');
  });

  it('a flaky upstream (three 500s and a 429 on status checks) still ends delivered, never ended early', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'get', kind: '500', times: 3 }, { on: 'get', kind: '429', retryAfterS: 1, times: 1 });
    const { rec, imageUrl } = start(world, 'flaky');
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
    expect(jobOf(world, rec.id)?.state).toBe('succeeded');
    expect(visibleText(discord, rec.token)).toContain('your 3D model is ready');
  });

  it("a longer outage (a hung check, then ten 500s) outlasts the client's retries; the poller backs off and still delivers", async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'get', kind: 'hang', times: 1 }, { on: 'get', kind: '500', times: 10 });
    const { rec, imageUrl } = start(world, 'outage');
    await discord.waitFor(() => discord.originalMessage(rec.token)?.attachments.some((a) => a.filename === 'model.glb'), {
      timeoutMs: 40_000,
      description: 'the GLB after an outage',
    });
    expect(dmxapi.faults).toHaveLength(0);
    expect(bot.logs().some((l) => l.msg === 'status check failed; will retry')).toBe(true);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    for (const edit of originalEdits(world, rec.token)) expect(bodyText(edit)).not.toMatch(/❌|⌛|⚠️/);
    expect(jobOf(world, rec.id)?.state).toBe('succeeded');
  });

  it('a submit answered 401: not started, nothing charged, exactly one submit', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'submit', kind: '401' });
    const charged = dmxapi.chargedCount();
    const { rec, imageUrl } = start(world, 'refused');
    const text = await waitForVisible(discord, rec.token, 'the job could not be started', 15_000);
    expect(text).toContain('Nothing was charged to your quota.');
    expect(text).toContain('generator account was refused');
    expect(jobOf(world, rec.id)?.state).toBe('not_submitted');
    await sleep(1000);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(dmxapi.chargedCount()).toBe(charged);
  });

  it('a submit that hangs: outcome unknown, one submit, never resubmitted', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'submit', kind: 'hang', createTask: true });
    const { rec, imageUrl } = start(world, 'hang');
    // Acknowledged at once even though the submit hangs.
    expect((await discord.waitForAck(rec.id)).ackLatencyMs).toBeLessThan(3000);
    const text = await waitForVisible(discord, rec.token, 'lost contact with the generator', 15_000);
    expect(text).toContain('It will not resubmit it on its own');
    expect(jobOf(world, rec.id)).toMatchObject({ state: 'outcome_unknown', task_id: null });
    // The provider did create (and bill) the task; the bot must not send a second one.
    expect(dmxapi.chargedCount(imageUrl)).toBe(1);
    await sleep(2500);
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    expect(bot.logs().some((l) => l.msg === 'submit outcome unknown')).toBe(true);
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
});

describe('a task that never finishes', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
    await world.startBot({ JOB_TIMEOUT_MS: '3000' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('ends timed out with its message after JOB_TIMEOUT_MS, and checks stop', async () => {
    const { discord, dmxapi } = world;
    dmxapi.nextTasks.push({ outcome: 'never' });
    const { rec, imageUrl } = start(world, 'never');
    const startedAt = Date.now();
    const text = await waitForVisible(discord, rec.token, 'the bot stopped waiting', 12_000);
    const tookMs = Date.now() - startedAt;
    expect(text).toContain('did not finish within');
    expect(text).toContain('Nothing more will come for this request.');
    expect(tookMs).toBeGreaterThanOrEqual(2500);
    expect(tookMs).toBeLessThan(8000);
    const job = jobOf(world, rec.id)!;
    expect(job.state).toBe('timed_out');
    expect(dmxapi.statusOf(job.task_id!)).toBe('RUNNING');
    expect(dmxapi.submitCount(imageUrl)).toBe(1);
    const gets = dmxapi.getCount(job.task_id!);
    await sleep(800);
    expect(dmxapi.getCount(job.task_id!)).toBe(gets);
  });
});

describe('progress is shown honestly', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start({ timeline: { pendingMs: 300, runningMs: 7000 } });
    await world.startBot();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('Queued, then Generating, edits ≥ 5 s apart, and the result right after the task ends', async () => {
    const { discord, dmxapi } = world;
    const { rec } = start(world, 'progress');
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
    // ...and comes within ~1.5 s of the task's end at the provider.
    const task = [...dmxapi.tasks.values()][0]!;
    const taskEnd = task.submittedAt + task.pendingMs + task.runningMs;
    expect(final.startedAt - taskEnd).toBeLessThan(1500);
    expect(final.startedAt).toBeGreaterThanOrEqual(taskEnd);
  });
});
