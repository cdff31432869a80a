import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { DEFAULT_COUNT, MAX_COUNT, executeHistory, handleHistoryButton } from '../src/handlers/history.js';

export const definition = {
  name: 'model3d-history',
  type: ApplicationCommandType.ChatInput,
  description: 'List your recent 3D models, or get one model’s files again (only you see it)',
  description_localizations: { 'zh-CN': '查看你最近的 3D 模型,或重新获取某个模型的文件(仅你可见)' },
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'count',
      description: `How many of your most recent jobs to list (1–${MAX_COUNT}, default ${DEFAULT_COUNT})`,
      required: false,
      min_value: 1,
      max_value: MAX_COUNT,
    },
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'job',
      description: 'A job number from the list: sends you that model’s GLB and preview again',
      required: false,
      min_value: 1,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export async function execute(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  await executeHistory(interaction, s);
}

/**
 * Buttons on a result message, for whoever sees it: `files:<jobId>` sends its files privately,
 * `export:stl:<jobId>` and `export:obj:<jobId>` an STL or OBJ made from the original model.
 */
export const componentPrefix = ['files', 'export'] as const;

export async function handleComponent(interaction: ButtonInteraction, s: Services): Promise<void> {
  await handleHistoryButton(interaction, s);
}
