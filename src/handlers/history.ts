import { stat } from 'node:fs/promises';
import {
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { Services } from './services.js';
import { makeExport } from './export-limits.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import { isTerminal, type Job } from '../domain/job.js';
import type { HistoryEntry } from '../store/history.js';
import { formatBytes, outsideText, t } from '../i18n/index.js';
import { DEFAULT_ATTACHMENT_LIMIT } from '../discord/render.js';
import { jumpLink, viewerLink } from '../discord/links.js';
import { modelFileName } from '../domain/names.js';
import { canExport, exportButtonRow, viewerButton } from '../discord/model-text.js';
import { EXPORT_NAMES, PREVIEW_NAME, TURNTABLE_KIND, TURNTABLE_NAME, type ExportKind } from '../domain/files.js';

/** How many jobs `/model3d-history` lists without `count`, and at most. */
export const DEFAULT_COUNT = 10;
export const MAX_COUNT = 25;


/** Discord refuses a message whose embeds hold more than 6000 characters in all; keep a margin. */
const EMBED_BUDGET = 5800;
const COLOR = 0x5865f2;
const noMentions = { parse: [] as [] };

function tookMs(job: Job): number | null {
  if (job.finishedAt === null) return null;
  return job.finishedAt - (job.submittedAt ?? job.createdAt);
}

function stateLabel(locale: string, e: HistoryEntry): string {
  return t(locale, 'history.state', { state: e.job.state, code: e.job.errorCode === null ? null : outsideText(e.job.errorCode), removed: e.removed });
}

/** `/model3d-history`: the member's recent jobs, or one job's files again. */
export async function executeHistory(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  const jobId = interaction.options.getInteger('job');
  if (jobId !== null) return resend(interaction, s, jobId);
  return list(interaction, s);
}

async function list(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  const locale = interaction.locale;
  const inGuild = interaction.guildId !== null;
  const requested = interaction.options.getInteger('count') ?? DEFAULT_COUNT;
  const count = Math.min(MAX_COUNT, Math.max(1, requested));
  const entries = await s.stores.history.recent({ userId: interaction.user.id, guildId: interaction.guildId }, count);
  if (entries.length === 0) {
    await interaction.reply({
      content: t(locale, inGuild ? 'history.emptyGuild' : 'history.emptyDm'),
      flags: MessageFlags.Ephemeral,
      allowedMentions: noMentions,
    });
    return;
  }

  const title = t(locale, inGuild ? 'history.titleGuild' : 'history.titleDm', { count: entries.length });
  const hint = t(locale, 'history.hint');
  let used = title.length + hint.length;
  const fields: APIEmbedField[] = [];
  for (const e of entries) {
    let quality = t(locale, e.job.quality === 'detailed' ? 'job.quality.detailed' : 'job.quality.standard');
    if (e.job.views) quality += ` · ${t(locale, 'job.viewCount', { count: e.job.views.length })}`;
    const field = {
      name: t(locale, 'history.entryName', { id: e.job.id, quality, state: stateLabel(locale, e) }),
      value: t(locale, 'history.entryValue', {
        at: e.job.createdAt,
        tookMs: tookMs(e.job),
        link: e.removed ? null : jumpLink(e.job),
      }),
    };
    if (used + field.name.length + field.value.length > EMBED_BUDGET) break;
    used += field.name.length + field.value.length;
    fields.push(field);
  }
  const hidden = entries.length - fields.length;
  const embed: APIEmbed = { title, description: hint, color: COLOR, fields };
  if (hidden > 0) embed.footer = { text: t(locale, 'history.more', { hidden }) };
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: noMentions });
}

