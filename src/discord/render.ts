import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from 'discord.js';
import { ButtonStyle, ComponentType, escapeMarkdown } from 'discord.js';
import { isIn, isTerminal, RETRYABLE_STATES, type Job } from '../domain/job.js';
import { modelFileName } from '../domain/names.js';
import { t, formatBytes, formatDuration, outsideText } from '../i18n/index.js';
import { PICTURE_NAME, PREVIEW_NAME, TURNTABLE_KIND, TURNTABLE_NAME } from '../domain/files.js';
import { originFields } from './job-origin.js';
import { canExport, exportButtonRow, fitText, linkReason, statsText, viewerButton } from './model-text.js';
import { viewerLink } from './links.js';

export const MODEL_NAME = 'model.glb';
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
  /** The server's gallery is opt-in and this job is not shared yet: offer "Share to gallery". */
  offerShare?: boolean;
  /** PUBLIC_URL: the result links to its viewer page (src/web). */
  publicUrl?: string | null;
}

/** Buttons on results: `job:<action>:<jobId>`, handled by commands/model3d.ts. */
export const JOB_PREFIX = 'job';
export type JobAction = 'retry' | 'detailed' | 'delete' | 'share';
export const jobButtonId = (action: JobAction, jobId: number) => `${JOB_PREFIX}:${action}:${jobId}`;

/** Parses a result button's custom id; null when it is not one of ours. */
export function parseJobButton(customId: string): { action: JobAction; jobId: number } | null {
  const m = /^job:(retry|detailed|delete|share):(\d{1,15})$/.exec(customId);
  if (!m) return null;
  const jobId = Number(m[2]);
  return Number.isSafeInteger(jobId) ? { action: m[1] as JobAction, jobId } : null;
}

/** Discord allows 5 buttons in an action row and 5 rows in a message. */
const ROW_MAX = 5;
const ROWS_MAX = 5;

/** Lays buttons out in rows of at most five, in the order given. */
function buttonRows(buttons: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent>[] {
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < buttons.length && rows.length < ROWS_MAX; i += ROW_MAX) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + ROW_MAX) });
  }
  return rows;
}

function actionButton(
  job: Job,
  action: JobAction,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger,
  label: string,
): APIButtonComponent {
  return { type: ComponentType.Button, style, label, custom_id: jobButtonId(action, job.id) };
}

/**
 * The buttons a finished job's message offers: what to do next with this result.
 * Checked again when pressed; showing a button grants nothing.
 */
function resultActionButtons(job: Job, ctx: Pick<RenderContext, 'offerShare'>): APIButtonComponent[] {
  if (!isTerminal(job.state)) return [];
  const L = job.locale;
  const out: APIButtonComponent[] = [];
  if (isIn(RETRYABLE_STATES, job.state)) {
    out.push(actionButton(job, 'retry', ButtonStyle.Primary, t(L, 'job.button.retry')));
  }
  if (job.state === 'succeeded' && job.quality === 'standard') {
    out.push(actionButton(job, 'detailed', ButtonStyle.Primary, t(L, 'job.button.detailed')));
  }
  if (job.state === 'succeeded' && job.guildId && ctx.offerShare) {
    out.push(actionButton(job, 'share', ButtonStyle.Success, t(L, 'job.button.share')));
  }
  out.push(actionButton(job, 'delete', ButtonStyle.Danger, t(L, 'job.button.delete')));
  return out;
}

const COLOR = { progress: 0x5865f2, success: 0x57f287, failure: 0xed4245, warning: 0xfee75c } as const;

const mention = (job: Job) => `<@${job.userId}>`;

