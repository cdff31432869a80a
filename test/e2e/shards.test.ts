/**
 * Two bot processes, each a "machine" running one shard of two (`SHARDS=2`, `SHARD_IDS=0` and
 * `SHARD_IDS=1`), on one store and one fake Discord. One of them is SIGKILLed mid-way and never
 * comes back: the other takes its jobs over when their leases expire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { guildIdOnShard, snowflake, type InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, downloadButton, samplePng, type BotProcess } from './harness.js';
import { maxInWindow } from '../helpers/rate.js';

const JOBS = 100;
const MAX_RPS = 20;
const HELD_MS = 600_000;
const hasGlb = (files: { filename: string }[]) => files.some((f) => f.filename === 'model.glb');

// Both processes get the world's env: one SQLite file, or one PostgreSQL schema (DATABASE_URL).
describe.each(STORES)('two shard processes on one store (%s)', (store) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it(`${JOBS} jobs across both shards, one process SIGKILLed mid-way: each delivered once, none submitted twice, budget kept`, async () => {
    const guilds = [guildIdOnShard(0, 2), guildIdOnShard(1, 2)];
    world = await World.start({ store, guilds: guilds.map((id) => ({ id })), timeline: { pendingMs: 300, runningMs: 1200 } });
    const { discord, dmxapi } = world;
    // Half of the tasks stay RUNNING until the test releases them (after the kill).
    const heldImages = new Set<string>();
    dmxapi.setOutcome((body) => (heldImages.has(String(body.input.image)) ? { runningMs: HELD_MS } : undefined));

    const env = {
      SHARDS: '2',
      UPSTREAM_MAX_RPS: String(MAX_RPS),
      POLL_INTERVAL_MS: '1000',
      JOB_LEASE_MS: '5000',
      LOG_LEVEL: 'info',
    };
    // Both start at once on a fresh store: one of them applies the migrations.
    const [a, b] = (await Promise.all([
      world.startBot({ ...env, SHARD_IDS: '0' }),
      world.startBot({ ...env, SHARD_IDS: '1' }),
    ])) as [BotProcess, BotProcess];

    const png = samplePng();
    const recs: { rec: InteractionRecord; shard: number; held: boolean }[] = [];
    for (let wave = 0; wave < JOBS / 10; wave++) {
      for (let i = 0; i < 10; i++) {
        const n = wave * 10 + i;
        const shard = n % 2;
        const held = n % 4 >= 2;
        const image = discord.hostFile(png, { filename: `job-${n}.png`, contentType: 'image/png', width: 256, height: 256 });
        if (held) heldImages.add(image.url);
        const user = { id: snowflake(), username: `member${n}`, global_name: `Member ${n}` };
        const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user, guildId: guilds[shard]! }));
        recs.push({ rec, shard, held });
      }
      // Waves, so that acknowledgements stay within Discord's 3 s on a busy machine.
      await discord.waitFor(() => recs.every((r) => r.rec.ackedAt !== null), { timeoutMs: 15_000, description: `wave ${wave} acknowledged` });
    }
    const submittedBy = (bot: BotProcess) => bot.logs().filter((l) => l.msg === 'submitted');
    await a.waitFor('every job submitted', 30_000, () => submittedBy(a).length + submittedBy(b).length === JOBS);
    expect(submittedBy(a).length).toBe(JOBS / 2);
    expect(submittedBy(b).length).toBe(JOBS / 2);

    const resultUploads = (token: string) =>
      discord.requests.filter((r) => r.status === 200 && r.params.token === token && hasGlb(r.files));
    const delivered = () => recs.filter((r) => resultUploads(r.rec.token).length > 0);
    const withButton = (r: (typeof recs)[number]) => downloadButton(discord.originalMessage(r.rec.token)) !== undefined;
    // Mid-way: every result that could finish is out (with its download button), the rest still run.
    const quick = recs.filter((r) => !r.held);
    await discord.waitFor(() => quick.every(withButton), { timeoutMs: 30_000, description: `quick results (${delivered().length} so far)` });
    expect(delivered().filter((r) => r.held)).toEqual([]);

    await b.kill();
    for (const task of dmxapi.tasks.values()) if (task.runningMs === HELD_MS) task.runningMs = 0;

    await discord.waitFor(() => delivered().length === JOBS, {
      timeoutMs: 45_000,
      description: `all ${JOBS} results (delivered: ${delivered().length})`,
    });
    // The download-button edits follow the result; then nothing is in flight.
    await discord.waitFor(() => recs.every(withButton), { timeoutMs: 15_000, description: 'every download button' });

    for (const { rec } of recs) {
      expect(resultUploads(rec.token), `one result for ${rec.id}`).toHaveLength(1);
      const m = discord.originalMessage(rec.token)!;
      expect(m.attachments.map((f) => f.filename).sort()).toEqual(['model.glb', 'preview.webp']);
    }
    // Nothing was re-posted: each channel holds only the 50 original replies.
    for (const g of world.discord.guilds) {
      const channel = g.channels.find((c) => c.type === 0)!;
      expect(discord.messagesIn(channel.id)).toHaveLength(JOBS / 2);
    }
    // One submit per job, never twice.
    expect(dmxapi.submitCount()).toBe(JOBS);
    expect(new Set(dmxapi.submits.map((s) => s.imageUrl)).size).toBe(JOBS);
    expect(dmxapi.chargedCount()).toBe(JOBS);

    // The jobs that shard 1 accepted and had not finished were finished by shard 0's process.
    const heldOfB = new Set(
      submittedBy(b)
        .filter((l) => recs.find((r) => r.rec.id === l.interactionId)?.held)
        .map((l) => l.jobId),
    );
    expect(heldOfB.size).toBe(JOBS / 4);
    await a.waitFor('shard 0 logs every result it delivered', 10_000, () => {
      const done = new Set(a.logs().filter((l) => l.msg === 'result delivered').map((l) => l.jobId));
      return [...heldOfB].every((id) => done.has(id));
    });
    const finishedByA = new Set(a.logs().filter((l) => l.msg === 'result delivered').map((l) => l.jobId));
    for (const id of heldOfB) expect(finishedByA.has(id), `job ${String(id)} finished by shard 0`).toBe(true);

    // UPSTREAM_MAX_RPS holds for the whole bot: both processes draw on one budget shared through the
    // store, which grants at most 1 + T·MAX_RPS calls in any span T (src/upstream/shared-budget.ts).
    // These are arrival times at the simulator, so a call may arrive late next to one on time: the
    // bound holds where they leave; on a loaded machine arrivals bunch up, so a 1 s window gets
    // half again as much room (one process taking the whole budget showed 39), and 5 s stays tight.
    const calls = dmxapi.calls.filter((c) => c.kind === 'submit' || c.kind === 'get').map((c) => c.at);
    expect(calls.length).toBeGreaterThan(2 * JOBS);
    expect(maxInWindow(calls, 1000)).toBeLessThanOrEqual(Math.ceil(1.5 * MAX_RPS));
    expect(maxInWindow(calls, 5000)).toBeLessThanOrEqual(5 * MAX_RPS + 2);
    // While both processes ran, the demand (50 jobs checked every second each) was above the budget.
    expect(maxInWindow(calls, 5000)).toBeGreaterThan(5 * MAX_RPS * 0.6);
    expect(a.running).toBe(true);
  }, 150_000);
});
