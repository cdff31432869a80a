import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { roleIdsOf } from '../src/discord/members.js';
import { quotaStatusText } from '../src/handlers/quota-text.js';

export const definition = {
  name: 'quota',
  type: ApplicationCommandType.ChatInput,
  description: 'See how many 3D model credits you have left today and when they reset (only you see it)',
  description_localizations: { 'zh-CN': '查看你今天剩余的 3D 模型额度以及何时重置(仅你可见)' },
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export async function execute(interaction: ChatInputCommandInteraction, services: Services): Promise<void> {
  const status = await services.quota.status({
    userId: interaction.user.id,
    guildId: interaction.guildId,
    roleIds: roleIdsOf(interaction),
  });
  await interaction.reply({
    content: quotaStatusText(interaction.locale, status, interaction.guildId !== null),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
