import type { Job } from '../domain/job.js';

/**
 * The one link to a job's message, for everyone who points at it (history, result buttons, the
 * audit channel, the gallery, moderators' usage): null while it has none or once it is gone. A
 * result re-posted as a DM lives in the DM channel (`@me`), even for a server job.
 */
export function jumpLink(job: Pick<Job, 'guildId' | 'channelId' | 'messageId' | 'replyGone' | 'deliveryRoute'>): string | null {
  if (!job.messageId || job.replyGone) return null;
  const where = job.guildId === null || job.deliveryRoute === 'dm' ? '@me' : job.guildId;
  return `https://discord.com/channels/${where}/${job.channelId}/${job.messageId}`;
}
