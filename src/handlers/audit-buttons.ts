import { DiscordAPIError, MessageFlags, Routes, type ButtonInteraction } from 'discord.js';
import { t } from '../i18n/index.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import type { Job } from '../domain/job.js';
import { auditRecordFiles, parseAuditButton, renderAuditRecord, type AuditRest } from '../audit/record.js';
import { removeJobFiles } from '../jobs/forget.js';
import { assertModerator, recordChange } from './moderators.js';
import type { Services } from './services.js';

/** The audit record's buttons. Permission is checked at press time, before anything changes. */
export async function handleAuditButton(i: ButtonInteraction, s: Services, rest?: AuditRest): Promise<void> {
  const parsed = parseAuditButton(i.customId);
  if (!parsed) throw new UserFacingError(t(i.locale, 'error.unknownCommand'), true);
  assertModerator(i);
  const guildId = i.guildId;
  const L = i.locale;
  const restClient = rest ?? s.client.rest;
  // From here on the button's message is ours to update; answers to the moderator are follow-ups.
  await i.deferUpdate();
  const say = (content: string) =>
    i.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }).then(() => undefined);
  try {
    if (parsed.action === 'refund') {
      const r = await s.quota.refundJob(s.stores.jobs, parsed.jobId, guildId, i.user.id);
      if (!r.ok) {
        await say(t(L, r.reason === 'already_refunded' ? 'audit.refund.already' : r.reason === 'in_flight' ? 'audit.refund.inFlight' : 'audit.refund.unknownJob'));
        return;
      }
      // No pending edit of the poller may bring the removed result back.
      await s.stores.jobs.giveUpDelivery(r.job.id, 'result removed by a moderator', s.clock());
      const message = await removeResult(restClient, r.job);
      await s.gallery.remove(r.job.id).catch((err: unknown) => s.log.warn({ err, jobId: r.job.id }, 'gallery post not removed'));
      await removeJobFiles(s.stores.jobs, r.job, s.config.filesDir, s.clock()).catch((err: unknown) =>
        s.log.error({ err, jobId: r.job.id }, 'stored files of a removed result not removed; retention tries again'),
      );
      await recordChange(s, i, 'refund', r.job.userId, { jobId: r.job.id, credits: r.entry.credits, message });
      await refreshRecord(i, s, parsed.jobId);
      await say(t(L, 'audit.refund.done', { user: `<@${r.job.userId}>`, credits: r.entry.credits, message }));
      return;
    }
    const userId = parsed.userId;
    if (!await s.quota.block(guildId, userId, null, i.user.id)) {
      await say(t(L, 'audit.block.already', { user: `<@${userId}>` }));
      return;
    }
    await recordChange(s, i, 'block', userId, { via: 'audit button' });
    const record = await s.stores.audit.auditMessageById(i.message.id);
    if (record) await refreshRecord(i, s, record.jobId);
    await say(t(L, 'audit.block.done', { user: `<@${userId}>` }));
  } catch (err) {
    s.log.error({ err, guildId, customId: i.customId }, 'audit button failed');
    await say(t(L, 'error.internal')).catch(() => undefined);
  }
}

async function refreshRecord(i: ButtonInteraction, s: Services, jobId: number): Promise<void> {
  const job = await s.stores.jobs.get(jobId);
  if (!job?.guildId) return;
  const files = await auditRecordFiles(job);
  const body = renderAuditRecord(job, {
    refund: await s.stores.quota.refundOf(job.id),
    blocked: await s.stores.quota.block(job.guildId, job.userId) !== undefined,
    files,
  });
  await i.editReply({
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    files: files.map((f) => ({ attachment: Buffer.from(f.data as Uint8Array), name: f.name })),
    attachments: [],
  } as Parameters<ButtonInteraction['editReply']>[0]);
}

/**
 * Takes a refunded job's result out of sight: edits the result message to say a moderator
 * removed it, or deletes it when it cannot be edited.
 */
export async function removeResult(
  rest: AuditRest,
  job: Job,
): Promise<'edited' | 'deleted' | 'none' | 'failed'> {
  if (!job.messageId) return 'none';
  const route = Routes.channelMessage(job.channelId, job.messageId);
  try {
    await rest.patch(route, {
      body: {
        content: t(job.locale, 'result.removedByModerator'),
        embeds: [],
        components: [],
        attachments: [],
        allowed_mentions: { parse: [] },
      },
    });
    return 'edited';
  } catch (err) {
    if (err instanceof DiscordAPIError && Number(err.code) === 10008) return 'none';
    try {
      await rest.delete(route);
      return 'deleted';
    } catch {
      return 'failed';
    }
  }
}