function qualityLabel(job: Job): string {
  return t(job.locale, job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard');
}

/**
 * The member's picture as the thumbnail: the bot's own small copy of the bytes it fetched and
 * checked, attached, never the member's URL (its host can serve another picture after the check,
 * and an upload's link expires). Nothing when the job has no copy.
 */
export function pictureThumbnail(job: Pick<Job, 'pictureFile'>): { thumbnail: NonNullable<APIEmbed['thumbnail']>; file: FileToAttach } | null {
  if (!job.pictureFile) return null;
  return { thumbnail: { url: `attachment://${PICTURE_NAME}` }, file: { name: PICTURE_NAME, path: job.pictureFile } };
}

/** A message about the job that shows its picture: the embed's thumbnail and its file. */
function withPicture(job: Job, payload: MessagePayload): MessagePayload {
  const picture = pictureThumbnail(job);
  const embed = payload.embeds[0];
  if (!picture || !embed) return payload;
  return { ...payload, embeds: [{ ...embed, thumbnail: picture.thumbnail }, ...payload.embeds.slice(1)], files: [...payload.files, picture.file] };
}

/** The member's title, shown as text (no markdown, no mentions), or the generic title. */
export function embedTitle(job: Job): string {
  return job.title ? escapeMarkdown(job.title) : t(job.locale, 'job.title');
}

function baseEmbed(job: Job, color: number): APIEmbed {
  return {
    title: embedTitle(job),
    color,
    fields: [
      { name: t(job.locale, 'job.field.quality'), value: qualityLabel(job), inline: true },
      { name: t(job.locale, 'job.field.requestedBy'), value: mention(job), inline: true },
      ...originFields(job),
    ],
  };
}

function progress(job: Job, ctx: RenderContext, line: string): MessagePayload {
  const lines = [line];
  if (ctx.typicalMs) lines.push(t(job.locale, 'job.typically', { typicalMs: ctx.typicalMs }));
  return withPicture(job, {
    content: '',
    embeds: [{ ...baseEmbed(job, COLOR.progress), description: lines.join('\n'), footer: { text: t(job.locale, 'job.progressFooter') } }],
    components: [],
    files: [],
    mentionUsers: [],
  });
}

function renderSubmitting(job: Job, ctx: RenderContext): MessagePayload {
  return progress(job, ctx, t(job.locale, 'job.submitting', { user: mention(job) }));
}

function renderQueued(job: Job, ctx: RenderContext): MessagePayload {
  return progress(job, ctx, t(job.locale, 'job.queued', { since: job.submittedAt ?? job.createdAt }));
}

function renderRunning(job: Job, ctx: RenderContext): MessagePayload {
  const since = job.submittedAt ?? job.createdAt;
  return progress(job, ctx, t(job.locale, 'job.running', { since, started: job.startedAt ?? since }));
}

function renderSucceeded(job: Job, ctx: RenderContext): MessagePayload {
  const files: FileToAttach[] = [];
  const embed = baseEmbed(job, COLOR.success);
  const preview = job.previewFile ? `attachment://${PREVIEW_NAME}` : job.previewUrl;
  if (job.previewFile) files.push({ name: PREVIEW_NAME, path: job.previewFile });
  const turntable = job.modelInfo?.artifacts?.find((a) => a.kind === TURNTABLE_KIND);
  if (turntable) {
    // The model turning is the picture; the provider's still moves to the thumbnail.
    files.push({ name: TURNTABLE_NAME, path: turntable.file });
    embed.image = { url: `attachment://${TURNTABLE_NAME}` };
    if (preview) embed.thumbnail = { url: preview };
  } else if (preview) {
    embed.image = { url: preview };
  }
  const took = job.finishedAt !== null && job.submittedAt !== null ? job.finishedAt - job.submittedAt : null;
  embed.fields = [
    { name: t(job.locale, 'job.field.quality'), value: qualityLabel(job), inline: true },
    { name: t(job.locale, 'job.field.time'), value: took === null ? '—' : formatDuration(took), inline: true },
    { name: t(job.locale, 'job.field.requestedBy'), value: mention(job), inline: true },
    ...originFields(job),
  ];
  let modelLine: string;
  let downloadUrl: string | null;
  const info = job.modelInfo;
  if (job.modelFile) {
    files.push({ name: modelFileName(job), path: job.modelFile });
    modelLine = t(job.locale, 'job.modelAttached', { size: formatBytes(job.modelBytes ?? 0, job.locale) });
    const fit = info?.fit && fitText(job.locale, info.fit, info.stats);
    if (fit) modelLine += `\n${fit}`;
    downloadUrl = ctx.modelAttachmentUrl ?? null;
  } else if (job.filesRefused) {
    modelLine = t(job.locale, 'job.filesRefused', { reason: job.filesRefused, expiresAt: job.resultExpiresAt });
    downloadUrl = job.modelUrl;
  } else {
    modelLine =
      linkReason(job) ??
      t(job.locale, 'job.modelLinkOnly', {
        expiresAt: job.resultExpiresAt,
        limit: formatBytes(job.attachmentSizeLimit, job.locale),
      });
    downloadUrl = job.modelUrl;
  }
  embed.fields.push({ name: t(job.locale, 'job.field.model'), value: modelLine });
  if (info?.stats) embed.fields.push({ name: t(job.locale, 'job.field.stats'), value: statsText(job.locale, info.stats, info.validation) });
  const buttons: APIButtonComponent[] = [];
  const viewer = viewerLink(job, ctx.publicUrl);
  if (viewer) buttons.push(viewerButton(viewer, job.locale));
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
  buttons.push(...resultActionButtons(job, ctx));
  const components = buttonRows(buttons);
  if (canExport(job)) components.push(exportButtonRow(job.id, job.locale));
  return {
    content: t(job.locale, 'job.succeeded', { user: mention(job) }),
    embeds: [embed],
    components,
    files,
    mentionUsers: [job.userId],
  };
}

function failure(job: Job, content: string, color: number = COLOR.failure): MessagePayload {
  const components = buttonRows(resultActionButtons(job, {}));
  return withPicture(job, { content, embeds: [baseEmbed(job, color)], components, files: [], mentionUsers: [job.userId] });
}

function renderFailed(job: Job): MessagePayload {
  return failure(
    job,
    t(job.locale, 'job.failed', {
      user: mention(job),
      code: outsideText(job.errorCode ?? 'FAILED'),
      message: outsideText(job.errorMessage ?? ''),
    }),
  );
}

function renderCanceled(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.canceled', { user: mention(job) }));
}

function renderExpired(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.expired', { user: mention(job) }));
}

function renderTimedOut(job: Job): MessagePayload {
  const waitedMs = job.deadlineAt - job.createdAt;
  return failure(job, t(job.locale, 'job.timedOut', { user: mention(job), waitedMs }), COLOR.warning);
}

function renderNotSubmitted(job: Job): MessagePayload {
  return failure(job, t(job.locale, 'job.notSubmitted', { user: mention(job), reason: job.errorMessage ?? '' }));
}

function renderOutcomeUnknown(job: Job): MessagePayload {
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
