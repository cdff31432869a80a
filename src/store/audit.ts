import type { Db } from './db.js';

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

/** The audit channel's record of each job, and the moderators' change log. */
export class AuditStore {
  private readonly q = {
    auditMessage: 'SELECT * FROM audit_messages WHERE job_id = @jobId',
    auditMessageById: 'SELECT * FROM audit_messages WHERE message_id = @messageId',
    setAuditMessage: `
      INSERT INTO audit_messages (job_id, guild_id, channel_id, message_id, updated_at)
      VALUES (@jobId, @guildId, @channelId, @messageId, @at)
      ON CONFLICT (job_id) DO UPDATE SET channel_id = excluded.channel_id, message_id = excluded.message_id,
        updated_at = excluded.updated_at`,
    recordAction: `
      INSERT INTO admin_actions (guild_id, moderator_id, action, target_id, details, created_at)
      VALUES (@guildId, @moderatorId, @action, @targetId, @details, @at)`,
    recentActions: 'SELECT * FROM admin_actions WHERE guild_id = @guildId ORDER BY id DESC LIMIT @limit',
  };

  constructor(private readonly db: Db) {}

  async auditMessage(jobId: number): Promise<AuditMessage | undefined> {
    const r = await this.db.get<AuditRow>(this.q.auditMessage, { jobId });
    return r && { jobId: r.job_id, guildId: r.guild_id, channelId: r.channel_id, messageId: r.message_id };
  }

  async auditMessageById(messageId: string): Promise<AuditMessage | undefined> {
    const r = await this.db.get<AuditRow>(this.q.auditMessageById, { messageId });
    return r && { jobId: r.job_id, guildId: r.guild_id, channelId: r.channel_id, messageId: r.message_id };
  }

  async setAuditMessage(m: AuditMessage, at: number): Promise<void> {
    await this.db.run(this.q.setAuditMessage, { ...m, at });
  }

  async recordAction(a: AdminAction): Promise<void> {
    await this.db.run(this.q.recordAction, { ...a, details: JSON.stringify(a.details) });
  }

  async recentActions(guildId: string, limit = 20): Promise<AdminAction[]> {
    return (await this.db.all<ActionRow>(this.q.recentActions, { guildId, limit })).map((r) => ({
      guildId: r.guild_id,
      moderatorId: r.moderator_id,
      action: r.action,
      targetId: r.target_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
      at: r.created_at,
    }));
  }
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
