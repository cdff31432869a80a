import { readFile } from 'node:fs/promises';
import { ButtonStyle, ComponentType, type APIEmbed, type RawFile, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { t } from '../i18n/index.js';
import { pictureThumbnail } from '../discord/render.js';
import type { Job } from '../domain/job.js';
import type { LedgerEntry } from '../store/quota.js';
import { jumpLink } from '../discord/links.js';

/** The REST calls the audit channel needs; discord.js's `client.rest` fits. */
export type AuditRest = Pick<REST, 'post' | 'patch' | 'delete'>;

/** Moderators read the audit channel; its text is in English until per-server locales exist. */
const AUDIT_LOCALE = 'en-US';

export const AUDIT_PREFIX = 'audit';
const refundButtonId = (jobId: number) => `${AUDIT_PREFIX}:refund:${jobId}`;
const blockButtonId = (userId: string) => `${AUDIT_PREFIX}:block:${userId}`;

/** Parses an audit button's custom id; null when it is not one of ours. */
export function parseAuditButton(
  customId: string,
): { action: 'refund'; jobId: number } | { action: 'block'; userId: string } | null {
  const m = /^audit:(refund|block):(\d{1,20})$/.exec(customId);
  if (!m) return null;
  if (m[1] === 'refund') {
    const jobId = Number(m[2]);
    return Number.isSafeInteger(jobId) ? { action: 'refund', jobId } : null;
  }
  return { action: 'block', userId: m[2]! };
}

const stateColour: Record<string, number> = {
  submitting: 0x95a5a6,
  queued: 0x95a5a6,
  running: 0x3498db,
  succeeded: 0x2ecc71,
  outcome_unknown: 0xf1c40f,
};

/**
 * The file an audit record shows, read now: the bot's copy of the member's picture while it keeps
 * one (Delete, removal and retention take it away, and the next edit of the record drops it).
 */
export async function auditRecordFiles(job: Job): Promise<RawFile[]> {
  const picture = pictureThumbnail(job);
  if (!picture) return [];
  const data = await readFile(picture.file.path).catch(() => null);
  return data ? [{ name: picture.file.name, data }] : [];
}

/**
 * The compact record of one job in the audit channel: member, thumbnail, quality, state, task id,
 * buttons. `files` are those of auditRecordFiles, sent with it: the record lists them and nothing else.
 */
export function renderAuditRecord(
  job: Job,
  ctx: { refund: LedgerEntry | undefined; blocked: boolean; files?: readonly RawFile[] },
): RESTPostAPIChannelMessageJSONBody {
  const L = AUDIT_LOCALE;
  const link = jumpLink(job);
  const notes: string[] = [];
  if (ctx.refund) notes.push(t(L, 'audit.refunded', { moderator: `<@${ctx.refund.moderatorId}>`, credits: ctx.refund.credits }));
  if (ctx.blocked) notes.push(t(L, 'audit.memberBlocked'));
  const embed: APIEmbed = {
    title: t(L, 'audit.title', { jobId: job.id }),
    color: stateColour[job.state] ?? 0xe74c3c,
    fields: [
      { name: t(L, 'audit.field.member'), value: `<@${job.userId}>`, inline: true },
      { name: t(L, 'audit.field.quality'), value: t(L, job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard'), inline: true },
      { name: t(L, 'audit.field.state'), value: t(L, 'audit.state', { state: job.state }), inline: true },
      { name: t(L, 'audit.field.task'), value: job.taskId ? `\`${job.taskId}\`` : t(L, 'audit.none'), inline: true },
      { name: t(L, 'audit.field.result'), value: link ?? t(L, 'audit.none'), inline: true },
    ],
    timestamp: new Date(job.createdAt).toISOString(),
  };
  if (notes.length) embed.description = notes.join('\n');
  // Never the member's URL (its host can swap the picture): the bot's checked copy, uploaded with the record.
  const files = ctx.files ?? [];
  const picture = pictureThumbnail(job);
  if (picture && files.some((f) => f.name === picture.file.name)) embed.thumbnail = picture.thumbnail;
  return {
    embeds: [embed],
    attachments: files.map((f, id) => ({ id, filename: f.name })),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            custom_id: refundButtonId(job.id),
            label: t(L, 'audit.button.refund'),
            disabled: ctx.refund !== undefined,
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            custom_id: blockButtonId(job.userId),
            label: t(L, 'audit.button.block'),
            disabled: ctx.blocked,
          },
        ],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

