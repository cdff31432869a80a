import { afterEach, describe, expect, it } from 'vitest';
import { denialText } from '../../src/handlers/quota.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS } from '../helpers/store.js';
import { JobStore } from '../../src/store/jobs.js';
import { ALICE, BOB, CAROL, GUILD, MOD, OTHER_GUILD, setupQuota, type QuotaEnv } from './helpers.js';

describe.each(BACKENDS)('quota on %s', (backend) => {
  const setup = (config?: Parameters<typeof setupQuota>[1], start?: number) => setupQuota(backend, config, start);
  let env: QuotaEnv;
  afterEach(() => env?.cleanup());

  const NOON = Date.parse('2024-06-15T12:00:00Z');
  const MIDNIGHT = Date.parse('2024-06-16T00:00:00Z');
  const rel = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

  describe('QuotaService limits', () => {
    it('user daily: reserves until the allowance is used, then denies with what is left and when it resets', async () => {
      env = await setup({ userDaily: 3, detailedCost: 2 });
      await env.mustReserve();
      await env.mustReserve();
      // 1 credit left: a detailed job (2) does not fit, a standard one does.
      const d = await env.reserve({ quality: 'detailed' });
      expect(d).toEqual({ ok: false, denial: { limit: 'user_daily', allowance: 3, used: 2, cost: 2, resetsAt: MIDNIGHT } });
      await env.mustReserve();
      const r = await env.reserve();
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.denial).toMatchObject({ limit: 'user_daily', used: 3 });
      const text = denialText('en-US', r.denial);
      expect(text).toContain('daily limit');
      expect(text).toContain('0 of your 3 credits');
      expect(text).toContain(rel(MIDNIGHT));
      // Other members and DMs are separate scopes.
      expect((await env.reserve({ userId: BOB })).ok).toBe(true);
      expect((await env.reserve({ guildId: null })).ok).toBe(true);
    });

    it('direct messages are one scope of their own: DM jobs use up the DM allowance', async () => {
      env = await setup({ userDaily: 1 });
      await env.mustReserve({ guildId: null });
      expect(await env.reserve({ guildId: null })).toMatchObject({ ok: false, denial: { limit: 'user_daily', used: 1 } });
      await env.quota.grant(GUILD, ALICE, 1, MOD); // a server's grant does not reach DMs
      expect(await env.quota.check(env.req({ guildId: null }))).toMatchObject({ limit: 'user_daily' });
      expect((await env.reserve()).ok).toBe(true);
    });

    it('check() is read-only and agrees with reserve()', async () => {
      env = await setup({ userDaily: 1 });
      expect(await env.quota.check(env.req())).toBeNull();
      expect(await env.quota.check(env.req())).toBeNull();
      expect(await env.count('jobs')).toBe(0);
      await env.mustReserve();
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily' });
    });

    it('guild daily: the server cap stops every member once the server has used it', async () => {
      env = await setup({ userDaily: 2, guildDaily: 3 });
      await env.mustReserve({ userId: ALICE });
      await env.mustReserve({ userId: ALICE });
      await env.mustReserve({ userId: BOB });
      const r = await env.reserve({ userId: CAROL });
      expect(r).toEqual({ ok: false, denial: { limit: 'guild_daily', allowance: 3, used: 3, cost: 1, resetsAt: MIDNIGHT } });
      if (!r.ok) expect(denialText('en', r.denial)).toMatch(/This server has reached its daily limit: 0 of its 3 credits/);
      expect((await env.reserve({ userId: CAROL, guildId: OTHER_GUILD })).ok).toBe(true);
    });

    it('global daily: all servers together; 0 means unlimited', async () => {
      env = await setup({ globalDaily: 2 });
      await env.mustReserve({ guildId: GUILD });
      await env.mustReserve({ guildId: OTHER_GUILD, userId: BOB });
      const r = await env.reserve({ guildId: null, userId: CAROL });
      expect(r).toMatchObject({ ok: false, denial: { limit: 'global_daily', allowance: 2, used: 2 } });
      if (!r.ok) expect(denialText('en', r.denial)).toContain('across all servers');
      await env.cleanup();
      env = await setup({ globalDaily: 0, userDaily: 1000, guildDaily: 1000 });
      for (let i = 0; i < 50; i++) await env.mustReserve({ userId: String(500000000000000000 + i) });
    });

    it('member daily across all servers and DMs: one member’s spend everywhere together; others unaffected', async () => {
      env = await setup({ userDaily: 2, userDailyAll: 3 });
      await env.mustReserve({ guildId: GUILD });
      await env.mustReserve({ guildId: OTHER_GUILD });
      await env.mustReserve({ guildId: null });
      // 1 of 2 left in GUILD, but 3 of 3 spent everywhere; a server's grant does not lift it.
      await env.quota.grant(GUILD, ALICE, 5, MOD);
      const r = await env.reserve({ guildId: GUILD });
      expect(r).toEqual({ ok: false, denial: { limit: 'user_daily_all', allowance: 3, used: 3, cost: 1, resetsAt: MIDNIGHT } });
      if (!r.ok) expect(denialText('en', r.denial)).toContain('across all servers and direct messages: 0 of your 3 credits');
      expect((await env.reserve({ userId: BOB })).ok).toBe(true);
      await env.cleanup();
      env = await setup({ userDaily: 1000, guildDaily: 1000, userDailyAll: 0 });
      for (let i = 0; i < 30; i++) await env.mustReserve({ guildId: i % 2 ? GUILD : OTHER_GUILD });
    });

    it('concurrency: at most N in flight per member; a finished job frees a slot', async () => {
      env = await setup({ maxConcurrent: 1 });
      const a = await env.mustReserve();
      const r = await env.reserve({ guildId: OTHER_GUILD });
      expect(r).toEqual({ ok: false, denial: { limit: 'concurrent', max: 1, inFlight: 1 } });
      if (!r.ok) expect(denialText('en', r.denial)).toBe(
        'You already have 1 model being made, and the limit is 1 at a time. Try again when one has finished. Nothing was submitted.',
      );
      await env.jobs.markSubmitted(a.id, 't', 1, env.clock.now, env.clock.now);
      expect(await env.reserve()).toMatchObject({ ok: false, denial: { limit: 'concurrent' } });
      await env.finish(a, 'succeeded');
      expect((await env.reserve()).ok).toBe(true);
    });

    it('cooldown: seconds between two submits of a member, with a relative timestamp', async () => {
      env = await setup({ cooldownS: 30 });
      await env.mustReserve();
      env.clock.now += 10_000;
      const r = await env.reserve();
      expect(r).toEqual({ ok: false, denial: { limit: 'cooldown', until: NOON + 30_000 } });
      if (!r.ok) expect(denialText('en', r.denial)).toContain(rel(NOON + 30_000));
      expect((await env.reserve({ userId: BOB })).ok).toBe(true);
      env.clock.now = NOON + 30_000;
      expect((await env.reserve()).ok).toBe(true);
    });

    it('a server can lengthen the cooldown and lower concurrency, never loosen the operator’s', async () => {
      env = await setup({ cooldownS: 30, maxConcurrent: 2 });
      await env.stores.quota.updateSettings(GUILD, { cooldownS: 5, maxConcurrent: 5 }, MOD, 0);
      expect(await env.quota.limits(GUILD, [])).toMatchObject({ cooldownS: 30, maxConcurrent: 2 });
      await env.stores.quota.updateSettings(GUILD, { cooldownS: 120, maxConcurrent: 1 }, MOD, 0);
      expect(await env.quota.limits(GUILD, [])).toMatchObject({ cooldownS: 120, maxConcurrent: 1 });
    });

    it('blocks: a blocked member is refused with the reason, in that server only', async () => {
      env = await setup();
      expect(await env.quota.block(GUILD, ALICE, 'spam', MOD)).toBe(true);
      expect(await env.quota.block(GUILD, ALICE, 'again', MOD)).toBe(false);
      const r = await env.reserve();
      expect(r).toEqual({ ok: false, denial: { limit: 'blocked', reason: 'spam' } });
      if (!r.ok) expect(denialText('en', r.denial)).toContain('(reason: spam)');
      expect(denialText('en', { limit: 'blocked', reason: null })).not.toContain('reason');
      expect((await env.reserve({ guildId: OTHER_GUILD })).ok).toBe(true);
      expect((await env.reserve({ guildId: null, userId: ALICE })).ok).toBe(true);
      expect(await env.quota.unblock(GUILD, ALICE)).toBe(true);
      expect(await env.quota.check(env.req())).toBeNull();
    });

    it('reserve() rolls back when insert throws, leaving nothing behind', async () => {
      env = await setup();
      await expect(
        env.quota.reserve(env.req(), async (cost) => {
          await env.jobs.insert(newJob({ userId: ALICE, guildId: GUILD, cost }));
          throw new Error('disk full');
        }),
      ).rejects.toThrow('disk full');
      expect(await env.count('jobs')).toBe(0);
    });
  });

  describe('refunds', () => {
    for (const state of ['failed', 'canceled', 'expired', 'timed_out'] as const) {
      it(`a job that ends ${state} gives its credits back automatically`, async () => {
        env = await setup({ userDaily: 3, detailedCost: 2 });
        const job = await env.mustReserve({ quality: 'detailed' });
        expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(1);
        await env.finish(job, state);
        const s = await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] });
        expect(s.remainingToday).toBe(3);
        expect(s.inFlight).toBe(0);
        expect(await env.stores.quota.guildSpend(GUILD, 0)).toBe(0);
      });
    }

    it('a job never submitted gives its credits back', async () => {
      env = await setup({ userDaily: 1 });
      const job = await env.mustReserve();
      await env.jobs.finish(job.id, { state: 'not_submitted', at: env.clock.now, errorCode: 'UPSTREAM_429' });
      expect(await env.quota.check(env.req())).toBeNull();
    });

    it('a job whose outcome is unknown is refunded to the member but counted in the server spend as unknown', async () => {
      env = await setup({ userDaily: 1, guildDaily: 1 });
      await env.mustReserve();
      expect(await new JobStore(env.db).recoverInterrupted(env.clock.now) /* after a restart */).toHaveLength(1);
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(1);
      expect(await env.stores.quota.guildSpend(GUILD, 0)).toBe(1);
      // The member may go again, but the server's cap already holds the unknown credit.
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'guild_daily', used: 1 });
    });

    it('a succeeded job keeps its credits; a moderator refund gives them back once, on the job’s day', async () => {
      env = await setup({ userDaily: 2 });
      const job = await env.finish(await env.mustReserve(), 'succeeded');
      const other = await env.mustReserve();
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily' });
      expect(await env.quota.refundJob(env.jobs, other.id, GUILD, MOD)).toMatchObject({ ok: false, reason: 'in_flight' });
      expect(await env.quota.refundJob(env.jobs, job.id, OTHER_GUILD, MOD)).toMatchObject({ ok: false, reason: 'unknown_job' });
      expect(await env.quota.refundJob(env.jobs, 9999, GUILD, MOD)).toMatchObject({ ok: false, reason: 'unknown_job' });
      const r = await env.quota.refundJob(env.jobs, job.id, GUILD, MOD);
      expect(r).toMatchObject({ ok: true, entry: { kind: 'refund', credits: 1, moderatorId: MOD, userId: ALICE, appliesAt: job.createdAt } });
      expect(await env.quota.refundJob(env.jobs, job.id, GUILD, MOD)).toMatchObject({ ok: false, reason: 'already_refunded' });
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(1);
      // The server's spend is what the provider billed; a moderator refund does not change it.
      expect(await env.stores.quota.guildSpend(GUILD, 0)).toBe(2);
    });

    it('refunding a failed job records a 0-credit refund (it was already refunded)', async () => {
      env = await setup();
      const job = await env.finish(await env.mustReserve(), 'failed');
      expect(await env.quota.refundJob(env.jobs, job.id, GUILD, MOD)).toMatchObject({ ok: true, entry: { credits: 0 } });
    });

    it('a moderator refund of yesterday’s job does not add credits today', async () => {
      env = await setup({ userDaily: 1 });
      const job = await env.finish(await env.mustReserve(), 'succeeded');
      env.clock.now += 24 * 3600_000;
      await env.mustReserve();
      await env.quota.refundJob(env.jobs, job.id, GUILD, MOD);
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily' });
    });

    it('grant adds credits for today; reset gives back today’s used credits', async () => {
      env = await setup({ userDaily: 2 });
      await env.mustReserve();
      await env.mustReserve();
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily', used: 2 });
      await env.quota.grant(GUILD, ALICE, 3, MOD);
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(3);
      await env.mustReserve();
      const entry = await env.quota.reset(GUILD, ALICE, MOD);
      // Used today was 3 jobs - 3 granted = 0: nothing to reset.
      expect(entry).toBeNull();
      await env.mustReserve();
      await env.mustReserve();
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(0);
      expect(await env.quota.reset(GUILD, ALICE, MOD)).toMatchObject({ kind: 'reset', credits: 2 });
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(2);
      // Grants are for the day they were made.
      await env.quota.grant(GUILD, ALICE, 10, MOD);
      env.clock.now = MIDNIGHT + 1;
      expect((await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] })).remainingToday).toBe(2);
    });
  });

  describe('allowances', () => {
    it('highest role allowance wins, capped by the server cap; else the server allowance; else the operator default', async () => {
      env = await setup({ userDaily: 5, guildDaily: 20 });
      const R1 = '700000000000000001';
      const R2 = '700000000000000002';
      const R3 = '700000000000000003';
      expect(await env.quota.limits(GUILD, [R1, R2])).toMatchObject({ userDaily: 5, allowanceSource: 'operator' });
      await env.stores.quota.updateSettings(GUILD, { userDaily: 8 }, MOD, 0);
      expect(await env.quota.limits(GUILD, [R1, R2])).toMatchObject({ userDaily: 8, allowanceSource: 'server' });
      await env.stores.quota.setRoleAllowance(GUILD, R1, 3, MOD, 0);
      await env.stores.quota.setRoleAllowance(GUILD, R2, 12, MOD, 0);
      expect(await env.quota.limits(GUILD, [R1])).toMatchObject({ userDaily: 3, allowanceSource: 'role' });
      expect(await env.quota.limits(GUILD, [R1, R2])).toMatchObject({ userDaily: 12, allowanceSource: 'role' });
      expect(await env.quota.limits(GUILD, [R3])).toMatchObject({ userDaily: 8, allowanceSource: 'server' });
      await env.stores.quota.setRoleAllowance(GUILD, R3, 50, MOD, 0);
      expect(await env.quota.limits(GUILD, [R1, R2, R3])).toMatchObject({ userDaily: 20 });
      // Role allowances of one server do not leak into another or into DMs.
      expect((await env.quota.limits(OTHER_GUILD, [R2])).userDaily).toBe(5);
      expect((await env.quota.limits(null, [R2])).userDaily).toBe(5);
      // And reserve() applies them.
      for (let i = 0; i < 12; i++) await env.mustReserve({ roleIds: [R1, R2] });
      expect(await env.reserve({ roleIds: [R1, R2] })).toMatchObject({ ok: false, denial: { limit: 'user_daily', allowance: 12 } });
      expect(await env.stores.quota.clearRoleAllowance(GUILD, R2)).toBe(true);
      expect(await env.stores.quota.clearRoleAllowance(GUILD, R2)).toBe(false);
    });
  });

  describe('day boundary', () => {
    it('rolls over at midnight in QUOTA_TIMEZONE, not UTC (including across a DST change)', async () => {
      // 2024-03-09 23:30 in New York (EST, UTC-5) = 2024-03-10 04:30Z.
      env = await setup({ userDaily: 1, timeZone: 'America/New_York' }, Date.parse('2024-03-10T04:30:00Z'));
      await env.mustReserve();
      const r = await env.reserve();
      // Day resets at local midnight = 05:00Z.
      expect(r).toMatchObject({ ok: false, denial: { limit: 'user_daily', resetsAt: Date.parse('2024-03-10T05:00:00Z') } });
      env.clock.now = Date.parse('2024-03-10T04:59:59Z');
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily' });
      env.clock.now = Date.parse('2024-03-10T05:00:00Z');
      expect(await env.quota.check(env.req())).toBeNull();
      await env.mustReserve();
      // 2024-03-10 is 23 hours long (DST starts): the next day starts at 04:00Z (EDT, UTC-4).
      expect(await env.quota.check(env.req())).toMatchObject({ resetsAt: Date.parse('2024-03-11T04:00:00Z') });
      env.clock.now = Date.parse('2024-03-11T03:59:00Z');
      expect(await env.quota.check(env.req())).toMatchObject({ limit: 'user_daily' });
      env.clock.now = Date.parse('2024-03-11T04:00:00Z');
      expect(await env.quota.check(env.req())).toBeNull();
    });

    it('/quota status: month usage, in flight, cooldown and reset time', async () => {
      env = await setup({ userDaily: 5, cooldownS: 60, timeZone: 'Asia/Kolkata' }, Date.parse('2024-06-01T17:00:00Z'));
      // 2024-06-01T17:00Z = 22:30 IST on June 1.
      await env.finish(await env.mustReserve(), 'succeeded');
      env.clock.now = Date.parse('2024-06-01T19:00:00Z'); // 00:30 IST June 2
      await env.mustReserve({ quality: 'detailed' });
      const s = await env.quota.status({ userId: ALICE, guildId: GUILD, roleIds: [] });
      expect(s).toMatchObject({
        usedToday: 2,
        remainingToday: 3,
        usedThisMonth: 3,
        inFlight: 1,
        cooldownUntil: Date.parse('2024-06-01T19:01:00Z'),
        resetsAt: Date.parse('2024-06-02T18:30:00Z'),
        blocked: null,
        costs: { standard: 1, detailed: 2 },
      });
    });
  });
});
