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
  return messageLink(job.deliveryRoute === 'dm' ? null : job.guildId, job.channelId, job.messageId);
}

/** The message a job was made from (Apps → Make 3D model), in the job's own channel; null for the others. */
export function sourceLink(job: Pick<Job, 'guildId' | 'channelId' | 'sourceMessageId'>): string | null {
  return job.sourceMessageId ? messageLink(job.guildId, job.channelId, job.sourceMessageId) : null;
}

/** A message's address: a server's channel, or `@me` for a DM. */
function messageLink(guildId: string | null, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? '@me'}/${channelId}/${messageId}`;
}
