import type { Db } from './db.js';

/**
 * The quota side of the store: the ledger of grants, resets and moderator refunds, per-server
 * settings, role allowances, blocks, audit-channel records and the moderators' change log.
 * The jobs table itself is the other half of the ledger (see src/quota/service.ts).
 */

/** States whose cost the member pays: the job is (or may still be) going, or it succeeded. */
export const CHARGED_STATES = ['submitting', 'queued', 'running', 'succeeded'] as const;
/** States in flight, for the concurrency limit. */
export const IN_FLIGHT_STATES = ['submitting', 'queued', 'running'] as const;
/** The server's spend: charged jobs plus those whose outcome is unknown (maybe billed upstream). */
export const SPEND_STATES = [...CHARGED_STATES, 'outcome_unknown'] as const;

export const sqlList = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');

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

export interface AuditMessage {
  jobId: number;
  guildId: string;
  channelId: string;
  messageId: string;
}

export interface AdminAction {
  guildId: string;
  moderatorId: string;
  action: string;
  targetId: string | null;
  details: Record<string, unknown>;
  at: number;
}

export class QuotaStore {
  private readonly s;

  constructor(readonly db: Db) {
    const charged = sqlList(CHARGED_STATES);
    this.s = {
      memberJobCredits: db.prepare(`
        SELECT COALESCE(SUM(cost), 0) FROM jobs
        WHERE user_id = @userId AND guild_id IS @guildId AND created_at >= @since AND state IN (${charged})`),
      memberLedgerCredits: db.prepare(`
        SELECT COALESCE(SUM(credits), 0) FROM quota_ledger
        WHERE user_id = @userId AND guild_id IS @guildId AND applies_at >= @since`),
      guildSpend: db.prepare(`
        SELECT COALESCE(SUM(cost), 0) FROM jobs
        WHERE guild_id = @guildId AND created_at >= @since AND state IN (${sqlList(SPEND_STATES)})`),
      globalSpend: db.prepare(`
        SELECT COALESCE(SUM(cost), 0) FROM jobs
        WHERE created_at >= @since AND state IN (${sqlList(SPEND_STATES)})`),
      inFlight: db.prepare(`
        SELECT COUNT(*) FROM jobs WHERE user_id = ? AND state IN (${sqlList(IN_FLIGHT_STATES)})`),
      lastSubmit: db.prepare(`
        SELECT created_at FROM jobs WHERE user_id = ? AND state <> 'not_submitted'
        ORDER BY created_at DESC LIMIT 1`),
      insertLedger: db.prepare(`
        INSERT INTO quota_ledger (guild_id, user_id, kind, credits, job_id, moderator_id, note, applies_at, created_at)
        VALUES (@guildId, @userId, @kind, @credits, @jobId, @moderatorId, @note, @appliesAt, @createdAt)
        RETURNING *`),
      refundOf: db.prepare(`SELECT * FROM quota_ledger WHERE job_id = ? AND kind = 'refund'`),
      settings: db.prepare('SELECT * FROM guild_settings WHERE guild_id = ?'),
      upsertSettings: db.prepare(`
        INSERT INTO guild_settings (guild_id, user_daily, cooldown_s, max_concurrent, audit_channel_id, updated_at, updated_by)
        VALUES (@guildId, @userDaily, @cooldownS, @maxConcurrent, @auditChannelId, @updatedAt, @updatedBy)
        ON CONFLICT (guild_id) DO UPDATE SET user_daily = excluded.user_daily, cooldown_s = excluded.cooldown_s,
          max_concurrent = excluded.max_concurrent, audit_channel_id = excluded.audit_channel_id,
          updated_at = excluded.updated_at, updated_by = excluded.updated_by`),
      roleAllowances: db.prepare('SELECT role_id, daily FROM guild_role_allowances WHERE guild_id = ? ORDER BY daily DESC, role_id'),
      maxRoleAllowance: db.prepare(`
        SELECT MAX(daily) FROM guild_role_allowances
        WHERE guild_id = ? AND role_id IN (SELECT value FROM json_each(?))`),
      setRole: db.prepare(`
        INSERT INTO guild_role_allowances (guild_id, role_id, daily, updated_at, updated_by)
        VALUES (@guildId, @roleId, @daily, @at, @by)
        ON CONFLICT (guild_id, role_id) DO UPDATE SET daily = excluded.daily, updated_at = excluded.updated_at,
          updated_by = excluded.updated_by`),
      clearRole: db.prepare('DELETE FROM guild_role_allowances WHERE guild_id = ? AND role_id = ?'),
      block: db.prepare('SELECT * FROM guild_blocks WHERE guild_id = ? AND user_id = ?'),
      setBlock: db.prepare(`
        INSERT INTO guild_blocks (guild_id, user_id, reason, moderator_id, created_at)
        VALUES (@guildId, @userId, @reason, @moderatorId, @createdAt)
        ON CONFLICT (guild_id, user_id) DO NOTHING`),
      unblock: db.prepare('DELETE FROM guild_blocks WHERE guild_id = ? AND user_id = ?'),
      auditMessage: db.prepare('SELECT * FROM audit_messages WHERE job_id = ?'),
      auditMessageById: db.prepare('SELECT * FROM audit_messages WHERE message_id = ?'),
      blockCount: db.prepare('SELECT COUNT(*) FROM guild_blocks WHERE guild_id = ?'),
      setAuditMessage: db.prepare(`
        INSERT INTO audit_messages (job_id, guild_id, channel_id, message_id, updated_at)
        VALUES (@jobId, @guildId, @channelId, @messageId, @at)
        ON CONFLICT (job_id) DO UPDATE SET channel_id = excluded.channel_id, message_id = excluded.message_id,
          updated_at = excluded.updated_at`),
      recordAction: db.prepare(`
        INSERT INTO admin_actions (guild_id, moderator_id, action, target_id, details, created_at)
        VALUES (@guildId, @moderatorId, @action, @targetId, @details, @at)`),
      recentActions: db.prepare('SELECT * FROM admin_actions WHERE guild_id = ? ORDER BY id DESC LIMIT ?'),
    };
  }

