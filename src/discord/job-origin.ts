import type { APIEmbedField } from 'discord.js';
import type { Job } from '../domain/job.js';
import { t } from '../i18n/index.js';
import { sourceLink } from './links.js';

/**
 * Where a job's picture came from, as embed fields: the views of a multi-view job (how many, and
 * which), and the message it was made from with the Apps menu. None for a plain /model3d.
 */
export function originFields(job: Pick<Job, 'locale' | 'views' | 'guildId' | 'channelId' | 'sourceMessageId'>): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  const L = job.locale;
  if (job.views) {
    const names = job.views.map((v) => t(L, 'view.name', { view: v.view })).join(', ');
    fields.push({ name: t(L, 'job.field.views'), value: t(L, 'job.viewList', { count: job.views.length, names }), inline: true });
  }
  const link = sourceLink(job);
  if (link) fields.push({ name: t(L, 'job.field.fromMessage'), value: t(L, 'job.fromMessage', { link }), inline: true });
  return fields;
}
