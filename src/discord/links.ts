import type { Job } from '../domain/job.js';

/**
 * The model's viewer page (`${publicUrl}/m/<token>`, src/web), for the result, the gallery post and
 * `/model3d-history job:`: null without PUBLIC_URL, before the model is processed, or once it is gone.
 */
export function viewerLink(job: Pick<Job, 'viewToken' | 'deletedAt' | 'originalFile'>, publicUrl: string | null | undefined): string | null {
  if (!publicUrl || !job.viewToken || job.deletedAt !== null || !job.originalFile) return null;
  return `${publicUrl}/m/${job.viewToken}`;
}

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
