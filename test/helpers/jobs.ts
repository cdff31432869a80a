import type { Job } from '../../src/domain/job.js';
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

/** A complete job row as rendering sees it (a queued detailed job); override the state under test. */
export function jobRow(overrides: Partial<Job> = {}): Job {
  return { ...baseRow, ...overrides };
}

const baseRow: Job = {
  id: 7,
  interactionId: '1',
  interactionToken: 'secret-token',
  applicationId: '2',
  guildId: '3',
  channelId: '4',
  userId: '555',
  locale: 'en-US',
  messageId: '6',
  imageUrl: 'https://img.example/cat.png',
  imageSource: 'url',
  imageName: null,
  quality: 'detailed',
  cost: 2,
  attachmentSizeLimit: 10 * 1024 * 1024,
  state: 'queued',
  taskId: 'task-1',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  submittedAt: 1_700_000_001_000,
  startedAt: null,
  finishedAt: null,
  deadlineAt: 1_700_000_000_000 + 30 * 60_000,
  pollCount: 0,
  pollFailures: 0,
  nextCheckAt: null,
  modelUrl: null,
  previewUrl: null,
  resultExpiresAt: null,
  modelFile: null,
  modelBytes: null,
  previewFile: null,
  pictureFile: null,
  filesRefused: null,
  errorCode: null,
  errorMessage: null,
  totalTokens: 35000,
  renderVersion: 1,
  deliveredVersion: 0,
  lastEditAt: null,
  nextDeliveryAt: null,
  deliveryAttempts: 0,
  deliveryRoute: null,
  deliveryError: null,
  replyGone: false,
  title: null,
  requesterName: null,
  parentJobId: null,
  origin: null,
  deletedAt: null,
  deletedBy: null,
  originalFile: null,
  originalBytes: null,
  processingState: null,
  processingAttempts: 0,
  modelInfo: null,
  views: null,
  sourceMessageId: null,
  viewToken: null,
};
