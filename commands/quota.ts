import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { executeQuota } from '../src/handlers/quota.js';

export const definition = {
  name: 'quota',
  type: ApplicationCommandType.ChatInput,
  description: 'See how many 3D model credits you have left today and when they reset (only you see it)',
  description_localizations: { 'zh-CN': '查看你今天剩余的 3D 模型额度以及何时重置(仅你可见)' },
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export async function execute(interaction: ChatInputCommandInteraction, services: Services): Promise<void> {
  await executeQuota(interaction, services);
}
