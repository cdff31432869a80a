import type { MessageContextMenuCommandInteraction } from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import { t } from '../i18n/index.js';
import { deferJobReply, startCommandJob } from './command-job.js';
import { pictureOnMessage } from './message-picture.js';
import type { Services } from './services.js';

/**
 * Apps → Make 3D model on a message: the message's first JPEG or PNG goes the same way as
 * /model3d's `image` (standard quality); the result links back to the message. A message with
 * no usable picture gets a private answer that says what it has instead.
 */
export async function executeFromMessage(interaction: MessageContextMenuCommandInteraction, s: Services): Promise<void> {
  const messageId = await deferJobReply(interaction);
  const target = interaction.targetMessage;
  const pick = pictureOnMessage(target);
  if (!pick.ok) {
    const locale = interaction.locale;
    const text = pick.found.length === 0 ? t(locale, 'fromMessage.nothing') : t(locale, 'fromMessage.noJpegPng', { kinds: pick.found });
    throw new UserFacingError(text, true);
  }
  await startCommandJob(interaction, s, messageId, {
    quality: 'standard',
    picture: pick.picture,
    title: null,
    sourceMessageId: target.id,
  });
}
