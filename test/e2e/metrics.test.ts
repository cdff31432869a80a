/**
 * The operators' listener (METRICS_PORT): health, readiness and the Prometheus scrape, against the
 * built bot and both fakes. Counts are compared before and after, never as absolute numbers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { guildIdOnShard, snowflake } from '../fakes/discord/index.js';
import { STORES, World, hasGlb, samplePng, sendModel3d, statusChecked, type BotProcess } from './harness.js';
import { freePort, listeningPorts, parseMetrics, total } from '../helpers/metrics.js';

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** Asks `url` until `ok` holds for its answer: the bot's decision shows in what the endpoint says. */
async function until(bot: BotProcess, what: string, url: string, ok: (r: { status: number; text: string }) => boolean): Promise<{ status: number; text: string }> {
  let last: { status: number; text: string } | undefined;
  let asking = false;
  return bot.waitFor(what, 20_000, () => {
    if (last && ok(last)) return last;
    if (!asking) {
      asking = true;
      void get(url)
        .then((r) => (last = r), () => undefined)
        .finally(() => (asking = false));
    }
    return undefined;
  });
}

const root = new URL('../../', import.meta.url);
/** The container's health check, as the Dockerfile writes it (compose.yaml must say the same). */
const healthCheck = (): string[] => {
  const line = /^\s*CMD (\[.*\])$/m.exec(readFileSync(new URL('Dockerfile', root), 'utf8').split('HEALTHCHECK')[1] ?? '')?.[1];
  return JSON.parse(line ?? '[]') as string[];
};
/** Runs the health check as Docker would, inside the bot's environment: its exit code. */
function runHealthCheck(port: number): Promise<number | null> {
  const [cmd, ...args] = healthCheck();
  return new Promise((resolve) => execFile(cmd!, args, { env: { PATH: process.env.PATH, METRICS_PORT: String(port) } }, (err) => resolve(err ? (err.code as number) : 0)));
}

const UPSTREAM_KINDS = new Set(['submit', 'get', 'billing']);

