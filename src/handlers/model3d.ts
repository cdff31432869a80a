import type { ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import { t } from '../i18n/index.js';
import { QUALITIES, parseQuality } from '../domain/quality.js';
import { SIDE_VIEWS, type SideView } from '../domain/views.js';
import { cleanTitle } from '../domain/names.js';
import type { Picture } from '../jobs/start.js';
import { attachmentPicture, deferJobReply, startCommandJob } from './command-job.js';
import type { Services } from './services.js';

/** `/model3d`: checks the options, then the one start path (quota, pictures, row, submit). */
export async function executeModel3d(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  const messageId = await deferJobReply(interaction);
  const locale = interaction.locale;

  const image = interaction.options.getAttachment('image');
  const url = interaction.options.getString('url')?.trim() || null;
  // No value means the default; anything else must be a known quality (a stale or forged payload may carry any string).
  const raw = interaction.options.getString('quality');
  const quality = raw === null ? 'standard' : parseQuality(raw);
  if (quality === null) {
    const given = interaction.options.getString('quality') ?? '';
    throw new UserFacingError(t(locale, 'input.badQuality', { given: given.replace(/`/g, '').slice(0, 100), allowed: QUALITIES }));
  }
  const views: Partial<Record<SideView, Picture>> = {};
  for (const view of SIDE_VIEWS) {
    const a = interaction.options.getAttachment(view);
    if (a) views[view] = attachmentPicture(a);
  }
  // The other views describe the front's object: without a front there is nothing to describe.
  if (image === null && url === null && Object.keys(views).length > 0) throw new UserFacingError(t(locale, 'input.needFront'));
  if ((image === null) === (url === null)) throw new UserFacingError(t(locale, 'input.needOne'));

  await startCommandJob(interaction, s, messageId, {
    quality,
    picture: image ? attachmentPicture(image) : { kind: 'url', url: url!, source: 'url', name: null },
    views,
    title: cleanTitle(interaction.options.getString('title')),
  });
}
