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
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The figures of a model limit, formatted in the member's locale (dims: "16,000 × 16,000"). */
type LimitText = { value: string; max: string; dims: string };

const en = {
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
  'export.failed': (v: { id: number }) => `The bot could not make this export of job #${v.id}. The GLB itself is unaffected.`,
  'job.downloadButton': () => 'Download GLB',
  'job.sendFilesButton': () => 'Send me the files',
  'job.failed': (v: { user: string; code: string; message: string }) =>
    `❌ ${v.user}, the generator could not make a model from this picture.\nReason: \`${v.code}\` ${v.message}\nNothing more will come for this request.`,
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

  // --- quota and moderation ---
  'quota.denied.blocked': (v: { reason: string | null }) =>
    `🚫 A moderator has blocked you from making 3D models in this server${v.reason ? ` (reason: ${v.reason})` : ''}. Nothing was submitted.`,
  'quota.denied.userDaily': (v: { remaining: number; allowance: number; cost: number; resetsAt: number }) =>
    `You have reached your daily limit: ${v.remaining} of your ${v.allowance} credits are left today, and this model costs ${v.cost}. Your credits reset ${ts(v.resetsAt)}. Nothing was submitted.`,
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
  'quota.status.costs': (v: { standard: number; detailed: number }) =>
    `A standard model costs ${v.standard} credit${v.standard === 1 ? '' : 's'}, a detailed one ${v.detailed}.`,
  'quota.status.month': (v: { used: number }) => `Used this month: ${Math.max(0, v.used)} credit${v.used === 1 ? '' : 's'}`,
  'quota.status.inFlight': (v: { inFlight: number; max: number }) => `Being made right now: ${v.inFlight} (at most ${v.max} at a time)`,
  'quota.status.cooldown': (v: { until: number }) => `Next model possible ${ts(v.until)}`,
  'quota.status.noCooldown': () => 'No waiting time: you can start a model now.',
  'quota.status.resets': (v: { at: number }) => `Daily credits reset ${ts(v.at)} (${ts(v.at, 'f')}).`,
  'quota.status.blocked': (v: { reason: string | null }) =>
    `🚫 A moderator has blocked you from making models in this server${v.reason ? ` (reason: ${v.reason})` : ''}.`,
  'quota.status.refundNote': () => 'Jobs that fail, are canceled, expire or time out give their credits back.',

  'admin.refused.permission': () => 'Only moderators with the **Manage Server** permission can use this.',
  'admin.refused.guildOnly': () => 'Moderator tools only work inside a server.',
  'admin.outOfRange': (v: { option: string; min: number; max: number; value: number }) =>
    `\`${v.option}\` must be a whole number from ${v.min} to ${v.max}; you gave ${v.value}.`,
  'admin.unknownMember': (v: { user: string }) => `${v.user} is not a member of this server, so this cannot be applied to them.`,
  'admin.unknownRole': () => 'That role does not exist in this server.',
  'admin.everyoneRole': () => 'Use `/model3d-admin limits set daily:` for everyone; role allowances are for specific roles.',
  'admin.notForBots': (v: { user: string }) => `${v.user} is a bot; bots cannot make models.`,
  'admin.limits.nothingGiven': () => 'Give at least one value to change: `daily`, `cooldown` or `concurrency`.',
  'admin.limits.updated': () => '✅ Limits updated.',
  'admin.limits.cleared': () => "✅ This server now uses the operator's defaults for the member allowance, cooldown and concurrency.",
  'admin.limits.show': (v: {
    userDaily: number;
    userDailySet: boolean;
    cooldownS: number;
    cooldownSet: boolean;
    maxConcurrent: number;
    concurrentSet: boolean;
    guildDaily: number;
    globalDaily: number;
    detailedCost: number;
    timeZone: string;
    roles: { roleId: string; daily: number }[];
    blocked: number;
    auditChannelId: string | null;
    gallery: { channelId: string; mode: 'opt-in' | 'all' } | null;
  }) =>
    [
      '**Limits in this server**',
      `Member allowance: ${v.userDaily} credits a day ${v.userDailySet ? '(set by this server)' : "(operator's default)"}`,
      `Role allowances: ${v.roles.length ? v.roles.map((r) => `<@&${r.roleId}> ${r.daily}`).join(', ') : 'none'} (a member gets the highest of their roles; with none, the member allowance)`,
      `Cooldown between two models: ${v.cooldownS} s ${v.cooldownSet ? '(set by this server)' : "(operator's default)"}`,
      `Models at a time per member: ${v.maxConcurrent} ${v.concurrentSet ? '(set by this server)' : "(operator's default)"}`,
      `Server cap: ${v.guildDaily} credits a day; all servers: ${v.globalDaily > 0 ? `${v.globalDaily} credits a day` : 'no cap'} (set by the operator)`,
      `Costs: standard 1 credit, detailed ${v.detailedCost}. Days start at midnight ${v.timeZone}.`,
      `Blocked members: ${v.blocked}. Audit channel: ${v.auditChannelId ? `<#${v.auditChannelId}>` : 'off'}.`,
      `Gallery: ${v.gallery ? `<#${v.gallery.channelId}> (${v.gallery.mode === 'all' ? 'every model is posted' : 'opt-in: members press Share to gallery'})` : 'off'}.`,
    ].join('\n'),
  'admin.role.set': (v: { role: string; daily: number }) =>
    `✅ Members with ${v.role} now get ${v.daily} credits a day (a member gets the highest of their roles' allowances).`,
  'admin.role.cleared': (v: { role: string }) => `✅ ${v.role} no longer has its own allowance.`,
  'admin.role.notSet': (v: { role: string }) => `${v.role} had no allowance of its own; nothing changed.`,
  'admin.grant.done': (v: { user: string; credits: number; remaining: number }) =>
    `✅ Gave ${v.user} ${v.credits} extra credit${v.credits === 1 ? '' : 's'} for today. They have ${v.remaining} left today.`,
  'admin.reset.done': (v: { user: string; credits: number; remaining: number }) =>
    `✅ Gave ${v.user} back the ${v.credits} credit${v.credits === 1 ? '' : 's'} they used today. They have ${v.remaining} left today.`,
  'admin.reset.nothing': (v: { user: string }) => `${v.user} has not used any credits today; nothing to reset.`,
  'admin.block.done': (v: { user: string; reason: string | null }) =>
    `✅ ${v.user} can no longer make models in this server${v.reason ? ` (reason: ${v.reason})` : ''}. Models already being made will finish.`,
  'admin.block.already': (v: { user: string }) => `${v.user} is already blocked; nothing changed.`,
  'admin.unblock.done': (v: { user: string }) => `✅ ${v.user} can make models again.`,
  'admin.unblock.notBlocked': (v: { user: string }) => `${v.user} was not blocked; nothing changed.`,
  'admin.balance.available': (v: { remainingUsd: number | null; totalUsd: number | null; usedUsd: number | null }) =>
    `**Provider balance:** ${v.remainingUsd !== null ? `$${v.remainingUsd.toFixed(2)} left` : 'remaining amount not reported'}` +
    (v.totalUsd !== null ? `, of $${v.totalUsd.toFixed(2)} in total` : '') +
    (v.usedUsd !== null ? `; $${v.usedUsd.toFixed(2)} used` : '') +
    '.',
  'admin.balance.unavailable': () =>
    "**Provider balance:** unavailable. The provider's gateway does not offer a balance endpoint, or it did not answer.",
  'admin.balance.recorded': (v: {
    guildToday: number;
    guildMonth: number;
    guildMonthTokens: number;
    allMonth: number;
    allMonthTokens: number;
    unknownJobs: number;
  }) =>
    [
      '**Spend recorded by the bot** (credits of jobs that were charged):',
      `This server: ${v.guildToday} today, ${v.guildMonth} this month (${v.guildMonthTokens.toLocaleString('en-US')} provider tokens).`,
      `All servers this month: ${v.allMonth} (${v.allMonthTokens.toLocaleString('en-US')} provider tokens).`,
      v.unknownJobs > 0
        ? `Outcome unknown this month (maybe billed, not charged to members): ${v.unknownJobs} job${v.unknownJobs === 1 ? '' : 's'} in this server.`
        : 'No jobs with an unknown outcome this month in this server.',
    ].join('\n'),
  'admin.export.done': (v: { rows: number; days: number }) =>
    `This server's jobs of the last ${v.days} day${v.days === 1 ? '' : 's'}: ${v.rows} row${v.rows === 1 ? '' : 's'}.`,
  'admin.audit.set': (v: { channelId: string }) =>
    `✅ Every job in this server will now be recorded in <#${v.channelId}>, with buttons to remove a result or block a member. The bot needs to see that channel and send messages there.`,
  'admin.audit.off': () => '✅ The audit channel is off. Records already posted stay where they are.',
  'admin.audit.wasOff': () => 'There was no audit channel; nothing changed.',
  'admin.audit.badChannel': () => 'Pick a text channel the bot can post in.',
  'admin.usage.server': (v: {
    days: number;
    jobs: number;
    succeeded: number;
    failed: number;
    notSubmitted: number;
    unknown: number;
    inFlight: number;
    credits: number;
    unknownCredits: number;
    returned: number;
    tokens: number;
    avgMs: number | null;
    top: { userId: string; jobs: number; credits: number }[];
  }) =>
    [
      `**Usage in this server, last ${v.days} day${v.days === 1 ? '' : 's'}**`,
      `Jobs: ${v.jobs} (succeeded ${v.succeeded}, failed ${v.failed}, not submitted ${v.notSubmitted}, outcome unknown ${v.unknown}, in progress ${v.inFlight})`,
      `Credits charged: ${v.credits}` +
        (v.unknownCredits ? `; ${v.unknownCredits} more on jobs with an unknown outcome` : '') +
        (v.returned ? `; ${v.returned} given back by moderators` : ''),
      `Provider tokens: ${v.tokens.toLocaleString('en-US')}`,
      `Average time to result: ${v.avgMs === null ? '—' : formatDuration(v.avgMs)}`,
      v.top.length
        ? `Top members:\n${v.top.map((m, i) => `${i + 1}. <@${m.userId}>: ${m.credits} credits, ${m.jobs} job${m.jobs === 1 ? '' : 's'}`).join('\n')}`
        : 'No jobs in this period.',
    ].join('\n'),
  'admin.usage.member': (v: {
    user: string;
    days: number;
    jobs: number;
    credits: number;
    remainingToday: number;
    allowance: number;
    blocked: boolean;
    recent: { id: number; state: string; quality: string; createdAt: number; link: string | null }[];
  }) =>
    [
      `**${v.user}, last ${v.days} day${v.days === 1 ? '' : 's'}:** ${v.jobs} job${v.jobs === 1 ? '' : 's'}, ${v.credits} credits charged. Left today: ${v.remainingToday} of ${v.allowance}.${v.blocked ? ' 🚫 Blocked.' : ''}`,
      v.recent.length
        ? v.recent
            .map((j) => `#${j.id} ${ts(j.createdAt)} · ${j.quality} · ${j.state}${j.link ? ` · ${j.link}` : ''}`)
            .join('\n')
        : 'No jobs in this period.',
    ].join('\n'),

  'audit.title': (v: { jobId: number }) => `3D model job #${v.jobId}`,
  'audit.field.member': () => 'Member',
  'audit.field.quality': () => 'Quality',
  'audit.field.state': () => 'State',
  'audit.field.task': () => 'Task id',
  'audit.field.result': () => 'Result',
  'audit.none': () => '—',
  'audit.state': (v: { state: string }) =>
    (
      ({
        submitting: '📤 submitting',
        queued: '⏳ queued',
        running: '🛠️ generating',
        succeeded: '✅ succeeded',
        failed: '❌ failed',
        canceled: '❌ canceled',
        expired: '❌ expired',
        timed_out: '⌛ timed out',
        not_submitted: '❌ not submitted',
        outcome_unknown: '⚠️ outcome unknown',
      }) as Record<string, string>
    )[v.state] ?? v.state,
  'audit.refunded': (v: { moderator: string; credits: number }) =>
    `Removed by ${v.moderator}; ${v.credits} credit${v.credits === 1 ? '' : 's'} refunded.`,
  'audit.memberBlocked': () => 'This member is blocked in this server.',
  'audit.button.refund': () => 'Remove result and refund',
  'audit.button.block': () => 'Block member',
  'audit.refund.done': (v: { user: string; credits: number; message: 'edited' | 'deleted' | 'none' | 'failed' }) =>
    `✅ Refunded ${v.credits} credit${v.credits === 1 ? '' : 's'} to ${v.user}. ` +
    ({
      edited: 'The result message now says a moderator removed it.',
      deleted: 'The result message was deleted.',
      none: 'There was no result message to remove.',
      failed: 'The result message could not be changed (it may be gone, or the bot lacks access); remove it by hand if needed.',
    } as const)[v.message],
  'audit.refund.already': () => 'This job was already removed and refunded.',
  'audit.refund.inFlight': () => 'This job is still running. Press the button again once it has finished.',
  'audit.refund.unknownJob': () => 'This job does not belong to this server any more, or it does not exist.',
  'audit.block.done': (v: { user: string }) => `✅ ${v.user} can no longer make models in this server.`,
  'audit.block.already': (v: { user: string }) => `${v.user} is already blocked.`,
  'result.removedByModerator': () => '🗑️ This 3D model was removed by a moderator.',
  'admin.gallery.set': (v: { channelId: string; mode: 'opt-in' | 'all'; forum: boolean; missing: string[] }) =>
    [
      `✅ Gallery: ${v.forum ? 'a forum post' : 'a message'} per model in <#${v.channelId}>, ` +
        (v.mode === 'all' ? 'for every model made in this server.' : 'when the member presses **Share to gallery** on their result.'),
      v.missing.length ? `⚠️ The bot is missing ${v.missing.map((p) => `**${p}**`).join(', ')} there; nothing can be posted until it has it.` : '',
    ].filter(Boolean).join('\n'),
  'admin.gallery.off': () => 'Gallery off. Posts already made stay; results no longer offer **Share to gallery**.',
  'admin.gallery.wasOff': () => 'There was no gallery to turn off.',
  'admin.gallery.badChannel': () => 'The gallery must be a forum channel (preferred) or a text channel the bot can post in.',

  // --- buttons on results (job:<action>:<id>) and the gallery ---
  'job.button.retry': () => 'Retry',
  'job.button.detailed': () => 'Detailed version',
  'job.button.delete': () => 'Delete',
  'job.button.share': () => 'Share to gallery',
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
} satisfies Record<string, (v: never) => string>;