describe.each(STORES)('metrics, health and readiness (%s)', (store) => {
  let world: World;
  afterEach(async () => {
    await world.close();
  });

  it('one job moves the counters by one, the upstream counter by the calls the fake saw; no secret or id in the scrape; not ready while the gateway is down, nor once the store fails', async () => {
    world = await World.start({ store });
    const { discord, dmxapi } = world;
    const port = await freePort();
    const bot = await world.startBot({ METRICS_PORT: String(port) });
    const base = (await bot.waitForLog('metrics listening')).url as string;
    expect(base).toBe(`http://127.0.0.1:${port}`);
    expect(listeningPorts(await bot.botPid())).toEqual([port]);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    await until(bot, 'ready', `${base}/readyz`, (r) => r.status === 200);

    const before = parseMetrics((await get(`${base}/metrics`)).text);
    const callsBefore = dmxapi.calls.filter((c) => UPSTREAM_KINDS.has(c.kind)).length;
    const getsBefore = dmxapi.calls.filter((c) => c.kind === 'get').length;
    const rec = sendModel3d(discord);
    await discord.waitFor(() => hasGlb(discord.originalMessage(rec.token)), { timeoutMs: 20_000, description: 'the result' });
    // The bot's own word that it recorded the delivery (the fake sees the edit a moment earlier).
    await bot.waitForLog((l) => l.msg === 'result delivered' && l.state === 'succeeded');
    const text = (await get(`${base}/metrics`)).text;
    const after = parseMetrics(text);
    const calls = dmxapi.calls.filter((c) => UPSTREAM_KINDS.has(c.kind)).length - callsBefore;
    const gets = dmxapi.calls.filter((c) => c.kind === 'get').length - getsBefore;
    const delta = (name: string, match: Record<string, string> = {}) => total(after, name, match) - total(before, name, match);

    expect(delta('model3d_jobs_started_total')).toBe(1);
    expect(delta('model3d_jobs_started_total', { quality: 'standard', input: 'attachment' })).toBe(1);
    expect(delta('model3d_jobs_finished_total')).toBe(1);
    expect(delta('model3d_jobs_finished_total', { state: 'succeeded' })).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2); // a submit and at least one status check
    expect(delta('model3d_upstream_calls_total')).toBe(calls);
    expect(delta('model3d_upstream_calls_total', { operation: 'submit', outcome: '200' })).toBe(1);
    expect(delta('model3d_upstream_budget_taken_total')).toBe(calls);
    expect(delta('model3d_interactions_total', { command: 'model3d', kind: 'command' })).toBe(1);
    expect(delta('model3d_interaction_ack_seconds_count', { kind: 'command' })).toBe(1);
    expect(delta('model3d_job_status_checks_count')).toBe(1);
    expect(delta('model3d_job_status_checks_sum')).toBe(gets);
    expect(delta('model3d_notify_lag_seconds_count')).toBe(1);
    expect(delta('model3d_model_processing_seconds_count', { step: 'fit' })).toBe(1);
    expect(delta('model3d_deliveries_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('model3d_quota_credits_spent_total')).toBe(1);
    expect(total(after, 'model3d_upstream_budget_limit_per_second')).toBe(10);
    expect(total(after, 'model3d_gateway_guilds', { shard: '0' })).toBe(1);
    expect(after.some((s) => s.name === 'model3d_process_cpu_seconds_total')).toBe(true);
    expect(after.find((s) => s.name === 'model3d_jobs_in_flight' && s.labels.state === 'running')?.value).toBe(0);

    const ids = await world.rows<{ user_id: string; guild_id: string; interaction_id: string; task_id: string }>(
      'SELECT user_id, guild_id, interaction_id, task_id FROM jobs',
    );
    for (const secret of [discord.botToken, dmxapi.key, rec.token, rec.id, ...ids.flatMap((r) => [r.user_id, r.guild_id, r.interaction_id, r.task_id])]) {
      expect(secret.length).toBeGreaterThan(5);
      expect(text).not.toContain(secret);
    }

    // The gateway goes down and stays down (the fake holds every reconnect) until the test lets it back.
    discord.holdGateway();
    discord.disconnect();
    const down = await until(bot, 'not ready', `${base}/readyz`, (r) => r.status === 503);
    expect(down.text.split('\n')).toHaveLength(1);
    expect(JSON.parse(down.text)).toEqual({ ready: false, reason: 'gateway not connected (shard 0)' });
    expect((await get(`${base}/healthz`)).status).toBe(200);
    discord.releaseGateway();
    await until(bot, 'ready again', `${base}/readyz`, (r) => r.status === 200);
    expect(await runHealthCheck(port)).toBe(0);
    expect(bot.logs().some((l) => l.msg === 'gateway session resumed')).toBe(true);

    // The store stops holding the bot's tables (dropped behind its back, as a wiped volume or a
    // restore into the wrong database would): not ready, with the store's own error code.
    await world.withDb((db) => db.exec('DROP TABLE schema_migrations'));
    const noStore = await until(bot, 'not ready without its store', `${base}/readyz`, (r) => r.status === 503);
    expect(noStore.text.split('\n')).toHaveLength(1);
    expect(JSON.parse(noStore.text)).toEqual({ ready: false, reason: `store not answering (${store === 'sqlite' ? 'SQLITE_ERROR' : '42P01'})` });
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect(await runHealthCheck(port)).not.toBe(0);
  }, 90_000);

  it('nothing listens when METRICS_PORT is unset', async () => {
    world = await World.start({ store });
    const bot = await world.startBot();
    await bot.waitForLog('metrics endpoint off (METRICS_PORT unset)');
    // Connected to Discord, so start-up is over: whatever the bot would open, it has opened.
    expect(listeningPorts(await bot.botPid())).toEqual([]);
  }, 60_000);
});

describe.each(STORES)('metrics with SHARDS=2 (%s)', (store) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('the manager serves one scrape that holds both shard processes’ counts', async () => {
    const guilds = [guildIdOnShard(0, 2), guildIdOnShard(1, 2)];
    world = await World.start({ store, guilds: guilds.map((id) => ({ id })) });
    const { discord } = world;
    const port = await freePort();
    const bot = await world.startBot({ SHARDS: '2', METRICS_PORT: String(port) }, 2);
    const base = (await bot.waitForLog('metrics listening')).url as string;
    await until(bot, 'both shards ready', `${base}/readyz`, (r) => r.status === 200);
    // One job in flight, held running: each shard reads it from the one store, and the scrape counts it once.
    world.dmxapi.nextTasks.push({ holdIn: 'RUNNING' });
    const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    discord.sendInteraction(discord.build.chatInput({ name: 'model3d', options: { image }, guildId: guilds[0]! }));
    await bot.waitForLog(statusChecked('RUNNING'), 30_000);

    const recs = guilds.map((guildId) =>
      discord.sendInteraction(discord.build.chatInput({ name: 'quota', user: { id: snowflake(), username: 'm', global_name: null }, guildId })),
    );
    for (const rec of recs) await discord.waitForAck(rec.id, { timeoutMs: 10_000 });
    // An acknowledgement is timed once Discord's answer is back at the bot, a moment after the fake saw it.
    const acked = (r: { text: string }) => total(parseMetrics(r.text), 'model3d_interaction_ack_seconds_count') >= 3;
    const samples = parseMetrics((await until(bot, 'the three acknowledgements timed', `${base}/metrics`, acked)).text);
    expect(total(samples, 'model3d_interactions_total', { command: 'quota' })).toBe(2);
    expect(total(samples, 'model3d_interaction_ack_seconds_count')).toBe(3); // the two /quota and the /model3d
    expect(total(samples, 'model3d_gateway_guilds', { shard: '0' })).toBe(1);
    expect(total(samples, 'model3d_gateway_guilds', { shard: '1' })).toBe(1);
    // Both shards share the one budget: the scrape shows its limit once, not summed.
    expect(total(samples, 'model3d_upstream_budget_limit_per_second')).toBe(10);
    expect(total(samples, 'model3d_jobs_in_flight', { state: 'running' })).toBe(1);
    world.dmxapi.release(world.dmxapi.submits.at(-1)!.taskId!);

    // Only the manager listens; the shard processes answer it over IPC.
    const shardPids = [0, 1].map((shard) => bot.logs().find((l) => l.msg === 'connected to Discord' && l.shard === shard)!.pid);
    const managerPid = bot.logs().find((l) => l.msg === 'metrics listening')!.pid;
    expect(listeningPorts(managerPid)).toEqual([port]);
    for (const pid of shardPids) expect(listeningPorts(pid)).toEqual([]);
  }, 90_000);
});

it('the Dockerfile and compose.yaml run the same health check', () => {
  const [node, flag, script] = healthCheck();
  expect([node, flag]).toEqual(['node', '-e']);
  expect(readFileSync(new URL('compose.yaml', root), 'utf8')).toContain(`test: ["CMD", "node", "-e", ${JSON.stringify(script)}]`);
});
