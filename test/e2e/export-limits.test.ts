/**
 * A member pressing STL/OBJ over and over (issue 23 §2): one export in flight per member (the other
 * presses are refused, naming the wait), an hourly cap whose refusal names the wait, and another
 * member's result that finishes meanwhile is delivered while the export is still being made: it waits
 * for no export at all. Through the fakes, with the real bot (`npm start`), on both stores.
 *
 * The export is held in the model process by its input: the flooder's original.glb is replaced by a
 * named pipe, which the model process reads until the test writes the file into it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { snowflake, type FakeDiscord, type InteractionRecord } from '../fakes/discord/index.js';
import { fifoBarrier } from '../helpers/fifo.js';
import { STORES, World, downloadButton, samplePng, sendModel3d, type BotProcess } from './harness.js';

const LOADING = 128;
const BUSY = 'You already have an export being made. You can make another once it has arrived.';

/** The answer to a press, once it is no longer "thinking". */
const answerTo = (discord: FakeDiscord, p: InteractionRecord) =>
  discord.waitFor(() => {
    const m = discord.originalMessage(p.token);
    return m && !(m.flags & LOADING) ? m : undefined;
  }, { timeoutMs: 60_000, description: `answer to press ${p.id}` });

describe.each(STORES)('export limits per member (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  beforeAll(async () => {
    world = await World.start({ store, env: { EXPORTS_PER_HOUR: '1' }, timeline: { pendingMs: 50, runningMs: 100 } });
    bot = await world.startBot();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('a flood of presses runs one export, the rest are refused naming the wait, and another member’s result is delivered while that export is held', async () => {
    const { discord, dmxapi } = world;
    const mine = sendModel3d(discord);
    const result = await discord.waitFor(() => {
      const m = discord.originalMessage(mine.token);
      return downloadButton(m) && JSON.stringify(m!.components).includes('export:stl:') ? m : undefined;
    }, { timeoutMs: 30_000, description: 'the flooder’s result with its export buttons' });
    const jobId = Number(/export:stl:(\d+)/.exec(JSON.stringify(result.components))![1]);
    const press = (kind: 'stl' | 'obj') => discord.sendInteraction(discord.build.button({ customId: `export:${kind}:${jobId}`, message: { id: result.id } }));

    // The flooder's export will read a pipe in place of its original GLB, and wait there.
    const { original_file: original } = (await world.row('SELECT original_file FROM jobs WHERE id = @id', { id: jobId })) as { original_file: string };
    const glb = readFileSync(original);
    rmSync(original);
    const held = fifoBarrier(original);
    onTestFinished(() => held.release());

    // Another member's job, held running by the provider until the flood is under way.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const image = discord.hostFile(samplePng(), { filename: 'b.png', contentType: 'image/png', width: 256, height: 256 });
    const other = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user: { id: snowflake(), username: 'b', global_name: null } }));
    const seen = await bot.waitForLog((l) => l.msg === 'status checked' && l.status === 'RUNNING' && l.jobId !== jobId, 30_000);
    const otherJob = Number(seen.jobId);

    // One export in flight: the model process has opened its input and waits on it.
    const first = press('stl');
    const firstAnswer = answerTo(discord, first);
    await held.openedBy(firstAnswer);
    // Every other press while it is held is refused, and told what it waits for.
    const flood = ['obj', 'stl', 'obj', 'stl'].map((k) => press(k as 'stl' | 'obj'));
    for (const m of await Promise.all(flood.map((p) => answerTo(discord, p)))) {
      expect(m.content).toBe(BUSY);
      expect(m.attachments).toEqual([]);
    }

    // The other member's job finishes now, and its result is delivered while the export is still held.
    dmxapi.release(String(seen.taskId));
    await discord.waitFor(() => downloadButton(discord.originalMessage(other.token)), { timeoutMs: 30_000, description: 'the other member’s result' });
    await bot.waitForLog((l) => l.msg === 'result delivered' && l.jobId === otherJob, 15_000);
    expect(discord.originalMessage(first.token)!.flags & LOADING).toBe(LOADING);
    expect(bot.logs().filter((l) => l.msg === 'export finished')).toEqual([]);

    // Released: the export is made from the same GLB and arrives.
    await held.release(glb);
    const made = await firstAnswer;
    expect(made.attachments.map((a) => a.filename)).toEqual(['model.stl']);
    await bot.waitForLog('export finished', 15_000);
    const order = bot.logs().flatMap((l) =>
      l.msg === 'export started' || l.msg === 'export finished' ? [`${l.msg} ${String(l.kind)}`] : l.msg === 'result delivered' && l.jobId === otherJob ? ['other result delivered'] : [],
    );
    expect(order).toEqual(['export started stl', 'other result delivered', 'export finished stl']);

    // Over the hourly cap (1): refused, with the wait.
    const refusal = await answerTo(discord, press('obj'));
    expect(refusal.content).toMatch(/^You have made 1 export in the last hour, the most allowed\. You can make another export in (60|59) minutes\.$/);
    // Made once, then sent again at no cost.
    expect((await answerTo(discord, press('stl'))).attachments.map((a) => a.filename)).toEqual(['model.stl']);
    expect(await world.rows('SELECT kind FROM member_exports')).toEqual([{ kind: 'stl' }]);
  }, 150_000);
});