type Table = typeof en;
export type MessageKey = keyof Table;
type ArgsOf<K extends MessageKey> = Parameters<Table[K]> extends [] ? [] : [values: Parameters<Table[K]>[0]];

/** Durations for the Chinese table: `45 秒`, `1 分 18 秒`, `2 分钟`, `1 小时 5 分钟`. */
export function formatDurationZh(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} 分 ${s % 60} 秒` : `${m} 分钟`;
  return `${Math.floor(m / 60)} 小时 ${m % 60} 分钟`;
}

/**
 * Simplified Chinese, for members whose Discord language is 中文 (zh-CN). Covers everything a
 * member sees on the main path (errors, input checks, job progress and results, provider errors,
 * quota denials and `/quota`, history). The moderator-only `admin.*` and `audit.*` keys stay
 * English on purpose (moderation wording is easier to support in one language); `t` falls back
 * to English for any key missing here. `satisfies` checks every key and every parameter
 * against the English table.
 */
export const zhCN = {
  // --- generic ---
  'error.internal': () => '我们这边出了点问题。未扣除任何额度，请稍后再试。',
  'error.unknownCommand': () => '此命令已不再可用。',
  'error.guildOnly': () => '此命令只能在服务器中使用。',

  // --- /model3d input ---
  'input.needOne': () => '请只提供一张图片：要么附加 `image`，要么粘贴 `url`，二者必须且只能选其一。',
  'input.badScheme': (v) => `只接受 http 和 https 链接；此链接使用的是 \`${v.scheme}\`。`,
  'input.invalidUrl': () => '这看起来不是有效的网址。',
  'input.badQuality': (v) => `\`quality\` 只能是 ${v.allowed.map((q) => `\`${q}\``).join('、')}；你提供的是 \`${v.given}\`。`,
  'input.unsupportedType': (v) =>
    `图片必须是 JPEG 或 PNG 格式；此文件${v.found === 'unknown' ? '不是可识别的图片' : `是 ${v.found}`}。`,
  'input.tooSmall': (v) => `图片为 ${v.width}×${v.height} 像素；每边最小 ${v.min} 像素。`,
  'input.tooLargeDimensions': (v) => `图片为 ${v.width}×${v.height} 像素；每边最大 ${v.max} 像素。`,
  'input.fileTooLarge': (v) => `图片大小为 ${formatBytes(v.bytes)}；最大 ${formatBytes(v.max)}。`,
  'input.privateAddress': (v) => `该链接指向私有或本地地址（${v.host}）；只能使用公网地址。`,
  'input.tooManyRedirects': (v) => `该链接重定向超过 ${v.max} 次；请直接提供图片的链接。`,
  'input.httpError': (v) => `无法获取图片：服务器返回了 HTTP ${v.status}。`,
  'input.timeout': (v) => `图片服务器在 ${Math.round(v.ms / 1000)} 秒内没有响应。`,
  'input.unreachable': () => '无法连接到图片服务器。',
  'input.unreadable': () => '无法读取图片：其宽度和高度信息缺失或已损坏。',

  // --- job progress and results ---
  'job.title': () => '图片 → 3D 模型',
  'job.submitting': (v) => `正在将 ${v.user} 的图片发送到 3D 生成器…`,
  'job.queued': (v) => `⏳ 生成器**排队中** — 提交于 ${ts(v.since)}。`,
  'job.running': (v) => `🛠️ 模型**生成中** — 提交于 ${ts(v.since)}，开始生成于 ${ts(v.started)}。`,
  'job.typically': (v) => `此类任务通常需要约 ${formatDurationZh(v.typicalMs)}。`,
  'job.progressFooter': () => '模型生成完成后，此消息会自动更新。',
  'job.succeeded': (v) => `✅ ${v.user}，你的 3D 模型已生成。`,
  'job.field.quality': () => '质量',
  'job.field.time': () => '耗时',
  'job.field.requestedBy': () => '请求者',
  'job.field.model': () => '模型',
  'job.quality.standard': () => '标准',
  'job.quality.detailed': () => '精细',
  'job.modelAttached': (v) => `已附上 GLB 文件（${v.size}）。`,
  'job.modelLinkOnly': (v) =>
    `GLB 文件超过了此频道的上传限制（${v.limit}），因此改为提供链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.filesRefused': (v) =>
    `未附上任何文件：服务商的链接${
      v.reason === 'private_address' ? '指向私有或本地地址' : v.reason === 'bad_scheme' ? '不是 http(s) 链接' : '重定向次数过多'
    }，因此机器人没有下载它。请使用服务商的链接` + (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效。` : '。'),
  'job.field.stats': () => '模型信息',
  'job.stats': (v) =>
    `${v.triangles} 个三角形 · ${v.vertices} 个顶点 · ${v.materials} 种材质 · ${v.textures} 张贴图` +
    (v.texturePx ? `（最大 ${v.texturePx} 像素）` : '') +
    `\n尺寸 ${v.dims} 单位 · ${v.size}`,
  'job.validation': (v) =>
    v.clean ? `glTF 校验：无错误，${v.warnings} 个警告` : `glTF 校验：生成器的文件有 ${v.errors} 个错误、${v.warnings} 个警告`,
  'job.fit': (v) => `已缩小 ${v.before} → ${v.after}：${v.steps}`,
  'job.fit.lossless': () => '无损整理',
  'job.fit.jpeg': () => '贴图转为 JPEG',
  'job.fit.downscale': (v) => `贴图 ${v.from}→${v.to} 像素`,
  'job.fit.simplify': (v) => `网格简化至 ${v.percent}%`,
  'job.fit.draco': () => 'Draco 网格压缩',
  'job.modelUnprocessable': (v) =>
    `机器人无法处理此模型（${v.reason}），因此按生成器提供的原样附上链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.unprocessable.corrupt': () => '文件已损坏',
  'job.unprocessable.timeout': () => '处理时间过长',
  'job.unprocessable.memory': () => '所需内存过多',
  'job.unprocessable.crashed': () => '处理多次被中断',
  'job.unprocessable.error': () => '发生意外错误',
  'job.unprocessable.too_complex': (v) => `模型过于复杂，无法在此处理：${v.what}`,
  'job.tooComplex.triangles': (v) => `实例化后共 ${v.value} 个三角形，上限为 ${v.max}`,
  'job.tooComplex.nodes': (v) => `${v.value} 个节点，上限为 ${v.max}`,
  'job.tooComplex.accessorBytes': (v) => `其中一个数据数组将占用 ${v.value}，上限为 ${v.max}`,
  'job.tooComplex.totalAccessorBytes': (v) => `数据数组共将占用 ${v.value}，上限为 ${v.max}`,
  'job.tooComplex.textures': (v) => `${v.value} 张贴图，上限为 ${v.max}`,
  'job.tooComplex.texturePixels': (v) => `一张 ${v.dims} 像素的贴图（${v.value} 像素），上限为 ${v.max} 像素`,
  'job.tooComplex.totalTexturePixels': (v) => `贴图共 ${v.value} 像素，上限为 ${v.max}`,
  'job.modelNotDownloaded': (v) =>
    `GLB 文件超过机器人下载上限（${v.max}），因此按生成器提供的原样附上链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.modelTooLargeAfterFit': (v) =>
    `即使压缩到 ${v.size}，GLB 文件仍超过此频道的上传限制（${v.limit}），因此改为提供链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.exportStlButton': () => 'STL（3D 打印）',
  'job.exportObjButton': () => 'OBJ（.zip 压缩包）',
  'export.sent': (v) =>
    v.kind === 'stl'
      ? `任务 #${v.id} 的 STL（${v.size}）：二进制格式，Z 轴向上，高 ${v.heightMm} 毫米。`
      : `任务 #${v.id} 的 OBJ（${v.size}）：包含 model.obj、model.mtl 和 JPEG 格式的基础颜色贴图。`,
  'export.tooLarge': (v) =>
    `任务 #${v.id} 的 ${v.kind.toUpperCase()} 文件为 ${v.size}，超过了你在此处的上传限制（${v.limit}），无法发送。`,
  'export.unavailable': (v) => `任务 #${v.id} 没有可导出的模型（尚未完成、已被移除或文件已删除）。`,
  'export.failed': (v) => `机器人无法生成任务 #${v.id} 的此导出文件。GLB 文件本身不受影响。`,
  'job.downloadButton': () => '下载 GLB',
  'job.sendFilesButton': () => '把文件发给我',
  'job.failed': (v) =>
    `❌ ${v.user}，生成器无法根据这张图片生成模型。\n原因：\`${v.code}\` ${v.message}\n此请求不会再有后续结果。`,
  'job.canceled': (v) => `❌ ${v.user}，生成器取消了此任务。此请求不会再有后续结果。`,
  'job.expired': (v) => `❌ ${v.user}，生成器已找不到此任务（已过期或丢失）。此请求不会再有后续结果。`,
  'job.timedOut': (v) =>
    `⌛ ${v.user}，生成器未在 ${formatDurationZh(v.waitedMs)} 内完成，机器人已停止等待。此请求不会再有后续结果。`,
  'job.notSubmitted': (v) =>
    `❌ ${v.user}，任务无法启动：${v.reason}${/[。！？]$/.test(v.reason) ? '' : ' '}未扣除你的额度。`,
  'job.outcomeUnknown': (v) =>
    `⚠️ ${v.user}，机器人在发送你的图片时与生成器失去了联系（重启或网络故障），因此无法确定任务是否已启动。机器人不会自动重新提交（那样可能会重复扣费）。如果仍需要该模型，请重新运行 /model3d。`,
  'job.chargedNote': () => '你的额度已退还。',
  'job.newMessageNote': (v) => `${v.user}，无法编辑原来的回复，因此在这里发送你的结果。`,

  // --- upstream errors as members see them ---
  'upstream.auth': () => '机器人的生成器账户被拒绝（密钥或余额问题）。已在日志中通知管理员。',
  'upstream.rateLimited': () => '生成器目前繁忙，请一分钟后再试。',
  'upstream.server': () => '生成器发生内部错误，请稍后再试。',
  'upstream.badRequest': () => '生成器拒绝了该请求。',

  // --- history ---
  'history.titleGuild': (v) => (v.count === 1 ? '你在此服务器中的最近一个模型' : `你在此服务器中的最近 ${v.count} 个模型`),
  'history.titleDm': (v) => (v.count === 1 ? '你在私信中的最近一个模型' : `你在私信中的最近 ${v.count} 个模型`),
  'history.hint': () => '使用 `/model3d-history job:<编号>` 可再次获取某个模型的文件（仅你可见）。',
  'history.emptyGuild': () => '你还没有在此服务器中生成过 3D 模型。试试用一张物体的图片运行 `/model3d`！',
  'history.emptyDm': () => '你还没有在私信中生成过 3D 模型。试试用一张物体的图片运行 `/model3d`！',
  'history.entryName': (v) => `#${v.id} · ${v.quality} · ${v.state}`,
  'history.entryValue': (v) =>
    `${ts(v.at, 'f')}` +
    (v.tookMs === null ? '' : ` · 耗时 ${formatDurationZh(v.tookMs)}`) +
    (v.link ? ` · [查看结果](${v.link})` : ''),
  'history.more': (v) => `还有 ${v.hidden} 个较早的任务未能显示；请把 \`count\` 调小。`,
  'history.state': (v) => {
    if (v.removed) return '🗑️ 已被管理员移除';
    const code = v.code ? `（${v.code}）` : '';
    switch (v.state) {
      case 'submitting':
      case 'queued':
      case 'running':
        return '⏳ 进行中';
      case 'succeeded':
        return '✅ 已完成';
      case 'failed':
        return `❌ 失败${code}`;
      case 'canceled':
        return '❌ 已取消';
      case 'expired':
        return '❌ 已在生成器端过期';
      case 'timed_out':
        return '⌛ 已超时';
      case 'not_submitted':
        return `❌ 未启动${code}`;
      case 'outcome_unknown':
        return '⚠️ 结果未知';
      default:
        return v.state;
    }
  },
  'history.job.notFound': (v) => `你没有 #${v.id} 号任务。运行不带 \`job\` 的 \`/model3d-history\` 可查看你的任务编号。`,
  'history.job.removed': (v) => `任务 #${v.id} 的结果已被管理员移除，无法再次发送。`,
  'history.job.inProgress': (v) =>
    `任务 #${v.id} 仍在生成中。${v.link ? `结果将显示在[原消息](${v.link})中。` : '结果将显示在原消息中。'}`,
  'history.job.noModel': (v) => `任务 #${v.id} 没有生成模型：${v.state}。`,
  'history.job.resent': (v) =>
    `这是任务 #${v.id}（${ts(v.at, 'f')}）的模型：已附上 GLB 文件（${v.size}）${v.picture === 'turntable' ? '及其旋转动画' : v.picture === 'preview' ? '及其预览图' : ''}。`,
  'history.job.tooLarge': (v) =>
    `任务 #${v.id} 的 GLB 文件${v.size ? `（${v.size}）` : ''}超过了此处的上传限制（${v.limit}），无法再次发送。`,
  'history.job.fileGone': (v) => `机器人已不再保存任务 #${v.id} 的 GLB 文件副本，无法再次发送。`,
  'history.job.linkValid': (v) =>
    `生成器的[下载链接](${v.url})在 ${ts(v.expiresAt, 'f')}（${ts(v.expiresAt)}）之前仍然有效。`,
  'history.job.linkExpired': (v) => `生成器的下载链接已于 ${ts(v.expiresAt, 'f')} 过期。`,
  'history.job.original': (v) => `文件可能仍附在[原消息](${v.link})中。`,

  // --- quota: denials and /quota ---
  'quota.denied.blocked': (v) =>
    `🚫 管理员已禁止你在此服务器中生成 3D 模型${v.reason ? `（原因：${v.reason}）` : ''}。未提交任何任务。`,
  'quota.denied.userDaily': (v) =>
    `你已达到每日上限：今天你的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。额度将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.guildDaily': (v) =>
    `此服务器已达到每日上限：今天的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。上限将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.globalDaily': (v) =>
    `机器人已达到所有服务器共用的每日上限：今天的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。上限将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.concurrent': (v) =>
    `你已有 ${v.inFlight} 个模型正在生成，同时最多只能生成 ${v.max} 个。请等其中一个完成后再试。未提交任何任务。`,
  'quota.denied.cooldown': (v) => `两次生成之间请稍等片刻：你可以在 ${ts(v.until)} 开始下一个。未提交任何任务。`,

  'quota.status.headerGuild': () => '**你在此服务器中的 3D 模型额度**',
  'quota.status.headerDm': () => '**你在私信中的 3D 模型额度**',
  'quota.status.remaining': (v) => `今日剩余：**${v.remaining}** / ${v.allowance} 点`,
  'quota.status.costs': (v) => `标准模型需要 ${v.standard} 点，精细模型需要 ${v.detailed} 点。`,
  'quota.status.month': (v) => `本月已用：${Math.max(0, v.used)} 点`,
  'quota.status.inFlight': (v) => `正在生成：${v.inFlight} 个（同时最多 ${v.max} 个）`,
  'quota.status.cooldown': (v) => `下一个模型可在 ${ts(v.until)} 开始`,
  'quota.status.noCooldown': () => '无需等待：你现在就可以生成模型。',
  'quota.status.resets': (v) => `每日额度将于 ${ts(v.at)}（${ts(v.at, 'f')}）重置。`,
  'quota.status.blocked': (v) => `🚫 管理员已禁止你在此服务器中生成模型${v.reason ? `（原因：${v.reason}）` : ''}。`,
  'quota.status.refundNote': () => '失败、被取消、过期或超时的任务会退还额度。',

  // --- seen by members when a moderator removed their result ---
  'result.removedByModerator': () => '🗑️ 此 3D 模型已被管理员移除。',
  'job.button.retry': () => '重试',
  'job.button.detailed': () => '精细版',
  'job.button.delete': () => '删除',
  'job.button.share': () => '分享到画廊',
  'job.action.notYours': (v) => `只有请求此模型的成员才能使用 **${v.button}**。请运行 \`/model3d\` 制作你自己的模型。`,
  'job.action.stale': () => '此按钮所属的模型已不存在(已被删除或移除)。请运行 `/model3d` 制作新模型。',
  'job.action.wrongState': (v) => `**${v.button}** 已不适用于任务 #${v.id}：此消息发出后其结果已改变。`,
  'job.action.alreadyRunning': (v) =>
    `由此按钮启动的任务 #${v.id} 仍在制作中${v.link ? `([查看](${v.link}))` : ''}。未启动新任务，也未扣除额度。`,
  'job.action.detailedExists': (v) =>
    `此模型的精细版已经制作完成：任务 #${v.id}${v.link ? `([查看](${v.link}))` : ''}。未扣除额度。`,
  'job.action.started': (v) => `已启动任务 #${v.id}。它会作为对此结果的回复出现${v.link ? `([跳转](${v.link}))` : ''}。`,
  'job.action.deleteRefused': () => '只有请求此模型的成员，或在此频道拥有 **管理消息** 权限的成员，才能删除它。',
  'job.action.notFinished': (v) => `任务 #${v.id} 仍在制作中；完成后才能删除。`,
  'job.removedBy': (v) => `🗑️ 此 3D 模型已被 ${v.user} 移除。`,
  'job.action.pictureGone': (v) => `原始图片已无法获取(${v.reason})，因此不能再次使用。请用该图片重新运行 \`/model3d\`。未扣除额度。`,
  'gallery.postName': (v) => `${v.name} 的 3D 模型`,
  'gallery.field.quality': () => '质量',
  'gallery.field.stats': () => '模型',
  'gallery.field.original': () => '原始结果',
  'gallery.field.by': () => '制作者',
  'gallery.jump': () => '跳转到结果',
  'gallery.footer': (v) => `任务 #${v.id}`,
  'gallery.shared': (v) => `✅ 已分享到画廊${v.link ? `：${v.link}` : '。'}`,
  'gallery.alreadyShared': (v) => `此模型已在画廊中${v.link ? `：${v.link}` : ''}。每个模型只分享一次。`,
  'gallery.sharing': () => '此模型正在分享到画廊。每个模型只分享一次。',
  'gallery.removedShare': () => '此模型已从画廊中移除，因此不会再次分享。',
  'gallery.off': () => '本服务器没有(或已关闭)画廊。管理员可以用 `/model3d-admin gallery set` 设置。',
  'gallery.noModel': () => '机器人已没有此模型的文件，无法分享。请运行 `/model3d` 制作新模型。',
  'gallery.missingPermission': (v) =>
    `无法分享此模型：机器人在 <#${v.channelId}> 缺少 **${v.permission}** 权限。请让管理员授予该权限；未发布任何内容。`,
  'gallery.failed': () => '暂时无法发布到画廊；未发布任何内容。请稍后再试。',
  'gallery.permissionName': (v) =>
    ({ ViewChannel: '查看频道', SendMessages: '发送消息', EmbedLinks: '嵌入链接', AttachFiles: '附加文件' })[v.name] ?? '发送消息',
} satisfies Partial<Table>;

/**
 * Looked up by the full Discord locale first, then by its language part. `zh` maps to Simplified
 * Chinese, so `zh-TW` members get it too until a Traditional table is registered as `zh-TW`:
 * Simplified is far easier for them to read than English.
 */
const tables: Record<string, Partial<Table>> = { en, 'zh-CN': zhCN, zh: zhCN };

/** The registered tables by locale, read-only (for tests and tooling). */
export const messageTables: Readonly<Record<string, Readonly<Partial<Table>>>> = tables;

/** The text for `key` in the member's locale, falling back to English. */
export function t<K extends MessageKey>(locale: string, key: K, ...args: ArgsOf<K>): string {
  const lang = locale.split('-')[0] ?? 'en';
  const fn = (tables[locale]?.[key] ?? tables[lang]?.[key] ?? en[key]) as (v?: unknown) => string;
  return fn(args[0]);
}
