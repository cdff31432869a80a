/**
 * The bot's whole output (stdout + stderr, every log level) never carries the DMXAPI
 * key, the bot token, an interaction token or the database password, on either store,
 * even on the paths that log errors:
 * an expired interaction token (discord.js errors carry webhook URLs) and upstream
 * failures. And the logs that matter do carry the job id and the task id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, samplePng, waitForVisible, type BotProcess } from './harness.js';

describe.each(STORES)('secrets never reach the output (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  const recs: InteractionRecord[] = [];

  const start = (name: string) => {
    const { discord } = world;
    const image = discord.hostFile(samplePng(), { filename: `${name}.png`, contentType: 'image/png', width: 256, height: 256 });
    const rec = discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image, quality: 'detailed' } }));
    recs.push(rec);
    return rec;
  };
  const hasGlb = (rec: InteractionRecord) =>
    world.discord.originalMessage(rec.token)?.attachments.some((a) => a.filename === 'model.glb') ?? false;

  beforeAll(async () => {
    // Only the order of events matters here: a short task timeline.
    world = await World.start({ store, timeline: { pendingMs: 100, runningMs: 300 }, env: { LOG_LEVEL: 'trace', UPSTREAM_TIMEOUT_MS: '1500' } });
    bot = await world.startBot();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a full job is delivered', async () => {
    const rec = start('full');
    await world.discord.waitFor(() => hasGlb(rec), { timeoutMs: 15_000, description: 'full job delivered' });
    await bot.waitForLog('result delivered', 5000);
  });

  it('an expired interaction token falls back to the channel route and still delivers', async () => {
    const { discord } = world;
    const rec = start('expired');
    // The first webhook edit works; every later one gets 401 50027.
    discord.faults.expireWebhookToken(rec.token, { afterCalls: 1 });
    await discord
      .waitFor(() => hasGlb(rec), { timeoutMs: 20_000, description: 'delivered through the channel route' })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n--- bot output ---\n${bot.tail(80)}`);
      });
    await discord.waitForRequest({ path: rec.token, status: 401 }, { timeoutMs: 5000 });
    await discord.waitForRequest({ method: 'PATCH', route: '/channels/:channel/messages/:message', status: 200 }, { timeoutMs: 5000 });
    await bot.waitForLog('interaction token no longer valid; using the channel route', 5000);
  });

  it('upstream errors (a refused submit, failing and hanging checks) are logged', async () => {
    const { discord, dmxapi } = world;
    dmxapi.faults.push({ on: 'submit', kind: '401' });
    const refused = start('refused');
    await waitForVisible(discord, refused.token, 'the job could not be started', 15_000);

    dmxapi.faults.push({ on: 'get', kind: 'hang' }, { on: 'get', kind: '500', times: 6 }, { on: 'get', kind: '403_no_balance' });
    const flaky = start('flaky');
    await discord.waitFor(() => hasGlb(flaky), { timeoutMs: 30_000, description: 'delivered after upstream errors' });
    await bot.waitForLog((l) => l.level >= 40 && l.msg === 'status check failed; will retry', 5000);
    expect(bot.logs().some((l) => l.msg === 'submit refused upstream; nothing was charged')).toBe(true);
  });

  it('a refused acknowledgement (Discord errors carry the callback URL with the token) is logged without it', async () => {
    const { discord } = world;
    const image = discord.hostFile(samplePng(), { filename: 'noack.png', contentType: 'image/png', width: 256, height: 256 });
    const payload = discord.build.chatInput({ name: 'model3d', options: { image } });
    discord.faults.missingAccess({ route: '/interactions/:id/:token/callback', token: String(payload.token) });
    const rec = discord.sendInteraction(payload);
    recs.push(rec);
    await bot.waitForLog((l) => l.msg === 'interaction failed' && l.interactionId === rec.id, 10_000);
    expect(world.dmxapi.submitCount(image.url)).toBe(0);
  });

  it('the whole output carries no key, no token and no password', () => {
    const { discord, dmxapi } = world;
    const out = bot.allOutput();
    expect(out.length).toBeGreaterThan(1000);
    const secrets: [string, string][] = [
      ['DMXAPI key', dmxapi.key],
      ['bot token', discord.botToken],
      // The random part alone too: a partly redacted token must not leave its tail behind.
      ['bot token secret part', discord.botToken.split('.').at(-1)!],
    ];
    if (world.databaseUrl) secrets.push(['database password', decodeURIComponent(new URL(world.databaseUrl).password)]);
    for (const rec of recs) {
      secrets.push([`interaction token of ${rec.id}`, rec.token], [`tail of interaction token ${rec.id}`, rec.token.slice(-40)]);
    }
    expect(recs.length).toBe(5);
    for (const [what, secret] of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(10);
      const at = out.indexOf(secret);
      expect(at, `${what} found in the bot output: …${out.slice(Math.max(0, at - 200), at + 40)}…`).toBe(-1);
    }
    // The refused acknowledgement did log discord.js's request URL, with the token redacted
    // (so the check above is not vacuous).
    expect(out).toMatch(/\/interactions\/\d+\/\[REDACTED\]\/callback/);
  });

  it('log lines carry the job id and the task id', () => {
    const logs = bot.logs();
    const withBoth = logs.filter((l) => typeof l.jobId === 'number' && typeof l.taskId === 'string' && l.taskId.length > 0);
    expect(withBoth.length).toBeGreaterThan(0);
    for (const msg of ['submitted', 'result delivered']) {
      expect(withBoth.some((l) => l.msg === msg), `a "${msg}" line with jobId and taskId`).toBe(true);
    }
    // The error paths too: a failed status check names its job and task.
    expect(withBoth.some((l) => l.msg === 'status check failed; will retry')).toBe(true);
  });
});
