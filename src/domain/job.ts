import type { ModelInfo } from './model-info.js';
import type { Quality } from './quality.js';
import type { ViewPicture } from './views.js';

/**
 * Every state a job can be in, in the order a job moves through them: the ONE list. The groups
 * below are cut from it, and the SQL that filters on states is written from these groups.
 */
export const JOB_STATES = [
  /** The row is written and the submit may be in flight. */
  'submitting',
  'queued',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'expired',
  'timed_out',
  'not_submitted',
  'outcome_unknown',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Submitted and not finished: the poller checks these. */
export const ACTIVE_STATES = ['queued', 'running'] as const satisfies readonly JobState[];
/** In flight, for the concurrency limit (and a result button's one job at a time). */
export const IN_FLIGHT_STATES = ['submitting', ...ACTIVE_STATES] as const;
/** Nothing more happens to these upstream. */
export const TERMINAL_STATES = JOB_STATES.filter(
  (s): s is Exclude<JobState, (typeof IN_FLIGHT_STATES)[number]> => !(IN_FLIGHT_STATES as readonly string[]).includes(s),
);
/** States whose cost the member pays: the job is (or may still be) going, or it succeeded. */
export const CHARGED_STATES = [...IN_FLIGHT_STATES, 'succeeded'] as const;
/** The server's spend: charged jobs plus those whose outcome is unknown (maybe billed upstream). */
export const SPEND_STATES = [...CHARGED_STATES, 'outcome_unknown'] as const;
/** Ended at the generator without a model. */
export const FAILED_STATES = ['failed', 'canceled', 'expired', 'timed_out'] as const satisfies readonly JobState[];
/** Ended without a model in a way a new attempt may fix: Retry is offered. */
export const RETRYABLE_STATES = [...FAILED_STATES, 'not_submitted', 'outcome_unknown'] as const;

export type ActiveState = (typeof ACTIVE_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** Whether `state` is one of `states` (the groups above). */
export function isIn(states: readonly JobState[], state: JobState): boolean {
  return states.includes(state);
}

/** Why the bot did not download a result's files: the address guard refused the provider's link. */
export type DownloadRefusal = 'private_address' | 'bad_scheme' | 'too_many_redirects';

export type DeliveryRoute = 'webhook' | 'channel_edit' | 'channel_message' | 'dm';
/** Post-processing of the provider's GLB; the result message waits while it is 'pending'. */
export type ProcessingState = 'pending' | 'done' | 'failed';

export interface Job {
  id: number;
  interactionId: string;
  /** '' once cleared (older than the token's 15-minute life). */
  interactionToken: string;
  applicationId: string;
  guildId: string | null;
  channelId: string;
  userId: string;
  locale: string;
  messageId: string | null;
  imageUrl: string;
  imageSource: 'attachment' | 'url';
  imageName: string | null;
  quality: Quality;
  cost: number;
  attachmentSizeLimit: number;
  state: JobState;
  taskId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number;
  pollCount: number;
  pollFailures: number;
  nextCheckAt: number | null;
  modelUrl: string | null;
  previewUrl: string | null;
  resultExpiresAt: number | null;
  modelFile: string | null;
  modelBytes: number | null;
  previewFile: string | null;
  /** The small copy of the member's picture the bot fetched and checked (PICTURE_NAME): the messages' thumbnail. */
  pictureFile: string | null;
  /** The address guard refused the result links; nothing was downloaded from them. */
  filesRefused: DownloadRefusal | null;
  errorCode: string | null;
  errorMessage: string | null;
  totalTokens: number | null;
  renderVersion: number;
  deliveredVersion: number;
  lastEditAt: number | null;
  nextDeliveryAt: number | null;
  deliveryAttempts: number;
  deliveryRoute: DeliveryRoute | null;
  deliveryError: string | null;
  replyGone: boolean;
  /** The member's own name for the model, already cleaned (at most 60 characters). */
  title: string | null;
  /** The requester's display name when the job was made (for the gallery post's name). */
  requesterName: string | null;
  /** Set on a job started from a result's button: the result's job and which button. */
  parentJobId: number | null;
  origin: JobOrigin | null;
  /** The result was deleted with its Delete button (by the requester or a moderator). */
  deletedAt: number | null;
  deletedBy: string | null;
  /** The provider's GLB as downloaded; `modelFile` is the copy that fits the upload limit. */
  originalFile: string | null;
  originalBytes: number | null;
  processingState: ProcessingState | null;
  processingAttempts: number;
  modelInfo: ModelInfo | null;
  /** A multi-view job's views in the provider's order, front first (null: one picture). */
  views: ViewPicture[] | null;
  /** Started from a message's Apps menu: the message whose picture it used (in `channelId`). */
  sourceMessageId: string | null;
  /** The viewer page's random token (/m/<token>), set when processing ends with a model; null before. */
  viewToken: string | null;
}

/** Which result button started a job. */
export type JobOrigin = 'retry' | 'detailed';
