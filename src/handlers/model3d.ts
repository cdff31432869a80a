import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import { DEFAULT_ATTACHMENT_LIMIT } from '../discord/render.js';
import { displayNameOf, roleIdsOf } from '../discord/members.js';
import { t } from '../i18n/index.js';
import { QUALITIES, parseQuality } from '../domain/quality.js';
import { cleanTitle } from '../domain/names.js';
import { startJob } from '../jobs/start.js';
import { denialText } from './quota.js';
import type { Services } from './services.js';

async function refuseQuota(interaction: ChatInputCommandInteraction, text: string): Promise<void> {
  await interaction.deleteReply().catch(() => undefined);
  await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

/** `/model3d`: checks the options, then the one start path (quota, picture, row, submit). */
export async function executeModel3d(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  // Acknowledge before anything that touches the network or the disk: Discord allows 3 seconds.
  const ack = await interaction.deferReply({ withResponse: true });
  const locale = interaction.locale;
  // A deferred reply's callback response has no `resource`; the reply's id is response_message_id.
  const messageId = ack.interaction.responseMessageId ?? ack.resource?.message?.id ?? null;

  const image = interaction.options.getAttachment('image');
  const url = interaction.options.getString('url')?.trim() || null;
  // No value means the default; anything else must be a known quality (a stale or forged payload may carry any string).
  const raw = interaction.options.getString('quality');
  const quality = raw === null ? 'standard' : parseQuality(raw);
  if (quality === null) {
    const given = interaction.options.getString('quality') ?? '';
    throw new UserFacingError(t(locale, 'input.badQuality', { given: given.replace(/`/g, '').slice(0, 100), allowed: QUALITIES }));
  }
  if ((image === null) === (url === null)) throw new UserFacingError(t(locale, 'input.needOne'));

  const outcome = await startJob(
    s,
    {
      interaction: {
        id: interaction.id,
        token: interaction.token,
        applicationId: interaction.applicationId,
        locale,
        attachmentSizeLimit: interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT,
      },
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
      roleIds: roleIdsOf(interaction),
      quality,
      picture: image
        ? {
            kind: 'attachment',
            attachment: {
              url: image.url,
              name: image.name,
              contentType: image.contentType,
              size: image.size,
              width: image.width,
              height: image.height,
            },
          }
        : { kind: 'url', url: url!, source: 'url', name: null },
      messageId,
      title: cleanTitle(interaction.options.getString('title')),
      requesterName: displayNameOf(interaction),
    },
    {
      onStored: async (job) => {
        if (job.messageId) return;
        // Without the reply's id the bot could not edit it after the token expires; fetch it while it can.
        const reply = await interaction.fetchReply().catch(() => null);
        if (reply) await s.stores.jobs.setMessageId(job.id, reply.id);
      },
    },
  );
  // A command has no parent job, so its only refusal is the quota's.
  if (!outcome.ok && 'denial' in outcome) return refuseQuota(interaction, denialText(locale, outcome.denial));
}
