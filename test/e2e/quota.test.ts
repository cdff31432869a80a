/**
 * /quota and /model3d-admin end to end: a real discord.js Client connected to the fake Discord,
 * the real command registry and interaction router, the real store (a SQLite file, or a schema on the
 * test run's PostgreSQL: every case runs on both), and the DMXAPI simulator for the balance and submits.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Routes, type APIMessage, type Client } from 'discord.js';
import { FakeDiscord, DEFAULT_MEMBER_PERMISSIONS, opt, type FakeMessage, type Json } from '../fakes/discord/index.js';
import { DmxapiSimulator } from '../fakes/dmxapi/index.js';
import type { Db } from '../../src/store/db.js';
import { AuditReporter } from '../../src/audit/reporter.js';
import { DmxapiClient, RateBudget } from '../../src/upstream/index.js';
import type { Services } from '../../src/handlers/services.js';
import { newJob } from '../helpers/jobs.js';
import { startInProcessBot, type InProcessBot } from '../helpers/in-process.js';
import { STORES, samplePng, sendModel3d } from './harness.js';

const MANAGE_GUILD = 1n << 5n;
const MOD_PERMS = (BigInt(DEFAULT_MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
const EPHEMERAL = 64;

describe.each(STORES)('quota and moderation (%s)', (store) => {
  let fake: FakeDiscord;
  let client: Client;
  let sim: DmxapiSimulator | undefined;
  let db: Db;
  let services: Services;
  let audit: AuditReporter;
  let guildId: string;
  let general: string;
  let modLog: string;
  const now = { t: Date.parse('2024-06-15T12:00:00Z') };

  let bot: InProcessBot;

  beforeAll(async () => {
    bot = await startInProcessBot({
      store,
      clock: () => now.t,
      fake: { guilds: [{ channels: [{ name: 'general' }, { name: 'mod-log' }] }] },
      env: () => ({ QUOTA_USER_DAILY: '2', QUOTA_GUILD_DAILY: '50', QUOTA_COOLDOWN_S: '0', QUOTA_MAX_CONCURRENT: '3', QUOTA_USER_DAILY_ALL: '4', IMAGE_URL_ALLOW_PRIVATE: 'true' }),
    });
    ({ fake, client, db, services } = bot);
    guildId = fake.guilds[0]!.id;
    [general, modLog] = fake.guilds[0]!.channels.filter((c) => c.type === 0).map((c) => c.id) as [string, string];
    audit = new AuditReporter(services);
    audit.attach();
  });

  afterAll(async () => {
    audit?.detach();
    await bot?.close();
    await sim?.close();
  });

  beforeEach(async () => {
    // A record update a previous case started reads the settings late: let it end before they change.
    await audit.idle();
    await db.exec('DELETE FROM quota_ledger; DELETE FROM audit_messages; DELETE FROM jobs; DELETE FROM guild_settings; DELETE FROM guild_blocks; DELETE FROM guild_role_allowances; DELETE FROM admin_actions;');
    await sim?.close();
    sim = undefined;
  });

  async function useSimulator(billing: boolean): Promise<void> {
    sim = await DmxapiSimulator.start(billing ? { billing: { totalUsd: 50, usedUsd: 1.5 } } : {});
    services.upstream = new DmxapiClient({ baseUrl: sim.baseUrl, key: sim.key, timeoutMs: 5000, budget: new RateBudget(10) });
  }

  /** Sends a /model3d-admin interaction and returns the answer the invoker sees. */
  async function admin(
    sub: string,
    o: { group?: string; options?: Record<string, unknown>; perms?: string; mutate?: (p: Json) => void } = {},
  ): Promise<FakeMessage> {
    const payload = fake.build.chatInput({
      name: 'model3d-admin',
      subcommandGroup: o.group,
      subcommand: sub,
      options: (o.options ?? {}) as never,
      memberPermissions: o.perms ?? MOD_PERMS,
    });
    o.mutate?.(payload);
    const rec = fake.sendInteraction(payload);
    return fake.waitFor(() => {
      const m = fake.originalMessage(rec.token);
      return m && !(m.flags & 128) ? m : undefined; // 128 = still "thinking"
    }, { timeoutMs: 5000, description: `answer to /model3d-admin ${o.group ?? ''} ${sub}` });
  }

  const count = async (table: string) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;

  async function insertJob(o: Parameters<typeof newJob>[0] = {}) {
    return await services.stores.jobs.insert(newJob({ guildId, channelId: general, userId: fake.build.defaultUser.id, createdAt: now.t, ...o }));
  }

  describe('permission checks', () => {
    it('refuses every admin subcommand to a member without Manage Server, even though Discord showed it', async () => {
      for (const [sub, group] of [['show', 'limits'], ['balance', undefined], ['grant', undefined], ['off', 'audit-channel']] as const) {
        const options = sub === 'grant' ? { member: opt.user({ id: fake.build.defaultUser.id }), credits: 3 } : {};
        const answer = await admin(sub, { group, options, perms: DEFAULT_MEMBER_PERMISSIONS });
        expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
        expect(answer.content).toBe('Only moderators with the **Manage Server** permission can use this.');
      }
      expect(await count('quota_ledger')).toBe(0);
      expect(await count('admin_actions')).toBe(0);
    });

    it('registers with default_member_permissions = Manage Server, guild only', async () => {
      const { definition } = await import('../../commands/model3d-admin.js');
      expect(definition.default_member_permissions).toBe('32');
      expect(definition.contexts).toEqual([0]);
    });
  });

  describe('/model3d-admin', () => {
    it('limits set refuses out-of-range numbers with the allowed range, then applies and logs a valid change', async () => {
      let a = await admin('set', { group: 'limits', options: { daily: 500 } });
      expect(a.content).toBe('`daily` must be a whole number from 0 to 50; you gave 500.');
      a = await admin('set', { group: 'limits', options: { concurrency: 9 } });
      expect(a.content).toBe('`concurrency` must be a whole number from 1 to 3; you gave 9.');
      a = await admin('set', { group: 'limits', options: {} });
      expect(a.content).toContain('Give at least one value');
      a = await admin('set', { group: 'limits', options: { daily: 10, cooldown: 60 } });
      expect(a.content).toContain('✅ Limits updated.');
      expect(a.content).toContain('Member allowance: 10 credits a day (set by this server)');
      expect(a.content).toContain('Cooldown between two models: 60 s (set by this server)');
      expect((await services.stores.audit.recentActions(guildId))[0]).toMatchObject({
        action: 'limits.set', moderatorId: fake.build.defaultUser.id, details: { userDaily: 10, cooldownS: 60 },
      });
    });

    it('role allowances: set, show, clear; @everyone refused', async () => {
      const role = fake.guilds[0]!.roles.find((r) => r.id !== guildId)!;
      let a = await admin('role', { group: 'limits', options: { role: opt.role({ id: role.id }), daily: 7 } });
      expect(a.content).toContain(`Members with <@&${role.id}> now get 7 credits a day`);
      expect((await services.quota.limits(guildId, [role.id])).userDaily).toBe(7);
      a = await admin('show', { group: 'limits' });
      expect(a.content).toContain(`<@&${role.id}> 7`);
      a = await admin('role', { group: 'limits', options: { role: opt.role({ id: guildId }), daily: 7 } });
      expect(a.content).toContain('role allowances are for specific roles');
      a = await admin('role-clear', { group: 'limits', options: { role: opt.role({ id: role.id }) } });
      expect(a.content).toContain('no longer has its own allowance');
    });

    it('grant, reset, block and unblock; unknown members and bots are refused', async () => {
      const member = fake.build.user({ username: 'alice' });
      await insertJob({ userId: member.id });
      await insertJob({ userId: member.id });
      let a = await admin('grant', { options: { member: opt.user(member), credits: 3 } });
      expect(a.content).toBe(`✅ Gave <@${member.id}> 3 extra credits for today. They have 3 left today.`);
      a = await admin('grant', { options: { member: opt.user(member), credits: 0 } });
      expect(a.content).toBe('`credits` must be a whole number from 1 to 50; you gave 0.');
      a = await admin('reset', { options: { member: opt.user(member) } });
      expect(a.content).toContain('nothing to reset'); // 2 used - 3 granted
      const stranger = fake.build.user({ username: 'stranger' });
      a = await admin('grant', {
        options: { member: opt.user(stranger), credits: 1 },
        mutate: (p) => delete ((p.data as Json).resolved as { members: Json }).members[stranger.id],
      });
      expect(a.content).toBe(`<@${stranger.id}> is not a member of this server, so this cannot be applied to them.`);
      a = await admin('block', { options: { member: opt.user({ ...fake.build.user(), bot: true }) } });
      expect(a.content).toContain('is a bot');
      a = await admin('block', { options: { member: opt.user(member), reason: 'spam, again' } });
      expect(a.content).toContain('can no longer make models in this server (reason: spam, again)');
      expect(await services.quota.check({ userId: member.id, guildId, roleIds: [], quality: 'standard' })).toEqual({ limit: 'blocked', reason: 'spam, again' });
      a = await admin('block', { options: { member: opt.user(member) } });
      expect(a.content).toContain('already blocked');
      a = await admin('unblock', { options: { member: opt.user(member) } });
      expect(a.content).toContain('can make models again');
      expect((await services.stores.audit.recentActions(guildId)).map((x) => x.action)).toEqual(['unblock', 'block', 'grant']);
    });

    it('balance with the billing endpoints present', async () => {
      await useSimulator(true);
      const j = await insertJob();
      await services.stores.jobs.markSubmitted(j.id, 'task-1', 35000, now.t, now.t);
      await services.stores.jobs.finish(j.id, { state: 'succeeded', at: now.t });
      const a = await admin('balance');
      expect(a.content).toContain('**Provider balance:** $48.50 left, of $50.00 in total; $1.50 used.');
      expect(a.content).toContain('This server: 1 today, 1 this month (35,000 provider tokens).');
    });

    it('balance with the billing endpoints absent says it is unavailable and still shows the recorded spend', async () => {
      await useSimulator(false);
      const a = await admin('balance');
      expect(a.content).toContain('**Provider balance:** unavailable');
      expect(a.content).toContain('**Spend recorded by the bot**');
    });

    it('usage shows server totals and one member’s jobs with links', async () => {
      const j = await insertJob({ messageId: '123456789012345678' });
      await services.stores.jobs.markSubmitted(j.id, 'task-u', 35000, now.t, now.t);
      await services.stores.jobs.finish(j.id, { state: 'succeeded', at: now.t + 80_000 });
      let a = await admin('usage', { options: { days: 7 } });
      expect(a.content).toContain('Jobs: 1 (succeeded 1');
      expect(a.content).toContain('Average time to result: 1m 20s');
      expect(a.content).toContain(`1. <@${j.userId}>: 1 credits, 1 job`);
      a = await admin('usage', { options: { member: opt.user({ id: j.userId }) } });
      expect(a.content).toContain(`#${j.id}`);
      expect(a.content).toContain(`https://discord.com/channels/${guildId}/${general}/123456789012345678`);
      a = await admin('usage', { options: { days: 400 } });
      expect(a.content).toBe('`days` must be a whole number from 1 to 90; you gave 400.');
    });

    it('export attaches a CSV with a header and one row per job', async () => {
      await insertJob();
      const j = await insertJob({ imageUrl: 'https://cdn.example.com/a,b.png' });
      await services.stores.jobs.finish(j.id, { state: 'not_submitted', at: now.t, errorCode: 'E', errorMessage: 'said "no"' });
      const a = await admin('export', { options: { days: 1 } });
      expect(a.content).toContain('2 rows');
      const file = a.attachments[0]!;
      expect(file.filename).toMatch(/^model3d-jobs-\d+-2024-06-15\.csv$/);
      const csv = fake.fileBytes(file.url)!.toString('utf8');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]!.startsWith('job_id,created_at,finished_at,user_id')).toBe(true);
      expect(lines[2]).toContain(',not_submitted,,,,E,"said ""no""","https://cdn.example.com/a,b.png",');
    });
  });

  describe('/quota', () => {
    it('answers ephemerally in a server and in DMs', async () => {
      await insertJob();
      let rec = fake.sendInteraction(fake.build.chatInput({ name: 'quota' }));
      let m = await fake.waitFor(() => fake.originalMessage(rec.token), { timeoutMs: 5000 });
      expect(m.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(m.content).toContain('**Your 3D model credits in this server**');
      expect(m.content).toContain('Left today: **1** of 2 credits');
      expect(m.content).toContain(`Daily credits reset <t:${Date.parse('2024-06-16T00:00:00Z') / 1000}:R>`);
      rec = fake.sendInteraction(fake.build.chatInput({ name: 'quota', guildId: null }));
      m = await fake.waitFor(() => fake.originalMessage(rec.token), { timeoutMs: 5000 });
      expect(m.content).toContain('**Your 3D model credits in direct messages**');
      expect(m.content).toContain('Left today: **2** of 2 credits');
    });

    it('shows the cap across all servers and DMs with what was spent of it, in English and Chinese; moderators see the cap', async () => {
      // One job here, one in another server, one in DMs: 3 of QUOTA_USER_DAILY_ALL=4 spent, 1 of 2 here.
      for (const g of [guildId, '900000000000000001', null]) await insertJob({ guildId: g });
      const ask = async (o: { guildId?: null; locale?: string }) => {
        const rec = fake.sendInteraction(fake.build.chatInput({ name: 'quota', ...o }));
        return (await fake.waitFor(() => fake.originalMessage(rec.token), { timeoutMs: 5000 })).content;
      };
      let text = await ask({});
      expect(text).toContain('Left today: **1** of 2 credits');
      expect(text).toContain('Across all servers and direct messages: **1** of 4 credits left today (3 used)');
      text = await ask({ guildId: null });
      expect(text).toContain('Left today: **1** of 2 credits');
      expect(text).toContain('Across all servers and direct messages: **1** of 4 credits left today (3 used)');
      text = await ask({ locale: 'zh-CN' });
      expect(text).toContain('今日剩余：**1** / 2 点');
      expect(text).toContain('所有服务器和私信合计：今日剩余 **1** / 4 点（已用 3 点）');
      const a = await admin('show', { group: 'limits' });
      expect(a.content).toContain('One member across all servers and DMs: 4 credits a day (set by the operator');
    });
  });

  describe('/model3d over a limit', () => {
    it('answers short and ephemeral, with the limit and when it resets, and submits nothing', async () => {
      await useSimulator(false);
      await insertJob();
      await insertJob();
      const rec = fake.sendInteraction(fake.build.chatInput({ name: 'model3d', options: { url: 'https://example.com/cat.png' } }));
      const follow = await fake.waitFor(() => fake.followups(rec.token)[0], { timeoutMs: 5000 });
      expect(follow.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(follow.content).toContain('You have reached your daily limit: 0 of your 2 credits');
      expect(follow.content).toContain(`<t:${Date.parse('2024-06-16T00:00:00Z') / 1000}:R>`);
      expect(sim!.submits).toHaveLength(0);
      expect(await count('jobs')).toBe(2);
    });

    it('a member who spent their cap across other servers and DMs is refused here, with credits left here', async () => {
      await useSimulator(false);
      for (const g of ['900000000000000001', '900000000000000002', null, null]) await insertJob({ guildId: g });
      const rec = sendModel3d(fake);
      const follow = await fake.waitFor(() => fake.followups(rec.token)[0], { timeoutMs: 5000 });
      expect(follow.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(follow.content).toContain('You have reached your daily limit across all servers and direct messages: 0 of your 4 credits');
      expect(sim!.submits).toHaveLength(0);
      // Another member of this server is not held by it.
      const other = fake.hostFile(samplePng(), { filename: 'b.png', contentType: 'image/png', width: 256, height: 256 });
      fake.sendInteraction(fake.build.chatInput({ name: 'model3d', options: { image: other }, user: { id: '900000000000000003', username: 'bob', global_name: null } }));
      await fake.waitFor(() => sim!.submitCount() === 1, { timeoutMs: 10_000, description: 'the other member’s submit' });
    });
  });

  describe('audit channel', () => {
    it('records jobs, and its buttons work only for moderators, checked at press time', async () => {
      let a = await admin('set', { group: 'audit-channel', options: { channel: opt.channel({ id: modLog }) } });
      expect(a.content).toContain(`<#${modLog}>`);

      // A finished job with a result message in #general.
      const result = (await client.rest.post(Routes.channelMessages(general), { body: { content: 'your model' } })) as APIMessage;
      const member = fake.build.user({ username: 'bob' });
      const job = await insertJob({ userId: member.id, messageId: result.id });
      services.events.emit('changed', job);
      await services.stores.jobs.markSubmitted(job.id, 'task-audit', 35000, now.t, now.t);
      const done = (await services.stores.jobs.finish(job.id, { state: 'succeeded', at: now.t }))!;
      services.events.emit('changed', done);
      await audit.idle();
      const records = fake.messagesIn(modLog);
      expect(records).toHaveLength(1);
      const record = records[0]!;
      const embed = JSON.stringify(record.embeds);
      expect(embed).toContain('succeeded');
      expect(embed).toContain('task-audit');
      // Never the member's URL, whose host can swap the picture (the bot's checked copy: checked-picture.test.ts).
      expect(embed).not.toContain(job.imageUrl);
      expect(embed).toContain(`<@${member.id}>`);

      // A member without Manage Server presses "Remove result and refund": refused, nothing changes.
      let press = fake.sendInteraction(fake.build.button({ customId: `audit:refund:${job.id}`, message: { id: record.id }, channelId: modLog, memberPermissions: DEFAULT_MEMBER_PERMISSIONS }));
      let refusal = await fake.waitFor(() => fake.originalMessage(press.token)?.flags === EPHEMERAL ? fake.originalMessage(press.token) : undefined, { timeoutMs: 5000 });
      expect(refusal.content).toBe('Only moderators with the **Manage Server** permission can use this.');
      press = fake.sendInteraction(fake.build.button({ customId: `audit:block:${member.id}`, message: { id: record.id }, channelId: modLog, memberPermissions: DEFAULT_MEMBER_PERMISSIONS }));
      refusal = await fake.waitFor(() => fake.originalMessage(press.token)?.flags === EPHEMERAL ? fake.originalMessage(press.token) : undefined, { timeoutMs: 5000 });
      expect(refusal.content).toContain('Manage Server');
      expect(await services.stores.quota.refundOf(job.id)).toBeUndefined();
      expect(await services.stores.quota.block(guildId, member.id)).toBeUndefined();
      expect(fake.message(result.id)!.content).toBe('your model');

      // A moderator presses it: refund on the ledger, result message replaced, record updated.
      press = fake.sendInteraction(fake.build.button({ customId: `audit:refund:${job.id}`, message: { id: record.id }, channelId: modLog, memberPermissions: MOD_PERMS }));
      let ack = await fake.waitFor(() => fake.followups(press.token)[0], { timeoutMs: 5000 });
      expect(ack.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(ack.content).toBe(`✅ Refunded 1 credit to <@${member.id}>. The result message now says a moderator removed it.`);
      expect(await services.stores.quota.refundOf(job.id)).toMatchObject({ credits: 1 });
      expect(fake.message(result.id)!.content).toBe('🗑️ This 3D model was removed by a moderator.');
      expect(JSON.stringify(fake.message(record.id)!.embeds)).toContain('credit refunded');
      expect(JSON.stringify(fake.message(record.id)!.components)).toMatch(/"custom_id":"audit:refund:\d+"[^}]*"disabled":true|"disabled":true[^}]*"custom_id":"audit:refund:/);

      // Block from the record.
      press = fake.sendInteraction(fake.build.button({ customId: `audit:block:${member.id}`, message: { id: record.id }, channelId: modLog, memberPermissions: MOD_PERMS }));
      ack = await fake.waitFor(() => fake.followups(press.token)[0], { timeoutMs: 5000 });
      expect(ack.content).toBe(`✅ <@${member.id}> can no longer make models in this server.`);
      expect(await services.stores.quota.block(guildId, member.id)).toBeDefined();
      expect(JSON.stringify(fake.message(record.id)!.embeds)).toContain('blocked in this server');

      a = await admin('off', { group: 'audit-channel' });
      expect(a.content).toContain('The audit channel is off');
    });
  });

  /**
   * One member's /model3d interactions, all dispatched in one go: every one is on its way to the bot
   * before it has answered any, so the reservations overlap (on PostgreSQL, SERIALIZABLE transactions
   * on several connections that conflict and run again). Resolves once the bot has decided each one: a
   * submit to the provider, or the refusal as a follow-up.
   */
  async function raceModel3d(n: number): Promise<{ admitted: number; refusals: string[] }> {
    const recs = Array.from({ length: n }, () => sendModel3d(fake));
    const refusals = () => recs.flatMap((r) => fake.followups(r.token).map((m) => m.content));
    await fake.waitFor(() => sim!.submitCount() + refusals().length >= n, { timeoutMs: 20_000, description: `${n} decisions` });
    return { admitted: sim!.submitCount(), refusals: refusals() };
  }

  describe('races: interactions sent together, before the bot has answered any', () => {
    it('a daily allowance of 2 and 5 requests at once: exactly 2 submitted, 3 refused with the limit', async () => {
      await useSimulator(false);
      const { admitted, refusals } = await raceModel3d(5);
      expect(admitted).toBe(2);
      expect(refusals).toHaveLength(3);
      for (const r of refusals) expect(r).toContain('You have reached your daily limit: 0 of your 2 credits are left today');
      expect(await count('jobs')).toBe(2);
      expect(await services.quota.check({ userId: fake.build.defaultUser.id, guildId, roleIds: [], quality: 'standard' })).toMatchObject({
        limit: 'user_daily', used: 2,
      });
    });

    it('3 at a time and 5 requests at once (credits to spare): exactly 3 submitted, 2 refused as too many at once', async () => {
      await useSimulator(false);
      await services.quota.grant(guildId, fake.build.defaultUser.id, 10, 'mod');
      // Nothing polls in this bot: every submitted job stays in flight.
      const { admitted, refusals } = await raceModel3d(5);
      expect(admitted).toBe(3);
      expect(refusals).toHaveLength(2);
      for (const r of refusals) expect(r).toContain('You already have 3 models being made, and the limit is 3 at a time.');
      expect(await services.stores.quota.inFlight(fake.build.defaultUser.id)).toBe(3);
    });

    it('two moderators press "Remove result and refund" on one job at once: one refund, the other is told it was done', async () => {
      await admin('set', { group: 'audit-channel', options: { channel: opt.channel({ id: modLog }) } });
      const result = (await client.rest.post(Routes.channelMessages(general), { body: { content: 'your model' } })) as APIMessage;
      const member = fake.build.user({ username: 'carol' });
      const job = await insertJob({ userId: member.id, messageId: result.id });
      await services.stores.jobs.markSubmitted(job.id, 'task-race', 35000, now.t, now.t);
      services.events.emit('changed', (await services.stores.jobs.finish(job.id, { state: 'succeeded', at: now.t }))!);
      await audit.idle();
      const record = fake.messagesIn(modLog)[0]!;
      const used = () => services.stores.quota.memberUsed(guildId, member.id, now.t - 3_600_000);
      expect(await used()).toBe(1);

      const presses = ['mod-a', 'mod-b'].map((username) =>
        fake.sendInteraction(fake.build.button({
          customId: `audit:refund:${job.id}`, message: { id: record.id }, channelId: modLog, memberPermissions: MOD_PERMS, user: fake.build.user({ username }),
        })),
      );
      const answers = await fake.waitFor(() => {
        const all = presses.map((p) => fake.followups(p.token)[0]?.content);
        return all.every((a) => a !== undefined) ? (all as string[]) : undefined;
      }, { timeoutMs: 10_000, description: 'both moderators answered' });
      expect(answers.sort()).toEqual([
        'This job was already removed and refunded.',
        `✅ Refunded 1 credit to <@${member.id}>. The result message now says a moderator removed it.`,
      ]);
      expect(await db.all('SELECT id FROM quota_ledger WHERE job_id = @jobId AND kind = @kind', { jobId: job.id, kind: 'refund' })).toHaveLength(1);
      expect(await used()).toBe(0);
    });
  });
});
