import { formatBytes, formatDuration, ts } from './format.js';
import type { View } from '../domain/views.js';

/** The figures of a model limit, formatted in the member's locale (dims: "16,000 × 16,000"). */
type LimitText = { value: string; max: string; dims: string };

/**
 * Every text a member can see, keyed: the member table. Each entry is a function of its values, so
 * a translation only has to supply the same keys (zh-CN.ts must supply all of them); t() picks the
 * table by the member's stored `locale` and falls back to English. The moderators' texts are in
 * en-moderators.ts.
 */
const exportFailure = (f: string) =>
  f === 'timeout' ? 'it took too long' : f === 'memory' ? 'the model needs more memory than the bot allows' : f === 'corrupt' ? 'the model could not be read' : 'the model could not be converted';

export const en = {
  // --- generic ---
  'error.internal': () => 'Something went wrong on our side. Nothing was charged; please try again in a moment.',
  'error.unknownCommand': () => 'This command is not available any more.',
  'error.guildOnly': () => 'This command only works in a server.',

  // --- /model3d input ---
  'input.needOne': () => 'Give exactly one picture: either attach an `image` or paste a `url`, not both and not neither.',
  'input.badScheme': (v: { scheme: string }) => `Only http and https links are accepted; this link uses \`${v.scheme}\`.`,
  'input.invalidUrl': () => 'That does not look like a valid web address.',
  'input.badQuality': (v: { given: string; allowed: readonly string[] }) =>
    `\`quality\` must be one of ${v.allowed.map((q) => `\`${q}\``).join(', ')}; you gave \`${v.given}\`.`,
  // `subject` names the view of a multi-view job ("The back view"); without it, the one picture.
  'input.unsupportedType': (v: { found: string; subject?: string }) =>
    `${v.subject ?? 'The picture'} must be a JPEG or PNG; this file is ${v.found === 'unknown' ? 'not a recognised image' : `a ${v.found}`}.`,
  'input.tooSmall': (v: { width: number; height: number; min: number; subject?: string }) =>
    `${v.subject ?? 'Image'} is ${v.width}×${v.height} px; the minimum is ${v.min} px per side.`,
  'input.tooLargeDimensions': (v: { width: number; height: number; max: number; subject?: string }) =>
    `${v.subject ?? 'Image'} is ${v.width}×${v.height} px; the maximum is ${v.max} px per side.`,
  'input.fileTooLarge': (v: { bytes: number; max: number; subject?: string }) =>
    `${v.subject ?? 'Image'} is ${formatBytes(v.bytes, 'en-US')}; the maximum is ${formatBytes(v.max, 'en-US')}.`,
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
  'job.filesRefused': (v: { reason: 'private_address' | 'bad_scheme' | 'too_many_redirects'; expiresAt: number | null }) =>
    `Nothing was attached: the provider's link ${
      v.reason === 'private_address'
        ? 'points to a private or local address'
        : v.reason === 'bad_scheme'
          ? 'is not an http(s) link'
          : 'redirects too many times'
    }, so the bot did not download it. Use the provider's link` +
    (v.expiresAt ? `; it expires ${ts(v.expiresAt)}.` : '.'),
  // --- the model: stats, how it was fitted, exports ---
  'job.field.stats': () => 'About the model',
  'job.stats': (v: { triangles: string; vertices: string; materials: string; textures: string; texturePx: string | null; dims: string; size: string }) =>
    `${v.triangles} triangles · ${v.vertices} vertices · ${v.materials} material(s) · ${v.textures} texture(s)` +
    (v.texturePx ? ` up to ${v.texturePx} px` : '') +
    `\n${v.dims} units · ${v.size}`,
  'job.validation': (v: { errors: string; warnings: string; clean: boolean }) =>
    v.clean ? `glTF validator: no errors, ${v.warnings} warning(s)` : `glTF validator: ${v.errors} error(s), ${v.warnings} warning(s) in the provider's file`,
  'job.fit': (v: { before: string; after: string; steps: string }) => `${v.before} → ${v.after}: ${v.steps}`,
  'job.fit.lossless': () => 'lossless clean-up',
  'job.fit.jpeg': () => 'textures to JPEG',
  'job.fit.downscale': (v: { from: string; to: string }) => `textures ${v.from}→${v.to} px`,
  'job.fit.simplify': (v: { percent: string }) => `mesh simplified to ${v.percent} %`,
  'job.fit.draco': () => 'Draco mesh compression',
  'job.modelUnprocessable': (v: { reason: string; expiresAt: number | null }) =>
    `The bot could not process this model (${v.reason}), so it is linked as the provider gave it` +
    (v.expiresAt ? `; the link expires ${ts(v.expiresAt)}. Download it before then.` : '.'),
  'job.unprocessable.corrupt': () => 'the file is damaged',
  'job.unprocessable.timeout': () => 'it took too long',
  'job.unprocessable.memory': () => 'it needed too much memory',
  'job.unprocessable.crashed': () => 'processing was interrupted too often',
  'job.unprocessable.error': () => 'an unexpected error',
  'job.unprocessable.too_complex': (v: { what: string }) => `too complex to process here: ${v.what}`,
  // What the model is over (src/model/limits.ts); numbers and sizes come formatted.
  'job.tooComplex.triangles': (v: LimitText) => `${v.value} triangles after instancing; the limit is ${v.max}`,
  'job.tooComplex.nodes': (v: LimitText) => `${v.value} nodes; the limit is ${v.max}`,
  'job.tooComplex.accessorBytes': (v: LimitText) => `one of its data arrays would take ${v.value}; the limit is ${v.max}`,
  'job.tooComplex.totalAccessorBytes': (v: LimitText) => `its data arrays would take ${v.value} in all; the limit is ${v.max}`,
  'job.tooComplex.textures': (v: LimitText) => `${v.value} textures; the limit is ${v.max}`,
  'job.tooComplex.texturePixels': (v: LimitText) => `a texture of ${v.dims} px (${v.value} pixels); the limit is ${v.max} pixels`,
  'job.tooComplex.totalTexturePixels': (v: LimitText) => `${v.value} texture pixels in all; the limit is ${v.max}`,
  'job.modelNotDownloaded': (v: { max: string; expiresAt: number | null }) =>
    `The GLB is larger than the ${v.max} the bot downloads, so it is linked as the provider gave it` +
    (v.expiresAt ? `; the link expires ${ts(v.expiresAt)}. Download it before then.` : '.'),
  'job.modelTooLargeAfterFit': (v: { size: string; limit: string; expiresAt: number | null }) =>
    `Even shrunk to ${v.size}, the GLB is larger than this channel's upload limit (${v.limit}), so it is linked instead` +
    (v.expiresAt ? `; the link expires ${ts(v.expiresAt)}. Download it before then.` : '.'),
  'job.exportStlButton': () => 'STL (3D print)',
  'job.exportObjButton': () => 'OBJ (.zip)',
  'export.sent': (v: { id: number; kind: 'stl' | 'obj'; size: string; heightMm: number }) =>
    v.kind === 'stl'
      ? `STL of job #${v.id} (${v.size}): binary, Z up, ${v.heightMm} mm tall.`
      : `OBJ of job #${v.id} (${v.size}): model.obj, model.mtl and the base-colour texture as JPEG.`,
  'export.tooLarge': (v: { id: number; kind: 'stl' | 'obj'; size: string; limit: string }) =>
    `The ${v.kind.toUpperCase()} of job #${v.id} is ${v.size}, larger than your upload limit here (${v.limit}), so it cannot be sent.`,
  'export.unavailable': (v: { id: number }) => `Job #${v.id} has no model the bot can export (it is not ready, was removed, or its files were deleted).`,
  'export.queueFull': (v: { seconds: number }) => `The bot is making many models right now. Try this export again in about ${v.seconds} s.`,
  'export.busy': () => 'You already have an export being made. You can make another once it has arrived.',
  'export.hourly': (v: { max: number; minutes: number }) =>
    `You have made ${v.max} export${v.max === 1 ? '' : 's'} in the last hour, the most allowed. You can make another export in ${v.minutes} minute${v.minutes === 1 ? '' : 's'}.`,
  'export.failedBefore': (v: { id: number; kind: string; failure: string }) =>
    `The bot could not make the ${v.kind.toUpperCase()} of job #${v.id}: ${exportFailure(v.failure)}. It will not try again; the GLB itself is unaffected.`,
  'export.failed': (v: { id: number }) => `The bot could not make this export of job #${v.id}. The GLB itself is unaffected.`,
  'job.downloadButton': () => 'Download GLB',
  'job.sendFilesButton': () => 'Send me the files',
  'job.failed': (v: { user: string; code: string; message: string }) =>
    `❌ ${v.user}, the generator could not make a model from this picture.\nReason: **${v.code}** ${v.message}\nNothing more will come for this request.`,
  'job.canceled': (v: { user: string }) =>
    `❌ ${v.user}, the generator canceled this job. Nothing more will come for this request.`,
  'job.expired': (v: { user: string }) =>
    `❌ ${v.user}, the generator no longer knows this job (it expired or was lost). Nothing more will come for this request.`,
  'job.timedOut': (v: { user: string; waitedMs: number }) =>
    `⌛ ${v.user}, the generator did not finish within ${formatDuration(v.waitedMs)}, so the bot stopped waiting. Nothing more will come for this request.`,
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

  // --- history ---
  'history.titleGuild': (v: { count: number }) => `Your last ${v.count === 1 ? 'model' : `${v.count} models`} in this server`,
  'history.titleDm': (v: { count: number }) => `Your last ${v.count === 1 ? 'model' : `${v.count} models`} in direct messages`,
  'history.hint': () => 'Use `/model3d-history job:<number>` to get a model’s files again (only you will see them).',
  'history.emptyGuild': () =>
    "You haven't made any 3D models in this server yet. Try `/model3d` with a picture of an object!",
  'history.emptyDm': () =>
    "You haven't made any 3D models in direct messages yet. Try `/model3d` with a picture of an object!",
  'history.entryName': (v: { id: number; quality: string; state: string }) => `#${v.id} · ${v.quality} · ${v.state}`,
  'history.entryValue': (v: { at: number; tookMs: number | null; link: string | null }) =>
    `${ts(v.at, 'f')}` +
    (v.tookMs === null ? '' : ` · took ${formatDuration(v.tookMs)}`) +
    (v.link ? ` · [open result](${v.link})` : ''),
  'history.more': (v: { hidden: number }) => `${v.hidden} older job${v.hidden === 1 ? '' : 's'} did not fit; ask for a smaller \`count\`.`,
  'history.state': (v: { state: string; code: string | null; removed: boolean }) => {
    if (v.removed) return '🗑️ removed by a moderator';
    const code = v.code ? ` (${v.code})` : '';
    switch (v.state) {
      case 'submitting':
      case 'queued':
      case 'running':
        return '⏳ in progress';
      case 'succeeded':
        return '✅ ready';
      case 'failed':
        return `❌ failed${code}`;
      case 'canceled':
        return '❌ canceled';
      case 'expired':
        return '❌ expired at the generator';
      case 'timed_out':
        return '⌛ timed out';
      case 'not_submitted':
        return `❌ not started${code}`;
      case 'outcome_unknown':
        return '⚠️ outcome unknown';
      default:
        return v.state;
    }
  },
  'history.job.notFound': (v: { id: number }) =>
    `You have no job #${v.id}. Run \`/model3d-history\` without \`job\` to see the numbers of your jobs.`,
  'history.job.removed': (v: { id: number }) => `Job #${v.id}'s result was removed by a moderator, so it cannot be sent again.`,
  'history.job.inProgress': (v: { id: number; link: string | null }) =>
    `Job #${v.id} is still being made. ${v.link ? `Its result will appear in [the original message](${v.link}).` : 'Its result will appear in the original message.'}`,
  'history.job.noModel': (v: { id: number; state: string }) => `Job #${v.id} did not produce a model: ${v.state}.`,
  'history.job.resent': (v: { id: number; at: number; size: string; picture: 'turntable' | 'preview' | null }) =>
    `Here is your model from job #${v.id} (${ts(v.at, 'f')}): GLB attached (${v.size})${v.picture === 'turntable' ? ', with its turntable animation' : v.picture === 'preview' ? ', with its preview' : ''}.`,
  'history.job.tooLarge': (v: { id: number; size: string | null; limit: string }) =>
    `Job #${v.id}'s GLB${v.size ? ` (${v.size})` : ''} is larger than the upload limit here (${v.limit}), so it cannot be sent again.`,
  'history.job.fileGone': (v: { id: number }) => `The bot no longer has a copy of job #${v.id}'s GLB, so it cannot be sent again.`,
  'history.job.linkValid': (v: { url: string; expiresAt: number }) =>
    `The generator's [download link](${v.url}) still works until ${ts(v.expiresAt, 'f')} (${ts(v.expiresAt)}).`,
  'history.job.linkExpired': (v: { expiresAt: number }) => `The generator's download link expired ${ts(v.expiresAt, 'f')}.`,
  'history.job.original': (v: { link: string }) => `The files may still be attached to [the original message](${v.link}).`,

  // --- quota: denials and /quota ---
  'quota.denied.blocked': (v: { reason: string | null }) =>
    `🚫 A moderator has blocked you from making 3D models in this server${v.reason ? ` (reason: ${v.reason})` : ''}. Nothing was submitted.`,
  'quota.denied.userDaily': (v: { remaining: number; allowance: number; cost: number; resetsAt: number }) =>
    `You have reached your daily limit: ${v.remaining} of your ${v.allowance} credits are left today, and this model costs ${v.cost}. Your credits reset ${ts(v.resetsAt)}. Nothing was submitted.`,
  'quota.denied.userDailyAll': (v: { remaining: number; allowance: number; cost: number; resetsAt: number }) =>
    `You have reached your daily limit across all servers and direct messages: ${v.remaining} of your ${v.allowance} credits are left today, and this model costs ${v.cost}. Your credits reset ${ts(v.resetsAt)}. Nothing was submitted.`,
  'quota.denied.guildDaily': (v: { remaining: number; allowance: number; cost: number; resetsAt: number }) =>
    `This server has reached its daily limit: ${v.remaining} of its ${v.allowance} credits are left today, and this model costs ${v.cost}. The limit resets ${ts(v.resetsAt)}. Nothing was submitted.`,
  'quota.denied.globalDaily': (v: { remaining: number; allowance: number; cost: number; resetsAt: number }) =>
    `The bot has reached its daily limit across all servers: ${v.remaining} of ${v.allowance} credits are left today, and this model costs ${v.cost}. The limit resets ${ts(v.resetsAt)}. Nothing was submitted.`,
  'quota.denied.concurrent': (v: { max: number; inFlight: number }) =>
    `You already have ${v.inFlight} model${v.inFlight === 1 ? '' : 's'} being made, and the limit is ${v.max} at a time. Try again when one has finished. Nothing was submitted.`,
  'quota.denied.cooldown': (v: { until: number }) =>
    `Please wait a little between two models: you can start the next one ${ts(v.until)}. Nothing was submitted.`,

  'quota.status.headerGuild': () => '**Your 3D model credits in this server**',
  'quota.status.headerDm': () => '**Your 3D model credits in direct messages**',
  'quota.status.remaining': (v: { remaining: number; allowance: number }) =>
    `Left today: **${v.remaining}** of ${v.allowance} credit${v.allowance === 1 ? '' : 's'}`,
  'quota.status.everywhere': (v: { used: number; allowance: number }) =>
    `Across all servers and direct messages: **${Math.max(0, v.allowance - v.used)}** of ${v.allowance} credit${v.allowance === 1 ? '' : 's'} left today (${v.used} used)`,
  'quota.status.costs': (v: { standard: number; detailed: number; multiviewExtra: number }) =>
    `A standard model costs ${v.standard} credit${v.standard === 1 ? '' : 's'}, a detailed one ${v.detailed}.` +
    (v.multiviewExtra > 0 ? ` A model from several views (\`left\`, \`back\`, \`right\`) costs ${v.multiviewExtra} more.` : ''),
  'quota.status.month': (v: { used: number }) => `Used this month: ${Math.max(0, v.used)} credit${v.used === 1 ? '' : 's'}`,
  'quota.status.inFlight': (v: { inFlight: number; max: number }) => `Being made right now: ${v.inFlight} (at most ${v.max} at a time)`,
  'quota.status.cooldown': (v: { until: number }) => `Next model possible ${ts(v.until)}`,
  'quota.status.noCooldown': () => 'No waiting time: you can start a model now.',
  'quota.status.resets': (v: { at: number }) => `Daily credits reset ${ts(v.at)} (${ts(v.at, 'f')}).`,
  'quota.status.blocked': (v: { reason: string | null }) =>
    `🚫 A moderator has blocked you from making models in this server${v.reason ? ` (reason: ${v.reason})` : ''}.`,
  'quota.status.refundNote': () => 'Jobs that fail, are canceled, expire or time out give their credits back.',

  'result.removedByModerator': () => '🗑️ This 3D model was removed by a moderator.',

  // --- buttons on results (job:<action>:<id>) and the gallery ---
  'job.button.retry': () => 'Retry',
  'job.button.detailed': () => 'Detailed version',
  'job.button.delete': () => 'Delete',
  'job.button.share': () => 'Share to gallery',
  'job.button.view3d': () => 'View in 3D',
  'job.action.notYours': (v: { button: string }) =>
    `Only the member who asked for this model can use **${v.button}**. Run \`/model3d\` to make your own.`,
  'job.action.stale': () =>
    'This button belongs to a model the bot no longer has (it was deleted or removed). Run `/model3d` to make a new one.',
  'job.action.wrongState': (v: { id: number; button: string }) =>
    `**${v.button}** no longer applies to job #${v.id}: its result has changed since this message was sent.`,
  'job.action.alreadyRunning': (v: { id: number; link: string | null }) =>
    `Job #${v.id}, started from this button, is still being made${v.link ? ` ([see it](${v.link}))` : ''}. Nothing new was started and nothing was charged.`,
  'job.action.detailedExists': (v: { id: number; link: string | null }) =>
    `The detailed version of this model is already made: job #${v.id}${v.link ? ` ([see it](${v.link}))` : ''}. Nothing was charged.`,
  'job.action.started': (v: { id: number; link: string | null }) =>
    `Started job #${v.id}. It appears as a reply to this result${v.link ? ` ([jump to it](${v.link}))` : ''}.`,
  'job.action.deleteRefused': () =>
    'Only the member who asked for this model, or someone with the **Manage Messages** permission in this channel, can delete it.',
  'job.action.notFinished': (v: { id: number }) => `Job #${v.id} is still being made; it can be deleted once it has finished.`,
  'job.removedBy': (v: { user: string }) => `🗑️ This 3D model was removed by ${v.user}.`,
  'job.action.pictureGone': (v: { reason: string }) =>
    `The original picture can no longer be fetched (${v.reason}), so it cannot be used again. Run \`/model3d\` with the picture. Nothing was charged.`,
  'gallery.postName': (v: { name: string }) => `3D model by ${v.name}`,
  'gallery.field.quality': () => 'Quality',
  'gallery.field.stats': () => 'Model',
  'gallery.field.original': () => 'Original result',
  'gallery.field.by': () => 'Made by',
  'gallery.jump': () => 'Jump to the result',
  'gallery.footer': (v: { id: number }) => `Job #${v.id}`,
  'gallery.shared': (v: { link: string | null }) =>
    `✅ Shared to the gallery${v.link ? `: ${v.link}` : '.'}`,
  'gallery.alreadyShared': (v: { link: string | null }) =>
    `This model is already in the gallery${v.link ? `: ${v.link}` : ''}. It is shared only once.`,
  'gallery.sharing': () => 'This model is being shared to the gallery right now. It is shared only once.',
  'gallery.removedShare': () => 'This model was taken out of the gallery, so it is not shared again.',
  'gallery.off': () => 'This server has no gallery (any more). A moderator can set one with `/model3d-admin gallery set`.',
  'gallery.noModel': () => 'The bot no longer has this model’s files, so it cannot be shared. Run `/model3d` to make a new one.',
  'gallery.missingPermission': (v: { channelId: string; permission: string }) =>
    `The model could not be shared: the bot is missing the **${v.permission}** permission in <#${v.channelId}>. Ask a moderator to give it; nothing was posted.`,
  'gallery.failed': () => 'The gallery post could not be made right now; nothing was posted. Please try again later.',
  'gallery.permissionName': (v: { name: 'ViewChannel' | 'SendMessages' | 'EmbedLinks' | 'AttachFiles' }) =>
    ({ ViewChannel: 'View Channel', SendMessages: 'Send Messages', EmbedLinks: 'Embed Links', AttachFiles: 'Attach Files' })[v.name],

  // --- more ways in: several views, and Apps → Make 3D model ---
  'view.name': (v: { view: View }): string => v.view,
  'input.viewSubject': (v: { view: View }) => `The ${v.view} view`,
  'input.viewRefused': (v: { subject: string; reason: string }) => `${v.subject}: ${v.reason}`,
  'input.needFront': () =>
    'The `left`, `back` and `right` views go with a front picture: attach it as `image` (or paste its `url`) too. Nothing was charged.',
  'job.field.views': () => 'Views',
  'job.viewCount': (v: { count: number }) => `${v.count} views`,
  'job.viewList': (v: { count: number; names: string }) => `${v.count} views: ${v.names}`,
  'job.field.fromMessage': () => 'Made from',
  'job.fromMessage': (v: { link: string }) => `[this message](${v.link})`,
  'fromMessage.nothing': () => 'That message has no picture, so there is nothing to make a model from. It needs a JPEG or PNG (attached, or an image link).',
  'fromMessage.noJpegPng': (v: { kinds: readonly MessageFind[] }) =>
    `That message has ${list('en', v.kinds.map((f) => FIND_EN[f]))}, but no JPEG or PNG. Nothing was charged.`,
} satisfies Record<string, (v: never) => string>;

/** What a message can hold besides a usable picture, as the Apps menu's refusal names it. */
export type MessageFind = 'gif' | 'webp' | 'otherImage' | 'video' | 'audio' | 'file' | 'link' | 'sticker';
const FIND_EN: Record<MessageFind, string> = {
  gif: 'a GIF',
  webp: 'a WebP picture',
  otherImage: 'a picture of another kind',
  video: 'a video',
  audio: 'a sound file',
  file: 'a file',
  link: 'a link',
  sticker: 'a sticker',
};

/** "a, b and c" in the locale's own words. */
export function list(locale: string, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

/** The keys every member-facing locale translates, with their parameters. */
export type MemberTable = typeof en;
