import type { NewJob } from '../../src/store/jobs.js';

let seq = 0;

/** A valid new job row; override what the test is about. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  seq += 1;
  const createdAt = overrides.createdAt ?? Date.now();
  return {
    interactionId: `9${String(1_000_000_000_000_000 + seq)}`,
    interactionToken: `token-${seq}-${'x'.repeat(40)}`,
    applicationId: '100000000000000001',
    guildId: '200000000000000001',
    channelId: '300000000000000001',
    userId: '400000000000000001',
    locale: 'en-US',
    messageId: `5${String(1_000_000_000_000_000 + seq)}`,
    imageUrl: 'https://cdn.example.com/cat.png',
    imageSource: 'url',
    imageName: null,
    quality: 'standard',
    cost: 1,
    attachmentSizeLimit: 10 * 1024 * 1024,
    createdAt,
    deadlineAt: createdAt + 30 * 60_000,
    ...overrides,
  };
}
