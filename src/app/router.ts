import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import type { Services } from '../handlers/services.js';
import type { CommandRegistry } from './registry.js';
import { t } from '../i18n/index.js';
import * as metrics from '../metrics/index.js';

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

const FIRST_RESPONSES = ['reply', 'deferReply', 'update', 'deferUpdate', 'showModal'] as const;

/**
 * Observes how long this interaction waits for its first response (Discord gives 3 s): whichever
 * of reply, deferral, update or modal the handler sends first, timed until Discord accepts it.
 * `settled` runs once that first response succeeded or failed.
 */
function watchFirstResponse(interaction: RepliableInteraction, kind: string, settled: () => void): void {
  const received = performance.now();
  let timed = false;
  const methods = interaction as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of FIRST_RESPONSES) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = async (...args: unknown[]) => {
      try {
        const result = await original.apply(interaction, args);
        if (!timed) {
          timed = true;
          metrics.ackSeconds.observe({ kind }, (performance.now() - received) / 1000);
        }
        return result;
      } finally {
        settled();
      }
    };
  }
}

/**
 * The single interactionCreate handler: route, run, and turn every error into a short answer.
 * Each interaction counts as waiting for its acknowledgement (`services.starts`) until its first
 * response settles or its handler ends, so that jobs' work waits for the acknowledgements of a burst.
 */
export function createInteractionHandler(registry: CommandRegistry, services: Services) {
  return async (interaction: Interaction): Promise<void> => {
    if (!interaction.isChatInputCommand() && !interaction.isMessageContextMenuCommand() && !interaction.isButton()) return;
    const acknowledged = services.starts.arrived(interaction.id);
    const isCommand = interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand();
    const ctx = {
      interactionId: interaction.id,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      command: isCommand ? interaction.commandName : interaction.customId,
    };
    const kind = interaction.isChatInputCommand() ? 'command' : interaction.isMessageContextMenuCommand() ? 'message_command' : 'button';
    // A label is a registered name or prefix, never the rest of a custom id (it holds job ids).
    const name = isCommand ? interaction.commandName : (interaction.customId.split(':')[0] ?? '');
    const known = interaction.isChatInputCommand()
      ? registry.commands.has(name)
      : interaction.isMessageContextMenuCommand()
        ? registry.messageCommands.has(name)
        : registry.byComponentPrefix.has(name);
    metrics.interactions.inc({ command: known ? name : 'unknown', kind });
    watchFirstResponse(interaction, kind, acknowledged);
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
    } finally {
      acknowledged();
    }
  };
}
