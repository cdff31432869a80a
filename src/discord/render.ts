import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from 'discord.js';
import { ButtonStyle, ComponentType } from 'discord.js';
import type { Job } from '../store/jobs.js';
import { t, formatBytes, formatDuration } from './messages.js';

export const PREVIEW_NAME = 'preview.webp';
export const MODEL_NAME = 'model.glb';
export const TURNTABLE_NAME = 'turntable.gif';
/** Discord's upload limit when an interaction does not say; unboosted servers allow 10 MiB. */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

export interface FileToAttach {
  name: string;
  path: string;
}

/** A Discord message body, independent of the route that delivers it. */
export interface MessagePayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  files: FileToAttach[];
  /** Users that may be pinged by this message; empty means nobody is. */
  mentionUsers: string[];
}

export interface RenderContext {
  now: number;
  /** Typical (median) duration of recent jobs of this quality, when known. */
  typicalMs?: number | null;
  /** The GLB attachment's URL once Discord has stored it, for the download button. */
  modelAttachmentUrl?: string | null;
}

const COLOR = { progress: 0x5865f2, success: 0x57f287, failure: 0xed4245, warning: 0xfee75c } as const;

const mention = (job: Job) => `<@${job.userId}>`;

function qualityLabel(job: Job): string {
  return t(job.locale, job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard');
}

function baseEmbed(job: Job, color: number): APIEmbed {
  return {
    title: t(job.locale, 'job.title'),
    color,
    thumbnail: job.imageSource === 'url' || job.imageUrl ? { url: job.imageUrl } : undefined,
    fields: [
      { name: t(job.locale, 'job.field.quality'), value: qualityLabel(job), inline: true },
      { name: t(job.locale, 'job.field.requestedBy'), value: mention(job), inline: true },
    ],
  };
}

function progress(job: Job, ctx: RenderContext, line: string): MessagePayload {
  const lines = [line];
  if (ctx.typicalMs) lines.push(t(job.locale, 'job.typically', { typicalMs: ctx.typicalMs }));
  return {
    content: '',
    embeds: [{ ...baseEmbed(job, COLOR.progress), description: lines.join('\n'), footer: { text: t(job.locale, 'job.progressFooter') } }],
    components: [],
    files: [],
    mentionUsers: [],
  };
}

export function renderSubmitting(job: Job, ctx: RenderContext): MessagePayload {
  return progress(job, ctx, t(job.locale, 'job.submitting', { user: mention(job) }));
}

export function renderQueued(job: Job, ctx: RenderContext): MessagePayload {
  return progress(job, ctx, t(job.locale, 'job.queued', { since: job.submittedAt ?? job.createdAt }));
}

export function renderRunning(job: Job, ctx: RenderContext): MessagePayload {
  const since = job.submittedAt ?? job.createdAt;
  return progress(job, ctx, t(job.locale, 'job.running', { since, started: job.startedAt ?? since }));
}

export function renderSucceeded(job: Job, ctx: RenderContext): MessagePayload {
  const files: FileToAttach[] = [];
  const embed = baseEmbed(job, COLOR.success);
  const preview = job.previewFile ? `attachment://${PREVIEW_NAME}` : job.previewUrl;
  if (job.previewFile) files.push({ name: PREVIEW_NAME, path: job.previewFile });
  if (job.turntableFile) {
    // The model turning is the picture; the provider's still moves to the thumbnail.
    files.push({ name: TURNTABLE_NAME, path: job.turntableFile });
    embed.image = { url: `attachment://${TURNTABLE_NAME}` };
    embed.thumbnail = preview ? { url: preview } : { url: job.imageUrl };
  } else {
    embed.thumbnail = { url: job.imageUrl };
    if (preview) embed.image = { url: preview };
  }
  const took = job.finishedAt !== null && job.submittedAt !== null ? job.finishedAt - job.submittedAt : null;
  embed.fields = [
    { name: t(job.locale, 'job.field.quality'), value: qualityLabel(job), inline: true },
    { name: t(job.locale, 'job.field.time'), value: took === null ? '—' : formatDuration(took), inline: true },
    { name: t(job.locale, 'job.field.requestedBy'), value: mention(job), inline: true },
  ];
  let modelLine: string;
  let downloadUrl: string | null;
  if (job.modelFile) {
    files.push({ name: MODEL_NAME, path: job.modelFile });
    modelLine = t(job.locale, 'job.modelAttached', { size: formatBytes(job.modelBytes ?? 0) });
    downloadUrl = ctx.modelAttachmentUrl ?? null;
  } else {
    modelLine = t(job.locale, 'job.modelLinkOnly', {
      expiresAt: job.resultExpiresAt,
      limit: formatBytes(job.attachmentSizeLimit),
    });
    downloadUrl = job.modelUrl;
  }
  embed.fields.push({ name: t(job.locale, 'job.field.model'), value: modelLine });
  const buttons: APIButtonComponent[] = [];
  if (downloadUrl) {
    buttons.push({ type: ComponentType.Button, style: ButtonStyle.Link, label: t(job.locale, 'job.downloadButton'), url: downloadUrl });
  }
  // Served from the bot's own copy, so it keeps working after every signed link has expired.
  if (job.modelFile) {
    buttons.push({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      label: t(job.locale, 'job.sendFilesButton'),
      custom_id: `files:${job.id}`,
    });
  }
  const components: MessagePayload['components'] = buttons.length
    ? [{ type: ComponentType.ActionRow, components: buttons }]
    : [];
  return {
    content: t(job.locale, 'job.succeeded', { user: mention(job) }),
    embeds: [embed],
    components,
    files,
    mentionUsers: [job.userId],
  };
}

function failure(job: Job, content: string, color: number = COLOR.failure): MessagePayload {
  return { content, embeds: [baseEmbed(job, color)], components: [], files: [], mentionUsers: [job.userId] };
}

export function renderFailed(job: Job): MessagePayload {
  return failure(
    job,
    t(job.locale, 'job.failed', {
      user: mention(job),
      code: job.errorCode ?? 'FAILED',
      message: job.errorMessage ?? '',
    }),
  );
}

export function renderCanceled(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.canceled', { user: mention(job) }));
}

export function renderExpired(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.expired', { user: mention(job) }));
}

export function renderTimedOut(job: Job): MessagePayload {
  const waitedMs = job.deadlineAt - job.createdAt;
  return failure(job, t(job.locale, 'job.timedOut', { user: mention(job), waitedMs }), COLOR.warning);
}

export function renderNotSubmitted(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.notSubmitted', { user: mention(job), reason: job.errorMessage ?? '' }));
}

export function renderOutcomeUnknown(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.outcomeUnknown', { user: mention(job) }), COLOR.warning);
}

/** The message for a job's current state. */
export function renderJob(job: Job, ctx: RenderContext): MessagePayload {
  switch (job.state) {
    case 'submitting':
      return renderSubmitting(job, ctx);
    case 'queued':
      return renderQueued(job, ctx);
    case 'running':
      return renderRunning(job, ctx);
    case 'succeeded':
      return renderSucceeded(job, ctx);
    case 'failed':
      return renderFailed(job);
    case 'canceled':
      return renderCanceled(job);
    case 'expired':
      return renderExpired(job);
    case 'timed_out':
      return renderTimedOut(job);
    case 'not_submitted':
      return renderNotSubmitted(job);
    case 'outcome_unknown':
      return renderOutcomeUnknown(job);
  }
}
