/**
 * A member pressing STL/OBJ over and over (issue 23 §2): one export in flight per member, an hourly cap
 * whose refusal names the wait, and another member's result that finishes meanwhile is delivered.
 * Through the fakes, with the real bot (`npm start`), on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflake, type InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, downloadButton, samplePng, sendModel3d, statusChecked, type BotProcess } from './harness.js';

const LOADING = 128;

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

  it('a flood of presses runs one export at a time, at most the hourly cap, while another member’s result is delivered', async () => {
    const { discord, dmxapi } = world;
    const mine = sendModel3d(discord);
    const result = await discord.waitFor(() => {
      const m = discord.originalMessage(mine.token);
      return downloadButton(m) && JSON.stringify(m!.components).includes('export:stl:') ? m : undefined;
    }, { timeoutMs: 30_000, description: 'the flooder’s result with its export buttons' });
    const jobId = Number(/export:stl:(\d+)/.exec(JSON.stringify(result.components))![1]);

    // Another member's job, held running by the provider until the flood is under way.
    dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const image = discord.hostFile(samplePng(), { filename: 'b.png', contentType: 'image/png', width: 256, height: 256 });
    const other = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, user: { id: snowflake(), username: 'b', global_name: null } }));
    await bot.waitForLog(statusChecked('RUNNING'), 30_000);
    const otherTask = dmxapi.submits.at(-1)!.taskId!;

    const presses: InteractionRecord[] = ['stl', 'obj', 'stl', 'obj', 'obj'].map((kind) =>
      discord.sendInteraction(discord.build.button({ customId: `export:${kind}:${jobId}`, message: { id: result.id } })),
    );
    dmxapi.release(otherTask);
    const answers = await Promise.all(
      presses.map((p) =>
        discord.waitFor(() => {
          const m = discord.originalMessage(p.token);
          return m && !(m.flags & LOADING) ? m : undefined;
        }, { timeoutMs: 30_000, description: `answer to press ${p.id}` }),
      ),
    );
    await discord.waitFor(() => downloadButton(discord.originalMessage(other.token)), { timeoutMs: 30_000, description: 'the other member’s result' });

    // The bot's own log lines of both deliveries and of the export's end (they reach the pipe a moment after Discord sees the edits).
    await bot.waitFor('both results delivered, the export finished', 15_000, () =>
      bot.logs().filter((l) => l.msg === 'result delivered').length >= 2 && bot.logs().some((l) => l.msg === 'export finished'),
    );
    // One export ran, alone (the cap is 1 an hour), and nothing else started.
    const events = bot.logs().filter((l) => l.msg === 'export started' || l.msg === 'export finished');
    const made = String(events[0]?.kind) as 'stl' | 'obj';
    const file = made === 'stl' ? 'model.stl' : 'model-obj.zip';
    expect(events.map((l) => `${l.msg} ${String(l.kind)}`)).toEqual([`export started ${made}`, `export finished ${made}`]);
    // Each press got that export (made once, then sent again at no cost), or a refusal that says why and for how long.
    for (const [n, m] of answers.entries()) {
      if (m.attachments.length) expect(m.attachments.map((a) => a.filename), `press ${n}`).toEqual([file]);
      else expect(m.content, `press ${n}`).toMatch(/already have an export being made|You can make another export in (60|59) minutes\./);
    }
    expect(answers.filter((m) => m.attachments.length === 0).length).toBeGreaterThanOrEqual(2);
    // The other member's result was processed and delivered while the flood was answered.
    expect(bot.logs().filter((l) => l.msg === 'result delivered').length).toBeGreaterThanOrEqual(2);

    const otherKind = made === 'stl' ? 'obj' : 'stl';
    const again = discord.sendInteraction(discord.build.button({ customId: `export:${otherKind}:${jobId}`, message: { id: result.id } }));
    const refusal = await discord.waitFor(() => {
      const m = discord.originalMessage(again.token);
      return m && !(m.flags & LOADING) ? m : undefined;
    }, { timeoutMs: 15_000, description: 'answer to a press over the hourly cap' });
    expect(refusal.content).toMatch(/^You have made 1 export in the last hour, the most allowed\. You can make another export in (60|59) minutes\.$/);
    expect(await world.rows('SELECT kind FROM member_exports')).toEqual([{ kind: made }]);
  }, 120_000);
});
