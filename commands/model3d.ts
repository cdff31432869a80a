import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { UserFacingError } from '../src/discord/user-facing-error.js';
import type { Services } from '../src/handlers/services.js';
import type { Quality } from '../src/domain/quality.js';
import { t } from '../src/i18n/index.js';
import { DEFAULT_ATTACHMENT_LIMIT, JOB_PREFIX } from '../src/discord/render.js';
import { denialText } from '../src/quota/service.js';
import { roleIdsOf } from '../src/discord/members.js';
import { startJob } from '../src/jobs/start.js';
import { TITLE_MAX, cleanTitle } from '../src/domain/names.js';
import { displayNameOf } from '../src/discord/members.js';
import { handleJobButton } from '../src/handlers/job-buttons.js';

export const definition = {
  name: 'model3d',
  type: ApplicationCommandType.ChatInput,
  description: 'Turn a picture into a textured 3D model you can download (GLB)',
  description_localizations: { 'zh-CN': '把一张图片变成可下载的带贴图 3D 模型 (GLB)' },
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.Attachment,
      name: 'image',
      description: 'Upload a JPEG or PNG picture of one object (20–6000 px per side, up to 20 MB)',
      required: false,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'url',
      description: 'Or paste a public http(s) link to a JPEG or PNG picture instead of uploading',
      required: false,
      max_length: 2000,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'title',
      description: 'Optional name for the model: the title of the result and its file names (e.g. teapot.glb)',
      description_localizations: { 'zh-CN': '可选的模型名称：用作结果标题和文件名(例如 teapot.glb)' },
      required: false,
      max_length: TITLE_MAX,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'quality',
      description: 'Texture detail: standard (default) or detailed (costs more quota)',
      required: false,
      choices: [
        { name: 'standard', value: 'standard' },
        { name: 'detailed', value: 'detailed' },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const QUALITIES = ['standard', 'detailed'] as const satisfies readonly Quality[];

/** No value means the default; anything else must be a known quality (a stale or forged payload may carry any string). */
function parseQuality(raw: string | null): Quality | null {
  if (raw === null) return 'standard';
  return (QUALITIES as readonly string[]).includes(raw) ? (raw as Quality) : null;
}

async function refuseQuota(interaction: ChatInputCommandInteraction, text: string): Promise<void> {
  await interaction.deleteReply().catch(() => undefined);
  await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

export async function execute(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  // Acknowledge before anything that touches the network or the disk: Discord allows 3 seconds.
  const ack = await interaction.deferReply({ withResponse: true });
  const locale = interaction.locale;
  // A deferred reply's callback response has no `resource`; the reply's id is response_message_id.
  const messageId = ack.interaction.responseMessageId ?? ack.resource?.message?.id ?? null;

  const image = interaction.options.getAttachment('image');
  const url = interaction.options.getString('url')?.trim() || null;
  const quality = parseQuality(interaction.options.getString('quality'));
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

/** Buttons on results: `job:retry|detailed|delete|share:<jobId>` (see src/discord/job-buttons.ts). */
export const componentPrefix = JOB_PREFIX;

export async function handleComponent(interaction: ButtonInteraction, s: Services): Promise<void> {
  await handleJobButton(interaction, s);
}
