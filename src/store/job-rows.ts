import type { DeliveryRoute, DownloadRefusal, Job, JobOrigin, JobState, ProcessingState } from '../domain/job.js';
import type { ModelInfo } from '../domain/model-info.js';
import type { Quality } from '../domain/quality.js';
import { parseViews } from '../domain/views.js';

/** A row of the jobs table as both backends return it, and its mapping to a Job. */
export interface JobRow {
  id: number;
  interaction_id: string;
  interaction_token: string;
  application_id: string;
  guild_id: string | null;
  channel_id: string;
  user_id: string;
  locale: string;
  message_id: string | null;
  image_url: string;
  image_source: 'attachment' | 'url';
  image_name: string | null;
  quality: Quality;
  cost: number;
  attachment_size_limit: number;
  state: JobState;
  task_id: string | null;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  deadline_at: number;
  poll_count: number;
  poll_failures: number;
  next_check_at: number | null;
  model_url: string | null;
  preview_url: string | null;
  result_expires_at: number | null;
  model_file: string | null;
  model_bytes: number | null;
  preview_file: string | null;
  picture_file: string | null;
  files_refused: DownloadRefusal | null;
  error_code: string | null;
  error_message: string | null;
  total_tokens: number | null;
  render_version: number;
  delivered_version: number;
  last_edit_at: number | null;
  next_delivery_at: number | null;
  delivery_attempts: number;
  delivery_route: DeliveryRoute | null;
  delivery_error: string | null;
  reply_gone: number;
  title: string | null;
  requester_name: string | null;
  parent_job_id: number | null;
  origin: JobOrigin | null;
  deleted_at: number | null;
  deleted_by: string | null;
  original_file: string | null;
  original_bytes: number | null;
  processing_state: ProcessingState | null;
  processing_attempts: number;
  model_info: string | null;
  views: string | null;
  source_message_id: string | null;
  view_token: string | null;
}

function parseInfo(text: string | null): ModelInfo | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as ModelInfo;
  } catch {
    return null;
  }
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    interactionId: r.interaction_id,
    interactionToken: r.interaction_token,
    applicationId: r.application_id,
    guildId: r.guild_id,
    channelId: r.channel_id,
    userId: r.user_id,
    locale: r.locale,
    messageId: r.message_id,
    imageUrl: r.image_url,
    imageSource: r.image_source,
    imageName: r.image_name,
    quality: r.quality,
    cost: r.cost,
    attachmentSizeLimit: r.attachment_size_limit,
    state: r.state,
    taskId: r.task_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    deadlineAt: r.deadline_at,
    pollCount: r.poll_count,
    pollFailures: r.poll_failures,
    nextCheckAt: r.next_check_at,
    modelUrl: r.model_url,
    previewUrl: r.preview_url,
    resultExpiresAt: r.result_expires_at,
    modelFile: r.model_file,
    modelBytes: r.model_bytes,
    previewFile: r.preview_file,
    pictureFile: r.picture_file ?? null,
    filesRefused: r.files_refused ?? null,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    totalTokens: r.total_tokens,
    renderVersion: r.render_version,
    deliveredVersion: r.delivered_version,
    lastEditAt: r.last_edit_at,
    nextDeliveryAt: r.next_delivery_at,
    deliveryAttempts: r.delivery_attempts,
    deliveryRoute: r.delivery_route,
    deliveryError: r.delivery_error,
    replyGone: r.reply_gone === 1,
    title: r.title,
    requesterName: r.requester_name,
    parentJobId: r.parent_job_id,
    origin: r.origin,
    deletedAt: r.deleted_at,
    deletedBy: r.deleted_by,
    originalFile: r.original_file,
    originalBytes: r.original_bytes,
    processingState: r.processing_state,
    processingAttempts: r.processing_attempts,
    modelInfo: parseInfo(r.model_info),
    views: parseViews(r.views),
    sourceMessageId: r.source_message_id ?? null,
    viewToken: r.view_token ?? null,
  };
}
