import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { UserFacingError } from '../src/errors.js';
import { ImageRejectedError, validateAttachment, validateImageUrl } from '../src/images/index.js';
import { UpstreamError } from '../src/upstream/index.js';
import type { Services } from '../src/services.js';
import type { Quality } from '../src/store/jobs.js';
import { t } from '../src/discord/messages.js';
import { rejectionText, upstreamReason } from '../src/discord/rejections.js';
import { DEFAULT_ATTACHMENT_LIMIT } from '../src/discord/render.js';
import { denialText, type QuotaRequest } from '../src/quota/service.js';

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


async function refuseQuota(interaction: ChatInputCommandInteraction, text: string): Promise<void> {
  await interaction.deleteReply().catch(() => undefined);
  await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

export async function execute(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  // Acknowledge before anything that touches the network or the disk: Discord allows 3 seconds.
  const ack = await interaction.deferReply({ withResponse: true });
  const locale = interaction.locale;
  const messageId = ack.resource?.message?.id ?? null;

  const image = interaction.options.getAttachment('image');
  const url = interaction.options.getString('url')?.trim() || null;
  const quality: Quality = interaction.options.getString('quality') === 'detailed' ? 'detailed' : 'standard';
  if ((image === null) === (url === null)) throw new UserFacingError(t(locale, 'input.needOne'));

  const roleIds = interaction.inCachedGuild()
    ? [...interaction.member.roles.cache.keys()]
    : ((interaction.member?.roles as string[] | undefined) ?? []);
  const req: QuotaRequest = { userId: interaction.user.id, guildId: interaction.guildId, roleIds, quality };
  const early = await s.quota.check(req);
  if (early) return refuseQuota(interaction, denialText(locale, early));

  let imageUrl: string;
  try {
    const opts = { allowPrivate: s.config.imageUrlAllowPrivate };
    if (image) {
      await validateAttachment(
        { url: image.url, contentType: image.contentType, size: image.size, width: image.width, height: image.height },
        opts,
      );
      imageUrl = image.url;
    } else {
      imageUrl = (await validateImageUrl(url!, opts)).finalUrl;
    }
  } catch (err) {
    if (err instanceof ImageRejectedError) throw new UserFacingError(rejectionText(locale, err.rejection));
    throw err;
  }

  const now = s.clock();
  const reserved = await s.quota.reserve(req, (cost) =>
    s.jobs.insert({
      interactionId: interaction.id,
      interactionToken: interaction.token,
      applicationId: interaction.applicationId,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
      locale,
      messageId,
      imageUrl,
      imageSource: image ? 'attachment' : 'url',
      imageName: image?.name ?? null,
      quality,
      cost,
      attachmentSizeLimit: interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT,
      createdAt: now,
      deadlineAt: now + s.config.jobTimeoutMs,
    }),
  );
  if (!reserved.ok) return refuseQuota(interaction, denialText(locale, reserved.denial));
  const job = reserved.job;
  const ctx = { jobId: job.id, interactionId: interaction.id, userId: job.userId, guildId: job.guildId, quality };
  s.events.emit('changed', job);
  if (!messageId) {
    // Without the reply's id the bot could not edit it after the token expires; fetch it while it can.
    const reply = await interaction.fetchReply().catch(() => null);
    if (reply) await s.jobs.setMessageId(job.id, reply.id);
  }

  try {
    const submitted = await s.upstream.submit(imageUrl, quality);
    const at = s.clock();
    const updated = await s.jobs.markSubmitted(job.id, submitted.taskId, submitted.totalTokens, at, at + s.config.pollIntervalMs);
    s.log.info({ ...ctx, taskId: submitted.taskId, tokens: submitted.totalTokens }, 'submitted');
    if (updated) s.events.emit('changed', updated);
  } catch (err) {
    const at = s.clock();
    if (err instanceof UpstreamError && !err.mayHaveReachedServer) {
      s.log.warn({ ...ctx, err }, 'submit refused upstream; nothing was charged');
      const done = await s.jobs.finish(job.id, {
        state: 'not_submitted',
        at,
        errorCode: err.kind,
        errorMessage: upstreamReason(locale, err),
      });
      if (done) s.events.emit('changed', done);
    } else {
      // The request may have reached the provider; resubmitting could charge twice.
      s.log.error({ ...ctx, err }, 'submit outcome unknown');
      const done = await s.jobs.finish(job.id, { state: 'outcome_unknown', at, errorCode: 'OUTCOME_UNKNOWN' });
      if (done) s.events.emit('changed', done);
    }
  }
  s.wakePoller();
}
