import { formatDuration, ts } from './format.js';
import type { MemberUsage, UsageTotals } from '../store/reports.js';

/**
 * What only moderators see: `/model3d-admin` answers and the audit channel. English on purpose
 * (moderation wording is easier to support in one language); every locale falls back to it.
 */
export const moderators = {
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
    userDailyAll: number;
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
      `One member across all servers and DMs: ${v.userDailyAll > 0 ? `${v.userDailyAll} credits a day` : 'no cap'} (set by the operator; grants and server allowances do not raise it)`,
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
  'admin.usage.server': (v: UsageTotals & { days: number; returned: number; top: MemberUsage[] }) =>
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
  'admin.gallery.set': (v: { channelId: string; mode: 'opt-in' | 'all'; forum: boolean; missing: string[] }) =>
    [
      `✅ Gallery: ${v.forum ? 'a forum post' : 'a message'} per model in <#${v.channelId}>, ` +
        (v.mode === 'all' ? 'for every model made in this server.' : 'when the member presses **Share to gallery** on their result.'),
      v.missing.length ? `⚠️ The bot is missing ${v.missing.map((p) => `**${p}**`).join(', ')} there; nothing can be posted until it has it.` : '',
    ].filter(Boolean).join('\n'),
  'admin.gallery.off': () => 'Gallery off. Posts already made stay; results no longer offer **Share to gallery**.',
  'admin.gallery.wasOff': () => 'There was no gallery to turn off.',
  'admin.gallery.badChannel': () => 'The gallery must be a forum channel (preferred) or a text channel the bot can post in.',
} satisfies Record<string, (v: never) => string>;
