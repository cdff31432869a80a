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
  'history.job.resent': (v: { id: number; at: number; size: string; withPreview: boolean }) =>
    `Here is your model from job #${v.id} (${ts(v.at, 'f')}): GLB attached (${v.size})${v.withPreview ? ', with its preview' : ''}.`,
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
