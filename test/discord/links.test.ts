import { describe, expect, it } from 'vitest';
import { jumpLink } from '../../src/discord/links.js';
import { jobRow } from '../helpers/jobs.js';

describe('jumpLink: the one link to a job message', () => {
  const job = jobRow({ guildId: '111', channelId: '222', messageId: '333', deliveryRoute: 'webhook', replyGone: false });

  it('points into the server for a server job', () => {
    expect(jumpLink(job)).toBe('https://discord.com/channels/111/222/333');
  });

  it('points into direct messages for a DM job, and for a server job whose result was re-posted as a DM', () => {
    expect(jumpLink({ ...job, guildId: null })).toBe('https://discord.com/channels/@me/222/333');
    expect(jumpLink({ ...job, deliveryRoute: 'dm', channelId: '444', messageId: '555' })).toBe('https://discord.com/channels/@me/444/555');
  });

  it('is null before the job has a message and once its reply is gone', () => {
    expect(jumpLink({ ...job, messageId: null })).toBeNull();
    expect(jumpLink({ ...job, replyGone: true })).toBeNull();
  });
});
