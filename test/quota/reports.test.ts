import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { CSV_HEADER, csvField, jobsCsv } from '../../src/quota/csv.js';
import { ReportStore } from '../../src/store/reports.js';
import { balanceText } from '../../src/handlers/admin-reports.js';
import { checkRange, isModerator } from '../../src/handlers/moderators.js';
import { createLogger } from '../../src/log/index.js';
import { UserFacingError } from '../../src/discord/user-facing-error.js';
import { BACKENDS } from '../helpers/store.js';
import { JobStore } from '../../src/store/jobs.js';
import { ALICE, BOB, GUILD, MOD, OTHER_GUILD, setupQuota, type QuotaEnv } from './helpers.js';

describe.each(BACKENDS)('%s store', (backend) => {
  const setup = (config?: Parameters<typeof setupQuota>[1]) => setupQuota(backend, config);
  let env: QuotaEnv;
  afterEach(() => env?.cleanup());

  describe('CSV', () => {
    it('quotes commas, quotes and newlines (RFC 4180) and defuses formulas', async () => {
      expect(csvField('plain')).toBe('plain');
      expect(csvField('a,b')).toBe('"a,b"');
      expect(csvField('say "hi"')).toBe('"say ""hi"""');
      expect(csvField('line1\nline2')).toBe('"line1\nline2"');
      expect(csvField('cr\rhere')).toBe('"cr\rhere"');
      expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
      expect(csvField(null)).toBe('');
      expect(csvField(42)).toBe('42');
    });

    it('exports one row per job of the server, with a header and CRLF line ends', async () => {
      env = await setup();
      const ok = await env.finish(await env.mustReserve(), 'succeeded');
      env.clock.now += 1000;
      const bad = await env.mustReserve({ userId: BOB, quality: 'detailed' });
      await env.jobs.markSubmitted(bad.id, 'task-bad', 35000, env.clock.now, env.clock.now);
      await env.jobs.finish(bad.id, { state: 'failed', at: env.clock.now + 5000, errorCode: 'InvalidImage', errorMessage: 'Image "cat.png" is bad,\nsorry' });
      await env.mustReserve({ guildId: OTHER_GUILD });
      await env.quota.refundJob(env.jobs, ok.id, GUILD, MOD);

      const { csv, count } = jobsCsv(await new ReportStore(env.db).exportRows(GUILD, 0));
      expect(count).toBe(2);
      const lines = csv.split('\r\n');
      expect(lines[0]).toBe(CSV_HEADER.join(','));
      expect(lines[1]).toBe(
        [ok.id, new Date(ok.createdAt).toISOString(), new Date(env.clock.now - 1000).toISOString(), ALICE, ok.channelId, ok.messageId,
          'standard', 1, 0, 'succeeded', `task-${ok.id}`, 35000, 0, '', '', ok.imageUrl, MOD].join(','),
      );
      // The error message spans two physical lines inside one quoted field.
      expect(csv).toContain(`,InvalidImage,"Image ""cat.png"" is bad,\nsorry",`);
      expect(csv).toContain(`,detailed,2,0,failed,task-bad,35000,,`);
      expect(csv.endsWith('\r\n')).toBe(true);
    });
  });

  describe('usage reports', () => {
    it('server totals, top members and unknown spend', async () => {
      env = await setup();
      await env.finish(await env.mustReserve(), 'succeeded');
      await env.finish(await env.mustReserve({ quality: 'detailed' }), 'timed_out');
      await env.finish(await env.mustReserve({ userId: BOB, quality: 'detailed' }), 'succeeded');
      await env.mustReserve({ userId: BOB });
      await new JobStore(env.db).recoverInterrupted(env.clock.now) /* after a restart */;
      const r = new ReportStore(env.db);
      expect(await r.guildTotals(GUILD, 0)).toMatchObject({
        jobs: 4, succeeded: 2, failed: 1, unknown: 1, inFlight: 0, credits: 3, unknownCredits: 1, tokens: 3 * 35000,
      });
      expect(await r.topMembers(GUILD, 0)).toEqual([
        { userId: BOB, jobs: 2, credits: 2 },
        { userId: ALICE, jobs: 2, credits: 1 },
      ]);
      expect(await r.spend(GUILD, 0)).toEqual({ credits: 3, tokens: 105000, unknownJobs: 1 });
    });
  });

  describe('balance', () => {
    const log = createLogger({ level: 'silent' });
    const services = (getBalance: () => Promise<unknown>) => ({
      upstream: { getBalance } as never,
      stores: env.stores,
      clock: () => env.clock.now,
      quota: env.quota,
      log,
    });

    it('shows the provider balance when the billing endpoints answer, and the recorded spend', async () => {
      env = await setup();
      await env.finish(await env.mustReserve(), 'succeeded');
      const text = await balanceText(services(async () => ({ totalUsd: 50, usedUsd: 1.5, remainingUsd: 48.5 })), GUILD, 'en-US');
      expect(text).toContain('**Provider balance:** $48.50 left, of $50.00 in total; $1.50 used.');
      expect(text).toContain('This server: 1 today, 1 this month (35,000 provider tokens).');
    });

    it('says plainly that the balance is unavailable when billing is absent or fails', async () => {
      env = await setup();
      for (const get of [async () => null, async () => ({ totalUsd: null, usedUsd: null, remainingUsd: null }), vi.fn().mockRejectedValue(new Error('boom'))]) {
        const text = await balanceText(services(get), GUILD, 'en-US');
        expect(text).toContain('**Provider balance:** unavailable');
        expect(text).toContain('**Spend recorded by the bot**');
      }
    });
  });

  describe('permission gate', () => {
    it('only members with Manage Server, only in a server', async () => {
      const perms = (...bits: bigint[]) => new PermissionsBitField(bits);
      expect(isModerator({ guildId: GUILD, memberPermissions: perms(PermissionFlagsBits.ManageGuild) })).toBe(true);
      expect(isModerator({ guildId: GUILD, memberPermissions: perms(PermissionFlagsBits.Administrator) })).toBe(true);
      expect(isModerator({ guildId: GUILD, memberPermissions: perms(PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageMessages) })).toBe(false);
      expect(isModerator({ guildId: null, memberPermissions: null })).toBe(false);
    });

    it('range checks name the allowed range', async () => {
      expect(checkRange('en', 'daily', 5, 0, 100)).toBe(5);
      expect(() => checkRange('en', 'daily', -1, 0, 100)).toThrow(UserFacingError);
      expect(() => checkRange('en', 'daily', 101, 0, 100)).toThrow('`daily` must be a whole number from 0 to 100; you gave 101.');
    });
  });
});
