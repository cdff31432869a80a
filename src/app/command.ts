import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../handlers/services.js';

interface Buttons {
  /** Buttons whose custom_id starts with `${componentPrefix}:` (one prefix or several). */
  componentPrefix?: string | readonly string[];
  handleComponent?(interaction: ButtonInteraction, services: Services): Promise<void>;
}

/** A slash command (type 1, or no type). */
export interface SlashCommandModule extends Buttons {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, services: Services): Promise<void>;
}

/** A command in a message's Apps menu (type 3). */
export interface MessageCommandModule extends Buttons {
  definition: RESTPostAPIContextMenuApplicationCommandsJSONBody & { type: 3 };
  execute(interaction: MessageContextMenuCommandInteraction, services: Services): Promise<void>;
}

/** The shape of every file in commands/: its JSON definition and its handler. */
export type CommandModule = SlashCommandModule | MessageCommandModule;