  /** Credits the member's charged jobs cost since `since`, in one server (or in DMs when guildId is null). */
  memberJobCredits(guildId: string | null, userId: string, since: number): number {
    return this.s.memberJobCredits.pluck().get({ guildId, userId, since }) as number;
  }

  /** Credits given back to the member since `since` (grants, resets, moderator refunds). */
  memberLedgerCredits(guildId: string | null, userId: string, since: number): number {
    return this.s.memberLedgerCredits.pluck().get({ guildId, userId, since }) as number;
  }

  /** Net credits used: charged jobs minus everything given back. May be negative after a grant. */
  memberUsed(guildId: string | null, userId: string, since: number): number {
    return this.memberJobCredits(guildId, userId, since) - this.memberLedgerCredits(guildId, userId, since);
  }

  guildSpend(guildId: string, since: number): number {
    return this.s.guildSpend.pluck().get({ guildId, since }) as number;
  }

  globalSpend(since: number): number {
    return this.s.globalSpend.pluck().get({ since }) as number;
  }

  inFlight(userId: string): number {
    return this.s.inFlight.pluck().get(userId) as number;
  }

  lastSubmitAt(userId: string): number | null {
    return (this.s.lastSubmit.pluck().get(userId) as number | undefined) ?? null;
  }

  addLedger(e: Omit<LedgerEntry, 'id'>): LedgerEntry {
    return toLedger(this.s.insertLedger.get(e) as LedgerRow);
  }

  refundOf(jobId: number): LedgerEntry | undefined {
    const row = this.s.refundOf.get(jobId) as LedgerRow | undefined;
    return row && toLedger(row);
  }

  settings(guildId: string): GuildSettings | undefined {
    const r = this.s.settings.get(guildId) as SettingsRow | undefined;
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
  ): GuildSettings {
    return this.db.transaction(() => {
      const cur = this.settings(guildId);
      const pick = <K extends keyof typeof patch>(k: K) => (patch[k] !== undefined ? patch[k] : (cur?.[k] ?? null));
      this.s.upsertSettings.run({
        guildId,
        userDaily: pick('userDaily'),
        cooldownS: pick('cooldownS'),
        maxConcurrent: pick('maxConcurrent'),
        auditChannelId: pick('auditChannelId'),
        updatedAt: at,
        updatedBy: by,
      });
      return this.settings(guildId)!;
    })();
  }

  roleAllowances(guildId: string): RoleAllowance[] {
    return (this.s.roleAllowances.all(guildId) as { role_id: string; daily: number }[]).map((r) => ({
      roleId: r.role_id,
      daily: r.daily,
    }));
  }

  /** The highest allowance among the given roles, or null when none of them has one. */
  maxRoleAllowance(guildId: string, roleIds: readonly string[]): number | null {
    if (roleIds.length === 0) return null;
    return (this.s.maxRoleAllowance.pluck().get(guildId, JSON.stringify(roleIds)) as number | null) ?? null;
  }

  setRoleAllowance(guildId: string, roleId: string, daily: number, by: string, at: number): void {
    this.s.setRole.run({ guildId, roleId, daily, by, at });
  }

  /** Returns whether the role had an allowance. */
  clearRoleAllowance(guildId: string, roleId: string): boolean {
    return this.s.clearRole.run(guildId, roleId).changes > 0;
  }

  block(guildId: string, userId: string): Block | undefined {
    const r = this.s.block.get(guildId, userId) as BlockRow | undefined;
    return r && { guildId: r.guild_id, userId: r.user_id, reason: r.reason, moderatorId: r.moderator_id, createdAt: r.created_at };
  }

  /** Returns false when the member was already blocked. */
  addBlock(b: Block): boolean {
    return this.s.setBlock.run(b).changes > 0;
  }

  /** Returns false when the member was not blocked. */
  removeBlock(guildId: string, userId: string): boolean {
    return this.s.unblock.run(guildId, userId).changes > 0;
  }

  auditMessage(jobId: number): AuditMessage | undefined {
    const r = this.s.auditMessage.get(jobId) as AuditRow | undefined;
    return r && { jobId: r.job_id, guildId: r.guild_id, channelId: r.channel_id, messageId: r.message_id };
  }

  auditMessageById(messageId: string): AuditMessage | undefined {
    const r = this.s.auditMessageById.get(messageId) as AuditRow | undefined;
    return r && { jobId: r.job_id, guildId: r.guild_id, channelId: r.channel_id, messageId: r.message_id };
  }

  blockCount(guildId: string): number {
    return this.s.blockCount.pluck().get(guildId) as number;
  }

  setAuditMessage(m: AuditMessage, at: number): void {
    this.s.setAuditMessage.run({ ...m, at });
  }

  recordAction(a: AdminAction): void {
    this.s.recordAction.run({ ...a, details: JSON.stringify(a.details) });
  }

  recentActions(guildId: string, limit = 20): AdminAction[] {
    return (this.s.recentActions.all(guildId, limit) as ActionRow[]).map((r) => ({
      guildId: r.guild_id,
      moderatorId: r.moderator_id,
      action: r.action,
      targetId: r.target_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
      at: r.created_at,
    }));
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

interface AuditRow {
  job_id: number;
  guild_id: string;
  channel_id: string;
  message_id: string;
}

interface ActionRow {
  guild_id: string;
  moderator_id: string;
  action: string;
  target_id: string | null;
  details: string;
  created_at: number;
}
