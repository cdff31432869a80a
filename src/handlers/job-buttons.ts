import { readFile } from 'node:fs/promises';
import {
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type APIActionRowComponent,
  type APIButtonComponent,
  type ButtonInteraction,
} from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import type { Services } from './services.js';
import { isIn, RETRYABLE_STATES, type Job, type JobOrigin } from '../domain/job.js';
import { sideViewsOf, startJob } from '../jobs/start.js';
import { removeJobFiles } from '../jobs/forget.js';
import { denialText } from './quota.js';
import { displayNameOf, roleIdsOf } from '../discord/members.js';
import { jumpLink } from '../discord/links.js';
import { rejectionText } from '../i18n/rejections.js';
import { t, type MessageKey } from '../i18n/index.js';
import { DEFAULT_ATTACHMENT_LIMIT, jobButtonId, parseJobButton, renderJob, type JobAction } from '../discord/render.js';
import type { ShareOutcome } from '../gallery/publish.js';

const noMentions = { parse: [] as [] };

const buttonLabel: Record<JobAction, Extract<MessageKey, `job.button.${string}`>> = {
  retry: 'job.button.retry',
  detailed: 'job.button.detailed',
  delete: 'job.button.delete',
  share: 'job.button.share',
};

/** A refusal shown only to the presser; thrown before the interaction is acknowledged. */
const refuse = (text: string) => new UserFacingError(text, true);

/**
 * The buttons on a result (`job:<action>:<jobId>`). Every press is judged on what is true now:
 * who presses, the job's current row, the quota and blocks, never on what the message shows.
 * Checks run before the acknowledgement, so a refusal is always a private reply.
 */
export async function handleJobButton(i: ButtonInteraction, s: Services): Promise<void> {
  const parsed = parseJobButton(i.customId);
  if (!parsed) throw refuse(t(i.locale, 'error.unknownCommand'));
  const L = i.locale;
  const job = await s.stores.jobs.get(parsed.jobId);
  // Buttons act only on the job's own result message: a copy left behind when the result moved
  // (or a custom id pointing at another channel's job) is stale.
  const onItsMessage = job && job.channelId === i.channelId && (job.messageId === null || job.messageId === i.message.id);
  if (!job || !onItsMessage || job.deletedAt !== null || await s.stores.quota.refundOf(job.id)) {
    throw refuse(t(L, 'job.action.stale'));
  }
  const button = t(L, buttonLabel[parsed.action]);
  switch (parsed.action) {
    case 'retry':
    case 'detailed':
      return startFromResult(i, s, job, parsed.action, button);
    case 'delete':
      return deleteResult(i, s, job);
    case 'share':
      return shareResult(i, s, job, button);
  }
}

async function startFromResult(i: ButtonInteraction, s: Services, parent: Job, origin: JobOrigin, button: string): Promise<void> {
  const L = i.locale;
  if (i.user.id !== parent.userId) throw refuse(t(L, 'job.action.notYours', { button }));
  const applies =
    origin === 'retry'
      ? isIn(RETRYABLE_STATES, parent.state)
      : parent.state === 'succeeded' && parent.quality === 'standard';
  if (!applies) throw refuse(t(L, 'job.action.wrongState', { id: parent.id, button }));
  const running = await s.stores.jobs.childInFlight(parent.id, origin);
  if (running) throw refuse(t(L, 'job.action.alreadyRunning', { id: running.id, link: jumpLink(running) }));
  if (origin === 'detailed') {
    const done = await s.stores.jobs.latestChild(parent.id, 'detailed');
    if (done?.state === 'succeeded') throw refuse(t(L, 'job.action.detailedExists', { id: done.id, link: jumpLink(done) }));
  }

  // Checking the picture again and submitting can take longer than Discord's 3 seconds.
  await i.deferReply({ flags: MessageFlags.Ephemeral });
  const say = (content: string) => i.editReply({ content, allowedMentions: noMentions }).then(() => undefined);
  const outcome = await startJob(
    s,
    {
      interaction: {
        id: i.id,
        token: i.token,
        applicationId: i.applicationId,
        locale: L,
        attachmentSizeLimit: i.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT,
      },
      guildId: i.guildId,
      channelId: i.channelId,
      userId: i.user.id,
      roleIds: roleIdsOf(i),
      quality: origin === 'detailed' ? 'detailed' : parent.quality,
      picture: { kind: 'url', url: parent.imageUrl, source: parent.imageSource, name: parent.imageName },
      views: sideViewsOf(parent),
      sourceMessageId: parent.sourceMessageId,
      messageId: null,
      title: parent.title,
      requesterName: displayNameOf(i),
      parent: { jobId: parent.id, origin },
      // Discord's links to uploads expire; a picture that cannot be fetched any more is a stale button.
      explainRejection: (r, view) =>
        ['http_error', 'unreachable', 'timeout'].includes(r.code)
          ? t(L, 'job.action.pictureGone', { reason: rejectionText(L, r, view) })
          : rejectionText(L, r, view),
    },
    {
      // The new job gets its own message, a reply to the result, so the result stays as it was.
      onStored: async (job) => {
        const payload = renderJob(job, { now: s.clock() });
        // Its files are small (the picture's copy): read into memory, where results stream theirs (deliver.ts).
        const files = await Promise.all(payload.files.map(async (f) => ({ name: f.name, data: await readFile(f.path) })));
        const msg = (await s.client.rest.post(Routes.channelMessages(job.channelId), {
          body: {
            content: payload.content,
            embeds: payload.embeds,
            components: payload.components,
            attachments: files.map((f, id) => ({ id, filename: f.name })),
            allowed_mentions: { parse: [] },
            message_reference: { message_id: i.message.id, fail_if_not_exists: false },
          },
          files,
        })) as { id: string };
        await s.stores.jobs.setMessageId(job.id, msg.id);
      },
    },
  );
  if (!outcome.ok) {
    if ('denial' in outcome) return say(denialText(L, outcome.denial));
    return say(t(L, 'job.action.alreadyRunning', { id: outcome.running.id, link: jumpLink(outcome.running) }));
  }
  return say(t(L, 'job.action.started', { id: outcome.job.id, link: jumpLink(outcome.job) }));
}

