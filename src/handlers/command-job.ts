import { MessageFlags, type Attachment, type ChatInputCommandInteraction, type MessageContextMenuCommandInteraction } from 'discord.js';
import { DEFAULT_ATTACHMENT_LIMIT } from '../discord/render.js';
import { displayNameOf, roleIdsOf } from '../discord/members.js';
import { startJob, type JobRequest, type Picture } from '../jobs/start.js';
import { denialText } from './quota.js';
import type { Services } from './services.js';

/** A command that starts a job: /model3d, or Apps → Make 3D model on a message. */
type JobCommand = ChatInputCommandInteraction | MessageContextMenuCommandInteraction;

/**
 * Acknowledges publicly before anything that touches the network or the disk (Discord allows
 * 3 seconds) and returns the reply's id when Discord gave it.
 */
export async function deferJobReply(interaction: JobCommand): Promise<string | null> {
  const ack = await interaction.deferReply({ withResponse: true });
  // A deferred reply's callback response has no `resource`; the reply's id is response_message_id.
  return ack.interaction.responseMessageId ?? ack.resource?.message?.id ?? null;
}

/** An uploaded option as the start path checks it (Discord's metadata, then the bytes). */
export function attachmentPicture(a: Pick<Attachment, 'url' | 'name' | 'contentType' | 'size' | 'width' | 'height'>): Picture {
  return {
    kind: 'attachment',
    attachment: { url: a.url, name: a.name, contentType: a.contentType, size: a.size, width: a.width, height: a.height },
  };
}

/** What the command itself decides; the rest of the request comes from the interaction. */
export type CommandJob = Pick<JobRequest, 'quality' | 'picture' | 'views' | 'title' | 'sourceMessageId'>;

/** The one start path for a command, after its deferred reply: the job shows in that reply. */
export async function startCommandJob(interaction: JobCommand, s: Services, messageId: string | null, job: CommandJob): Promise<void> {
  const locale = interaction.locale;
  const outcome = await startJob(
    s,
    {
      ...job,
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
      messageId,
      requesterName: displayNameOf(interaction),
    },
    {
      onStored: async (stored) => {
        if (stored.messageId) return;
        // Without the reply's id the bot could not edit it after the token expires; fetch it while it can.
        const reply = await interaction.fetchReply().catch(() => null);
        if (reply) await s.stores.jobs.setMessageId(stored.id, reply.id);
      },
    },
  );
  // A command has no parent job, so its only refusal is the quota's: private, the public reply goes.
  if (!outcome.ok && 'denial' in outcome) {
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ content: denialText(locale, outcome.denial), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }
}
