import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';
import { sqlList } from './sql.js';
import { CHARGED_STATES, IN_FLIGHT_STATES, SPEND_STATES } from '../domain/job.js';

/**
 * The quota side of the store: the ledger of grants, resets and moderator refunds, per-server
 * settings, role allowances and blocks (audit-channel records and the moderators' change log are
 * in audit.ts).
 * The jobs table itself is the other half of the ledger (see src/quota/service.ts).
 */

export type LedgerKind = 'grant' | 'reset' | 'refund';

export interface LedgerEntry {
  id: number;
  guildId: string | null;
  userId: string;
  kind: LedgerKind;
  credits: number;
  jobId: number | null;
  moderatorId: string;
  note: string | null;
  appliesAt: number;
  createdAt: number;
}

export interface GuildSettings {
  guildId: string;
  userDaily: number | null;
  cooldownS: number | null;
  maxConcurrent: number | null;
  auditChannelId: string | null;
  updatedAt: number;
  updatedBy: string;
}

export interface RoleAllowance {
  roleId: string;
  daily: number;
}

export interface Block {
  guildId: string;
  userId: string;
  reason: string | null;
  moderatorId: string;
  createdAt: number;
}

export class QuotaStore {
  private readonly q;

  constructor(readonly db: Db) {
    const d = sqlDialect(db.dialect);
    const charged = sqlList(CHARGED_STATES);
    this.q = {
      memberJobCredits: `
        SELECT COALESCE(SUM(cost), 0) AS n FROM jobs
        WHERE user_id = @userId AND ${d.same('guild_id', 'guildId')} AND created_at >= @since AND state IN (${charged})`,
      memberLedgerCredits: `
        SELECT COALESCE(SUM(credits), 0) AS n FROM quota_ledger
        WHERE user_id = @userId AND ${d.same('guild_id', 'guildId')} AND applies_at >= @since`,
      guildSpend: `
        SELECT COALESCE(SUM(cost), 0) AS n FROM jobs
        WHERE guild_id = @guildId AND created_at >= @since AND state IN (${sqlList(SPEND_STATES)})`,
      globalSpend: `
        SELECT COALESCE(SUM(cost), 0) AS n FROM jobs
        WHERE created_at >= @since AND state IN (${sqlList(SPEND_STATES)})`,
      memberSpendAll: `
        SELECT COALESCE(SUM(cost), 0) AS n FROM jobs
        WHERE user_id = @userId AND created_at >= @since AND state IN (${sqlList(SPEND_STATES)})`,
      inFlight: `SELECT COUNT(*) AS n FROM jobs WHERE user_id = @userId AND state IN (${sqlList(IN_FLIGHT_STATES)})`,
      lastSubmit: `
        SELECT created_at AS n FROM jobs WHERE user_id = @userId AND state <> 'not_submitted'
        ORDER BY created_at DESC LIMIT 1`,
      insertLedger: `
        INSERT INTO quota_ledger (guild_id, user_id, kind, credits, job_id, moderator_id, note, applies_at, created_at)
        VALUES (@guildId, @userId, @kind, @credits, @jobId, @moderatorId, @note, @appliesAt, @createdAt)
        RETURNING *`,
      refundOf: `SELECT * FROM quota_ledger WHERE job_id = @jobId AND kind = 'refund'`,
      settings: 'SELECT * FROM guild_settings WHERE guild_id = @guildId',
      upsertSettings: `
        INSERT INTO guild_settings (guild_id, user_daily, cooldown_s, max_concurrent, audit_channel_id, updated_at, updated_by)
        VALUES (@guildId, @userDaily, @cooldownS, @maxConcurrent, @auditChannelId, @updatedAt, @updatedBy)
        ON CONFLICT (guild_id) DO UPDATE SET user_daily = excluded.user_daily, cooldown_s = excluded.cooldown_s,
          max_concurrent = excluded.max_concurrent, audit_channel_id = excluded.audit_channel_id,
          updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      roleAllowances: 'SELECT role_id, daily FROM guild_role_allowances WHERE guild_id = @guildId ORDER BY daily DESC, role_id',
      maxRoleAllowance: `
        SELECT MAX(daily) AS n FROM guild_role_allowances
        WHERE guild_id = @guildId AND ${d.inList('role_id', 'roleIds', 'TEXT')}`,
      setRole: `
        INSERT INTO guild_role_allowances (guild_id, role_id, daily, updated_at, updated_by)
        VALUES (@guildId, @roleId, @daily, @at, @by)
        ON CONFLICT (guild_id, role_id) DO UPDATE SET daily = excluded.daily, updated_at = excluded.updated_at,
          updated_by = excluded.updated_by`,
      clearRole: 'DELETE FROM guild_role_allowances WHERE guild_id = @guildId AND role_id = @roleId',
      block: 'SELECT * FROM guild_blocks WHERE guild_id = @guildId AND user_id = @userId',
      setBlock: `
        INSERT INTO guild_blocks (guild_id, user_id, reason, moderator_id, created_at)
        VALUES (@guildId, @userId, @reason, @moderatorId, @createdAt)
        ON CONFLICT (guild_id, user_id) DO NOTHING`,
      unblock: 'DELETE FROM guild_blocks WHERE guild_id = @guildId AND user_id = @userId',
      blockCount: 'SELECT COUNT(*) AS n FROM guild_blocks WHERE guild_id = @guildId',
    };
  }

  /** The single value `n` of a one-row query, or null when there is no row or it is NULL. */
  private async value(sql: string, params: Record<string, unknown>): Promise<number | null> {
    return (await this.db.get<{ n: number | null }>(sql, params))?.n ?? null;
  }

  /** Credits the member's charged jobs cost since `since`, in one server (or in DMs when guildId is null). */
  async memberJobCredits(guildId: string | null, userId: string, since: number): Promise<number> {
    return (await this.value(this.q.memberJobCredits, { guildId, userId, since })) ?? 0;
  }

  /** Credits given back to the member since `since` (grants, resets, moderator refunds). */
  async memberLedgerCredits(guildId: string | null, userId: string, since: number): Promise<number> {
    return (await this.value(this.q.memberLedgerCredits, { guildId, userId, since })) ?? 0;
  }

  /** Net credits used: charged jobs minus everything given back. May be negative after a grant. */
  async memberUsed(guildId: string | null, userId: string, since: number): Promise<number> {
    return (await this.memberJobCredits(guildId, userId, since)) - (await this.memberLedgerCredits(guildId, userId, since));
  }

  async guildSpend(guildId: string, since: number): Promise<number> {
    return (await this.value(this.q.guildSpend, { guildId, since })) ?? 0;
  }

  async globalSpend(since: number): Promise<number> {
    return (await this.value(this.q.globalSpend, { since })) ?? 0;
  }

  /** What the member's jobs spent since `since` in every server and DM together (grants do not lower it). */
  async memberSpendAll(userId: string, since: number): Promise<number> {
    return (await this.value(this.q.memberSpendAll, { userId, since })) ?? 0;
  }

  async inFlight(userId: string): Promise<number> {
    return (await this.value(this.q.inFlight, { userId })) ?? 0;
  }

  lastSubmitAt(userId: string): Promise<number | null> {
    return this.value(this.q.lastSubmit, { userId });
  }

  async addLedger(e: Omit<LedgerEntry, 'id'>): Promise<LedgerEntry> {
    return toLedger((await this.db.get<LedgerRow>(this.q.insertLedger, { ...e }))!);
  }

  async refundOf(jobId: number): Promise<LedgerEntry | undefined> {
    const row = await this.db.get<LedgerRow>(this.q.refundOf, { jobId });
    return row && toLedger(row);
  }

  async settings(guildId: string): Promise<GuildSettings | undefined> {
    const r = await this.db.get<SettingsRow>(this.q.settings, { guildId });
    return (
      r && {
        guildId: r.guild_id,
        userDaily: r.user_daily,
        cooldownS: r.cooldown_s,
        maxConcurrent: r.max_concurrent,
        auditChannelId: r.audit_channel_id,
        updatedAt: r.updated_at,
        updatedBy: r.updated_by,
      }
    );
  }

  /** Changes some settings of a server; fields left undefined keep their value, null clears them. */
  updateSettings(
    guildId: string,
    patch: Partial<Pick<GuildSettings, 'userDaily' | 'cooldownS' | 'maxConcurrent' | 'auditChannelId'>>,
    by: string,
    at: number,
  ): Promise<GuildSettings> {
    return this.db.transaction(async () => {
      const cur = await this.settings(guildId);
      const pick = <K extends keyof typeof patch>(k: K) => (patch[k] !== undefined ? patch[k] : (cur?.[k] ?? null));
      await this.db.run(this.q.upsertSettings, {
        guildId,
        userDaily: pick('userDaily'),
        cooldownS: pick('cooldownS'),
        maxConcurrent: pick('maxConcurrent'),
        auditChannelId: pick('auditChannelId'),
        updatedAt: at,
        updatedBy: by,
      });
      return (await this.settings(guildId))!;
    });
  }

  async roleAllowances(guildId: string): Promise<RoleAllowance[]> {
    return (await this.db.all<{ role_id: string; daily: number }>(this.q.roleAllowances, { guildId })).map((r) => ({
      roleId: r.role_id,
      daily: r.daily,
    }));
  }

  /** The highest allowance among the given roles, or null when none of them has one. */
  async maxRoleAllowance(guildId: string, roleIds: readonly string[]): Promise<number | null> {
    if (roleIds.length === 0) return null;
    return this.value(this.q.maxRoleAllowance, { guildId, roleIds: [...roleIds] });
  }

  async setRoleAllowance(guildId: string, roleId: string, daily: number, by: string, at: number): Promise<void> {
    await this.db.run(this.q.setRole, { guildId, roleId, daily, by, at });
  }

  /** Returns whether the role had an allowance. */
  async clearRoleAllowance(guildId: string, roleId: string): Promise<boolean> {
    return (await this.db.run(this.q.clearRole, { guildId, roleId })) > 0;
  }

  async block(guildId: string, userId: string): Promise<Block | undefined> {
    const r = await this.db.get<BlockRow>(this.q.block, { guildId, userId });
    return r && { guildId: r.guild_id, userId: r.user_id, reason: r.reason, moderatorId: r.moderator_id, createdAt: r.created_at };
  }

  /** Returns false when the member was already blocked. */
  async addBlock(b: Block): Promise<boolean> {
    return (await this.db.run(this.q.setBlock, { ...b })) > 0;
  }

  /** Returns false when the member was not blocked. */
  async removeBlock(guildId: string, userId: string): Promise<boolean> {
    return (await this.db.run(this.q.unblock, { guildId, userId })) > 0;
  }



  async blockCount(guildId: string): Promise<number> {
    return (await this.value(this.q.blockCount, { guildId })) ?? 0;
  }



}

interface LedgerRow {
  id: number;
  guild_id: string | null;
  user_id: string;
  kind: LedgerKind;
  credits: number;
  job_id: number | null;
  moderator_id: string;
  note: string | null;
  applies_at: number;
  created_at: number;
}

const toLedger = (r: LedgerRow): LedgerEntry => ({
  id: r.id,
  guildId: r.guild_id,
  userId: r.user_id,
  kind: r.kind,
  credits: r.credits,
  jobId: r.job_id,
  moderatorId: r.moderator_id,
  note: r.note,
  appliesAt: r.applies_at,
  createdAt: r.created_at,
});

interface SettingsRow {
  guild_id: string;
  user_daily: number | null;
  cooldown_s: number | null;
  max_concurrent: number | null;
  audit_channel_id: string | null;
  updated_at: number;
  updated_by: string;
}

interface BlockRow {
  guild_id: string;
  user_id: string;
  reason: string | null;
  moderator_id: string;
  created_at: number;
}
