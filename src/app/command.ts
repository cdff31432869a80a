import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../handlers/services.js';

/**
 * The shape of every file in commands/: its JSON definition and its handler.
 * A command may also own buttons whose custom_id starts with `${componentPrefix}:` (one prefix or several).
 */
export interface CommandModule {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, services: Services): Promise<void>;
  componentPrefix?: string | readonly string[];
  handleComponent?(interaction: ButtonInteraction, services: Services): Promise<void>;
}