/** Size of a regular file, or null when it is gone (or is not a file). */
async function fileSize(path: string | null): Promise<number | null> {
  if (!path) return null;
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/**
 * Buttons on a result message, for whoever sees it: `files:<jobId>` sends its files privately,
 * `export:stl:<jobId>` and `export:obj:<jobId>` an STL or OBJ made from the original model.
 */
export async function handleHistoryButton(interaction: ButtonInteraction, s: Services): Promise<void> {
  const [prefix, a, b] = interaction.customId.split(':');
  if (prefix === 'export' && (a === 'stl' || a === 'obj') && Number.isSafeInteger(Number(b))) {
    return sendExport(interaction, s, a, Number(b));
  }
  const jobId = Number(a);
  if (prefix !== 'files' || !Number.isSafeInteger(jobId)) throw new UserFacingError(t(interaction.locale, 'error.unknownCommand'), true);
  return resend(interaction, s, jobId, (id) => s.stores.history.sharedJob(interaction.channelId, id));
}

/**
 * An export, privately, to whoever pressed: made on first demand from the original model in a
 * model worker and kept beside it. The buttons of a result are for everyone who sees it; those
 * of a `/model3d-history job:` answer are for its owner.
 */
async function sendExport(interaction: ButtonInteraction, s: Services, kind: ExportKind, jobId: number): Promise<void> {
  const locale = interaction.locale;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const say = (content: string) => interaction.editReply({ content, allowedMentions: noMentions }).then(() => undefined);
  const store = s.stores.history;
  const entry = await store.sharedJob(interaction.channelId, jobId) ?? await store.ownJob(interaction.user.id, jobId);
  if (!entry || entry.removed || !canExport(entry.job)) return say(t(locale, 'export.unavailable', { id: jobId }));
  const made = await makeExport(s, { userId: interaction.user.id, job: entry.job, kind, locale });
  if (!made.ok) return say(made.text);
  const limit = interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT;
  if (made.bytes > limit) {
    return say(t(locale, 'export.tooLarge', { id: jobId, kind, size: formatBytes(made.bytes, locale), limit: formatBytes(limit, locale) }));
  }
  await interaction.editReply({
    content: t(locale, 'export.sent', { id: jobId, kind, size: formatBytes(made.bytes, locale), heightMm: s.config.model.exportHeightMm }),
    files: [{ attachment: made.file, name: EXPORT_NAMES[kind] }],
    allowedMentions: noMentions,
  });
}

/** The STL/OBJ buttons and the viewer page's link, where there are any. */
function modelRows(job: Job, locale: string, publicUrl: string | undefined): APIActionRowComponent<APIButtonComponent>[] {
  const rows = canExport(job) ? [exportButtonRow(job.id, locale)] : [];
  const viewer = viewerLink(job, publicUrl);
  if (viewer) rows.push({ type: ComponentType.ActionRow, components: [viewerButton(viewer, locale)] });
  return rows;
}

async function resend(
  interaction: RepliableInteraction,
  s: Services,
  jobId: number,
  lookup: (id: number) => Promise<HistoryEntry | undefined> = (id) => s.stores.history.ownJob(interaction.user.id, id),
): Promise<void> {
  const locale = interaction.locale;
  // Uploading a GLB can take longer than Discord's 3 seconds to answer.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const say = (content: string) => interaction.editReply({ content, allowedMentions: noMentions }).then(() => undefined);

  const entry = await lookup(jobId);
  if (!entry) return say(t(locale, 'history.job.notFound', { id: jobId }));
  const { job } = entry;
  if (entry.removed) return say(t(locale, 'history.job.removed', { id: job.id }));
  if (!isTerminal(job.state)) return say(t(locale, 'history.job.inProgress', { id: job.id, link: jumpLink(job) }));
  if (job.state !== 'succeeded') {
    return say(t(locale, 'history.job.noModel', { id: job.id, state: stateLabel(locale, entry) }));
  }

  const limit = interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT;
  // The provider's original where it fits (a boosted server, a DM), else the copy fitted to the result's limit.
  const originalBytes = job.modelFile ? await fileSize(job.originalFile) : null;
  const useOriginal = originalBytes !== null && originalBytes <= limit;
  const modelPath = useOriginal ? job.originalFile : job.modelFile;
  const modelBytes = useOriginal ? originalBytes : await fileSize(job.modelFile);
  if (modelBytes !== null && modelPath && modelBytes <= limit) {
    // The limit applies to the whole upload: the turntable comes along if it fits beside the model, else the still preview.
    const turntable = job.modelInfo?.artifacts?.find((a) => a.kind === TURNTABLE_KIND)?.file ?? null;
    let picture: { kind: 'turntable' | 'preview'; path: string; name: string } | null = null;
    for (const c of [
      { kind: 'turntable' as const, path: turntable, name: TURNTABLE_NAME },
      { kind: 'preview' as const, path: job.previewFile, name: PREVIEW_NAME },
    ]) {
      const bytes = await fileSize(c.path);
      if (c.path && bytes !== null && modelBytes + bytes <= limit) {
        picture = { ...c, path: c.path };
        break;
      }
    }
    const files = [{ attachment: modelPath, name: modelFileName(job) }];
    if (picture) files.unshift({ attachment: picture.path, name: picture.name });
    await interaction.editReply({
      content: t(locale, 'history.job.resent', { id: job.id, at: job.createdAt, size: formatBytes(modelBytes, locale), picture: picture?.kind ?? null }),
      files,
      components: modelRows(job, locale, s.config.web?.publicUrl),
      allowedMentions: noMentions,
    });
    return;
  }

  // Nothing to attach: say why, and where else the model may still be found.
  const lines: string[] = [];
  const knownSize = modelBytes ?? job.modelBytes;
  if (knownSize !== null && knownSize > limit) {
    lines.push(t(locale, 'history.job.tooLarge', { id: job.id, size: formatBytes(knownSize, locale), limit: formatBytes(limit, locale) }));
  } else {
    lines.push(t(locale, 'history.job.fileGone', { id: job.id }));
  }
  if (job.modelUrl && job.resultExpiresAt !== null) {
    lines.push(
      job.resultExpiresAt > s.clock()
        ? t(locale, 'history.job.linkValid', { url: job.modelUrl, expiresAt: job.resultExpiresAt })
        : t(locale, 'history.job.linkExpired', { expiresAt: job.resultExpiresAt }),
    );
  }
  const link = jumpLink(job);
  if (link && job.modelFile) lines.push(t(locale, 'history.job.original', { link }));
  // The exports come from the original, so they may still fit where the GLB does not.
  await interaction.editReply({
    content: lines.join('\n'),
    components: modelRows(job, locale, s.config.web?.publicUrl),
    allowedMentions: noMentions,
  });
}
