/**
 * Every text a member can see, keyed. Each entry is a function of its values, so a
 * translation only has to supply the same keys; rendering picks the table by the
 * member's stored `locale` and falls back to English.
 */
const ts = (ms: number, style: 'R' | 'f' | 't' | 'T' | 'd' | 'D' | 'F' = 'R') => `<t:${Math.floor(ms / 1000)}:${style}>`;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const en = {
  // --- generic ---
  'error.internal': () => 'Something went wrong on our side. Nothing was charged; please try again in a moment.',
  'error.unknownCommand': () => 'This command is not available any more.',
  'error.guildOnly': () => 'This command only works in a server.',

  // --- /model3d input ---
  'input.needOne': () => 'Give exactly one picture: either attach an `image` or paste a `url`, not both and not neither.',
  'input.badScheme': (v: { scheme: string }) => `Only http and https links are accepted; this link uses \`${v.scheme}\`.`,
  'input.invalidUrl': () => 'That does not look like a valid web address.',
  'input.unsupportedType': (v: { found: string }) =>
    `The picture must be a JPEG or PNG; this file is ${v.found === 'unknown' ? 'not a recognised image' : `a ${v.found}`}.`,
  'input.tooSmall': (v: { width: number; height: number; min: number }) =>
    `Image is ${v.width}×${v.height} px; the minimum is ${v.min} px per side.`,
  'input.tooLargeDimensions': (v: { width: number; height: number; max: number }) =>
    `Image is ${v.width}×${v.height} px; the maximum is ${v.max} px per side.`,
  'input.fileTooLarge': (v: { bytes: number; max: number }) =>
    `Image is ${formatBytes(v.bytes)}; the maximum is ${formatBytes(v.max)}.`,
  'input.privateAddress': (v: { host: string }) =>
    `The link points to a private or local address (${v.host}); only public web addresses can be used.`,
  'input.tooManyRedirects': (v: { max: number }) => `The link redirects more than ${v.max} times; please link the image directly.`,
  'input.httpError': (v: { status: number }) => `The image could not be fetched: the server answered HTTP ${v.status}.`,
  'input.timeout': (v: { ms: number }) => `The image server did not answer within ${Math.round(v.ms / 1000)} s.`,
  'input.unreachable': () => 'The image server could not be reached.',
  'input.unreadable': () => 'The picture could not be read: its width and height are missing or damaged.',

  // --- job progress and results ---
  'job.title': () => 'Picture → 3D model',
  'job.submitting': (v: { user: string }) => `Sending ${v.user}'s picture to the 3D generator…`,
  'job.queued': (v: { since: number }) => `⏳ **Queued** at the generator — submitted ${ts(v.since)}.`,
  'job.running': (v: { since: number; started: number }) =>
    `🛠️ **Generating** the model — submitted ${ts(v.since)}, generating since ${ts(v.started)}.`,
  'job.typically': (v: { typicalMs: number }) => `Jobs like this usually take about ${formatDuration(v.typicalMs)}.`,
  'job.progressFooter': () => 'This message updates itself when the model is ready.',
  'job.succeeded': (v: { user: string }) => `✅ ${v.user}, your 3D model is ready.`,
  'job.field.quality': () => 'Quality',
  'job.field.time': () => 'Time taken',
  'job.field.requestedBy': () => 'Requested by',
  'job.field.model': () => 'Model',
  'job.quality.standard': () => 'Standard',
  'job.quality.detailed': () => 'Detailed',
  'job.modelAttached': (v: { size: string }) => `GLB attached (${v.size}).`,
  'job.modelLinkOnly': (v: { expiresAt: number | null; limit: string }) =>
    `The GLB is larger than this channel's upload limit (${v.limit}), so it is linked instead` +
    (v.expiresAt ? `; the link expires ${ts(v.expiresAt)}. Download it before then.` : '.'),
  'job.downloadButton': () => 'Download GLB',
  'job.failed': (v: { user: string; code: string; message: string }) =>
    `❌ ${v.user}, the generator could not make a model from this picture.\nReason: \`${v.code}\` ${v.message}\nNothing more will come for this request.`,
  'job.canceled': (v: { user: string }) =>
    `❌ ${v.user}, the generator canceled this job. Nothing more will come for this request.`,
  'job.expired': (v: { user: string }) =>
    `❌ ${v.user}, the generator no longer knows this job (it expired or was lost). Nothing more will come for this request.`,
  'job.timedOut': (v: { user: string; minutes: number }) =>
    `⌛ ${v.user}, the generator did not finish within ${v.minutes} minutes, so the bot stopped waiting. Nothing more will come for this request.`,
  'job.notSubmitted': (v: { user: string; reason: string }) =>
    `❌ ${v.user}, the job could not be started: ${v.reason} Nothing was charged to your quota.`,
  'job.outcomeUnknown': (v: { user: string }) =>
    `⚠️ ${v.user}, the bot lost contact with the generator while sending your picture (a restart or a network failure), so it cannot tell whether the job started. It will not resubmit it on its own (that could charge twice). Please run /model3d again if you still want the model.`,
  'job.chargedNote': () => 'Your quota was refunded.',
  'job.newMessageNote': (v: { user: string }) => `${v.user}, the original reply could not be edited, so here is your result.`,

  // --- upstream errors as members see them ---
  'upstream.auth': () => 'the bot’s generator account was refused (key or balance problem). A moderator has been told in the logs.',
  'upstream.rateLimited': () => 'the generator is busy right now. Please try again in a minute.',
  'upstream.server': () => 'the generator had an internal error. Please try again later.',
  'upstream.badRequest': () => 'the generator refused the request.',
} satisfies Record<string, (v: never) => string>;

type Table = typeof en;
export type MessageKey = keyof Table;
type ArgsOf<K extends MessageKey> = Parameters<Table[K]> extends [] ? [] : [values: Parameters<Table[K]>[0]];

const tables: Record<string, Partial<Table>> = { en };

/** The text for `key` in the member's locale, falling back to English. */
export function t<K extends MessageKey>(locale: string, key: K, ...args: ArgsOf<K>): string {
  const lang = locale.split('-')[0] ?? 'en';
  const fn = (tables[locale]?.[key] ?? tables[lang]?.[key] ?? en[key]) as (v?: unknown) => string;
  return fn(args[0]);
}
