import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type MessageContextMenuCommandInteraction,
  type RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { executeFromMessage } from '../src/handlers/from-message.js';

/** Apps → Make 3D model, on any message with a JPEG or PNG (a message command has no description). */
export const definition = {
  name: 'Make 3D model',
  name_localizations: { 'zh-CN': '生成 3D 模型' },
  type: ApplicationCommandType.Message,
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const satisfies RESTPostAPIContextMenuApplicationCommandsJSONBody;

export async function execute(interaction: MessageContextMenuCommandInteraction, s: Services): Promise<void> {
  await executeFromMessage(interaction, s);
}
