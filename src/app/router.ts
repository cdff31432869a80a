import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import type { Services } from '../handlers/services.js';
import type { CommandRegistry } from './registry.js';
import { t } from '../i18n/index.js';

/** Answers with `text` whatever state the interaction is in; never throws. */
async function respond(interaction: RepliableInteraction, text: string, ephemeral: boolean): Promise<void> {
  const mentions = { parse: [] as [] };
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: mentions });
  } else if (ephemeral && !interaction.ephemeral) {
    // A public deferred reply cannot turn private: remove it and answer privately.
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: mentions });
  } else {
    await interaction.editReply({ content: text, embeds: [], components: [], allowedMentions: mentions });
  }
}

/** The single interactionCreate handler: route, run, and turn every error into a short answer. */
export function createInteractionHandler(registry: CommandRegistry, services: Services) {
  return async (interaction: Interaction): Promise<void> => {
    if (!interaction.isChatInputCommand() && !interaction.isMessageContextMenuCommand() && !interaction.isButton()) return;
    const ctx = {
      interactionId: interaction.id,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      command: interaction.isButton() ? interaction.customId : interaction.commandName,
    };
    try {
      if (interaction.isChatInputCommand()) {
        const command = registry.commands.get(interaction.commandName);
        if (!command) throw new UserFacingError(t(interaction.locale, 'error.unknownCommand'), true);
        await command.execute(interaction, services);
      } else if (interaction.isMessageContextMenuCommand()) {
        const command = registry.messageCommands.get(interaction.commandName);
        if (!command) throw new UserFacingError(t(interaction.locale, 'error.unknownCommand'), true);
        await command.execute(interaction, services);
      } else {
        const prefix = interaction.customId.split(':')[0] ?? '';
        const owner = registry.byComponentPrefix.get(prefix);
        if (!owner?.handleComponent) throw new UserFacingError(t(interaction.locale, 'error.unknownCommand'), true);
        await owner.handleComponent(interaction, services);
      }
    } catch (err) {
      const userFacing = err instanceof UserFacingError;
      if (userFacing) services.log.info({ ...ctx, reason: err.message }, 'request refused');
      else services.log.error({ ...ctx, err }, 'interaction failed');
      const text = userFacing ? err.message : t(interaction.locale, 'error.internal');
      await respond(interaction, text, userFacing ? err.ephemeral : true).catch((e: unknown) =>
        services.log.warn({ ...ctx, err: e }, 'could not tell the member about the error'),
      );
    }
  };
}