/** The requester, or a member with Manage Messages in this channel (as Discord computed it for this press). */
function mayDelete(i: ButtonInteraction, job: Job): boolean {
  if (i.user.id === job.userId) return true;
  return i.guildId !== null && i.memberPermissions?.has(PermissionFlagsBits.ManageMessages) === true;
}

async function deleteResult(i: ButtonInteraction, s: Services, job: Job): Promise<void> {
  const L = i.locale;
  if (!mayDelete(i, job)) throw refuse(t(L, 'job.action.deleteRefused'));
  const deleted = await s.stores.jobs.markDeleted(job.id, i.user.id, s.clock());
  if (!deleted) {
    if ((await s.stores.jobs.get(job.id))?.deletedAt) throw refuse(t(L, 'job.action.stale'));
    throw refuse(t(L, 'job.action.notFinished', { id: job.id }));
  }
  // One line stays where the result was; the embed, the files and the buttons go.
  await i.update({
    content: t(job.locale, 'job.removedBy', { user: `<@${i.user.id}>` }),
    embeds: [],
    components: [],
    attachments: [],
    allowedMentions: noMentions,
  });
  await s.gallery.remove(job.id).catch((err: unknown) => s.log.warn({ jobId: job.id, err }, 'gallery post not removed'));
  await removeJobFiles(s.stores.jobs, deleted, s.config.filesDir, s.clock()).catch((err: unknown) =>
    s.log.error({ jobId: job.id, err }, 'stored files of a deleted result not removed; retention tries again'),
  );
  // Logged once all of it is done: the message, the gallery post and the files.
  s.log.info({ jobId: job.id, by: i.user.id, requester: job.userId }, 'result deleted');
}

/** The text the presser sees for a share attempt. */
function shareText(locale: string, o: ShareOutcome): string {
  switch (o.kind) {
    case 'posted':
      return t(locale, 'gallery.shared', { link: o.link });
    case 'already':
      if (o.post.state === 'posting') return t(locale, 'gallery.sharing');
      if (o.post.state === 'removed') return t(locale, 'gallery.removedShare');
      return t(locale, 'gallery.alreadyShared', { link: o.link });
    case 'off':
      return t(locale, 'gallery.off');
    case 'noModel':
      return t(locale, 'gallery.noModel');
    case 'missingPermission':
      return t(locale, 'gallery.missingPermission', {
        channelId: o.channelId,
        permission: t(locale, 'gallery.permissionName', { name: o.permission }),
      });
    case 'failed':
      return t(locale, 'gallery.failed');
  }
}

/** Removes one button from a message's rows, keeping the rest as they are. */
function withoutButton(rows: readonly unknown[], customId: string): APIActionRowComponent<APIButtonComponent>[] {
  return (rows as APIActionRowComponent<APIButtonComponent>[])
    .map((row) => ({ ...row, components: row.components.filter((c) => !('custom_id' in c) || c.custom_id !== customId) }))
    .filter((row) => row.components.length > 0);
}

async function shareResult(i: ButtonInteraction, s: Services, job: Job, button: string): Promise<void> {
  const L = i.locale;
  if (i.user.id !== job.userId) throw refuse(t(L, 'job.action.notYours', { button }));
  if (job.state !== 'succeeded') throw refuse(t(L, 'job.action.wrongState', { id: job.id, button }));
  if (!job.guildId || !await s.stores.gallery.settings(job.guildId)) throw refuse(t(L, 'gallery.off'));
  // Uploading the GLB to the gallery can take longer than 3 seconds.
  await i.deferReply({ flags: MessageFlags.Ephemeral });
  const outcome = await s.gallery.share(job);
  await i.editReply({ content: shareText(L, outcome), allowedMentions: noMentions });
  if (outcome.kind === 'posted' || outcome.kind === 'already') {
    // The result keeps its other buttons; "Share to gallery" has done its work.
    const rows = withoutButton(i.message.components.map((c) => c.toJSON()), jobButtonId('share', job.id));
    await s.client.rest
      .patch(Routes.channelMessage(i.channelId, i.message.id), { body: { components: rows } })
      .catch((err: unknown) => s.log.info({ jobId: job.id, err }, 'share button left on the result'));
  }
}
