import {
  ChannelType,
  MessageFlags,
  PermissionFlagsBits,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type User,
} from 'discord.js';
import { t } from '../discord/messages.js';
import { UserFacingError } from '../errors.js';
import type { Services } from '../services.js';
import { parseAuditButton, removeResult, renderAuditRecord, type AuditRest } from './audit.js';
import { removeJobFiles } from '../jobs/forget.js';
import { QuotaReports, jobsCsv } from './reports.js';
import { startOfDay, startOfDaysAgo, startOfMonth } from './time.js';

type AnyInteraction = ChatInputCommandInteraction | ButtonInteraction;

// --- permission gate ---

/** True only in a server, for a member whose permissions (as Discord computed them for this interaction) include Manage Server. */
export function isModerator(interaction: Pick<AnyInteraction, 'guildId' | 'memberPermissions'>): boolean {
  return interaction.guildId !== null && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) === true;
}

/** Refuses (ephemerally, through the router) anyone who is not a moderator of this server. */
export function assertModerator(interaction: Pick<AnyInteraction, 'guildId' | 'memberPermissions' | 'locale'>): asserts interaction is typeof interaction & { guildId: string } {
  if (interaction.guildId === null) throw new UserFacingError(t(interaction.locale, 'admin.refused.guildOnly'), true);
  if (!isModerator(interaction)) throw new UserFacingError(t(interaction.locale, 'admin.refused.permission'), true);
}

/** The member's role ids, cached or raw. Includes @everyone when discord.js has the member cached. */
export function roleIdsOf(interaction: AnyInteraction): string[] {
  if (interaction.inCachedGuild()) return [...interaction.member.roles.cache.keys()];
  const roles = (interaction.member as { roles?: unknown } | null)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** Refuses a number outside [min, max], naming the allowed range. */
export function checkRange(locale: string, option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserFacingError(t(locale, 'admin.outOfRange', { option, min, max, value }), true);
  }
  return value;
}

/** Allowed ranges, from the operator's caps. */
export function ranges(q: Services['config']['quota']) {
  return {
    daily: { min: 0, max: q.guildDaily },
    roleDaily: { min: 0, max: q.guildDaily },
    cooldown: { min: q.cooldownS, max: 86_400 },
    concurrency: { min: 1, max: q.maxConcurrent },
    grant: { min: 1, max: Math.max(1, q.guildDaily) },
    days: { min: 1, max: 90 },
  };
}

const mention = (u: Pick<User, 'id'>) => `<@${u.id}>`;

async function recordChange(
  s: Services,
  i: ChatInputCommandInteraction | ButtonInteraction,
  action: string,
  targetId: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const guildId = i.guildId!;
  const moderatorId = i.user.id;
  await s.quota.store.recordAction({ guildId, moderatorId, action, targetId, details, at: s.clock() });
  s.log.info({ guildId, moderatorId, action, targetId, ...details }, 'admin change');
}

/** The member option, refused when the user is not in this server (or is a bot). */
function requireMember(i: ChatInputCommandInteraction, name = 'member'): User {
  const user = i.options.getUser(name, true);
  if (!i.options.getMember(name)) throw new UserFacingError(t(i.locale, 'admin.unknownMember', { user: mention(user) }), true);
  if (user.bot) throw new UserFacingError(t(i.locale, 'admin.notForBots', { user: mention(user) }), true);
  return user;
}

function requireRole(i: ChatInputCommandInteraction): { id: string; mention: string } {
  const role = i.options.getRole('role');
  if (!role) throw new UserFacingError(t(i.locale, 'admin.unknownRole'), true);
  if (role.id === i.guildId) throw new UserFacingError(t(i.locale, 'admin.everyoneRole'), true);
  return { id: role.id, mention: `<@&${role.id}>` };
}

/** The numbers a moderator's member-targeted change reports back. */
async function remainingToday(s: Services, guildId: string, userId: string, roleIds: string[]): Promise<number> {
  return (await s.quota.status({ guildId, userId, roleIds })).remainingToday;
}

/** Role ids of the member option, from the resolved member (raw or cached). */
function memberRoleIds(i: ChatInputCommandInteraction, name = 'member'): string[] {
  const m = i.options.getMember(name) as { roles?: unknown } | null;
  if (!m) return [];
  const roles = m.roles as { cache?: Map<string, unknown> } | string[] | undefined;
  if (Array.isArray(roles)) return roles;
  return roles?.cache ? [...roles.cache.keys()] : [];
}

async function limitsText(s: Services, guildId: string, locale: string): Promise<string> {
  const q = s.quota.operator;
  const settings = await s.quota.store.settings(guildId);
  const eff = await s.quota.limits(guildId, []);
  return t(locale, 'admin.limits.show', {
    userDaily: Math.min(settings?.userDaily ?? q.userDaily, q.guildDaily),
    userDailySet: settings?.userDaily != null,
    cooldownS: eff.cooldownS,
    cooldownSet: settings?.cooldownS != null,
    maxConcurrent: eff.maxConcurrent,
    concurrentSet: settings?.maxConcurrent != null,
    guildDaily: q.guildDaily,
    globalDaily: q.globalDaily,
    detailedCost: q.detailedCost,
    timeZone: q.timeZone,
    roles: await s.quota.store.roleAllowances(guildId),
    blocked: await s.quota.store.blockCount(guildId),
    auditChannelId: settings?.auditChannelId ?? null,
    gallery: (await s.gallery.store.settings(guildId)) ?? null,
  });
}

/** Everything after the permission gate; returns the ephemeral reply. */
async function run(i: ChatInputCommandInteraction, s: Services): Promise<string | { content: string; csv: string; name: string }> {
  const guildId = i.guildId!;
  const L = i.locale;
  const R = ranges(s.quota.operator);
  const group = i.options.getSubcommandGroup(false);
  const sub = i.options.getSubcommand(true);
  const now = s.clock();
  const tz = s.quota.timeZone;

  if (group === 'limits') {
    switch (sub) {
      case 'show':
        return await limitsText(s, guildId, L);
      case 'set': {
        const daily = i.options.getInteger('daily');
        const cooldown = i.options.getInteger('cooldown');
        const concurrency = i.options.getInteger('concurrency');
        if (daily === null && cooldown === null && concurrency === null) {
          throw new UserFacingError(t(L, 'admin.limits.nothingGiven'), true);
        }
        const patch: { userDaily?: number; cooldownS?: number; maxConcurrent?: number } = {};
        if (daily !== null) patch.userDaily = checkRange(L, 'daily', daily, R.daily.min, R.daily.max);
        if (cooldown !== null) patch.cooldownS = checkRange(L, 'cooldown', cooldown, R.cooldown.min, R.cooldown.max);
        if (concurrency !== null) {
          patch.maxConcurrent = checkRange(L, 'concurrency', concurrency, R.concurrency.min, R.concurrency.max);
        }
        await s.quota.store.updateSettings(guildId, patch, i.user.id, now);
        await recordChange(s, i, 'limits.set', null, patch);
        return `${t(L, 'admin.limits.updated')}\n\n${await limitsText(s, guildId, L)}`;
      }
      case 'clear': {
        await s.quota.store.updateSettings(guildId, { userDaily: null, cooldownS: null, maxConcurrent: null }, i.user.id, now);
        await recordChange(s, i, 'limits.clear', null);
        return `${t(L, 'admin.limits.cleared')}\n\n${await limitsText(s, guildId, L)}`;
      }
      case 'role': {
        const role = requireRole(i);
        const daily = checkRange(L, 'daily', i.options.getInteger('daily', true), R.roleDaily.min, R.roleDaily.max);
        await s.quota.store.setRoleAllowance(guildId, role.id, daily, i.user.id, now);
        await recordChange(s, i, 'limits.role', role.id, { daily });
        return t(L, 'admin.role.set', { role: role.mention, daily });
      }
      case 'role-clear': {
        const role = requireRole(i);
        const had = await s.quota.store.clearRoleAllowance(guildId, role.id);
        if (!had) return t(L, 'admin.role.notSet', { role: role.mention });
        await recordChange(s, i, 'limits.role-clear', role.id);
        return t(L, 'admin.role.cleared', { role: role.mention });
      }
    }
  }

  if (group === 'gallery') {
    const store = s.gallery.store;
    if (sub === 'set') {
      const channel = i.options.getChannel('channel', true);
      const type = channel.type as ChannelType;
      if (![ChannelType.GuildForum, ChannelType.GuildText, ChannelType.GuildAnnouncement].includes(type)) {
        throw new UserFacingError(t(L, 'admin.gallery.badChannel'), true);
      }
      const mode = i.options.getString('mode') === 'all' ? 'all' : 'opt-in';
      await store.set(guildId, channel.id, mode, i.user.id, now);
      await recordChange(s, i, 'gallery.set', channel.id, { mode });
      const missing = s.gallery.missingPermission(channel.id);
      return t(L, 'admin.gallery.set', {
        channelId: channel.id,
        mode,
        forum: type === ChannelType.GuildForum,
        missing: missing ? [t(L, 'gallery.permissionName', { name: missing })] : [],
      });
    }
    const was = await store.settings(guildId);
    if (!was || !(await store.off(guildId))) return t(L, 'admin.gallery.wasOff');
    await recordChange(s, i, 'gallery.off', was.channelId);
    return t(L, 'admin.gallery.off');
  }

  if (group === 'audit-channel') {
    if (sub === 'set') {
      const channel = i.options.getChannel('channel', true);
      if (![ChannelType.GuildText, ChannelType.GuildAnnouncement].includes(channel.type as ChannelType)) {
        throw new UserFacingError(t(L, 'admin.audit.badChannel'), true);
      }
      await s.quota.store.updateSettings(guildId, { auditChannelId: channel.id }, i.user.id, now);
      await recordChange(s, i, 'audit-channel.set', channel.id);
      return t(L, 'admin.audit.set', { channelId: channel.id });
    }
    const was = (await s.quota.store.settings(guildId))?.auditChannelId;
    if (!was) return t(L, 'admin.audit.wasOff');
    await s.quota.store.updateSettings(guildId, { auditChannelId: null }, i.user.id, now);
    await recordChange(s, i, 'audit-channel.off', was);
    return t(L, 'admin.audit.off');
  }

  switch (sub) {
    case 'usage': {
      const daysOpt = i.options.getInteger('days');
      const days = daysOpt === null ? 7 : checkRange(L, 'days', daysOpt, R.days.min, R.days.max);
      const since = startOfDaysAgo(now, days, tz);
      const reports = new QuotaReports(s.db);
      const user = i.options.getUser('member');
      if (user) {
        const totals = await reports.memberTotals(guildId, user.id, since);
        const status = await s.quota.status({ guildId, userId: user.id, roleIds: memberRoleIds(i) });
        return t(L, 'admin.usage.member', {
          user: mention(user),
          days,
          jobs: totals.jobs,
          credits: totals.credits,
          remainingToday: status.remainingToday,
          allowance: status.limits.userDaily,
          blocked: status.blocked !== null,
          recent: (await reports.memberJobs(guildId, user.id, since, 10)).map((j) => ({
            id: j.id,
            state: j.state,
            quality: j.quality,
            createdAt: j.createdAt,
            link: j.messageId ? `https://discord.com/channels/${guildId}/${j.channelId}/${j.messageId}` : null,
          })),
        });
      }
      const totals = await reports.guildTotals(guildId, since);
      return t(L, 'admin.usage.server', {
        days,
        ...totals,
        returned: await reports.returned(guildId, since),
        top: await reports.topMembers(guildId, since, 5),
      });
    }
    case 'grant': {
      const user = requireMember(i);
      const credits = checkRange(L, 'credits', i.options.getInteger('credits', true), R.grant.min, R.grant.max);
      await s.quota.grant(guildId, user.id, credits, i.user.id);
      await recordChange(s, i, 'grant', user.id, { credits });
      return t(L, 'admin.grant.done', {
        user: mention(user),
        credits,
        remaining: await remainingToday(s, guildId, user.id, memberRoleIds(i)),
      });
    }
    case 'reset': {
      const user = requireMember(i);
      const entry = await s.quota.reset(guildId, user.id, i.user.id);
      if (!entry) return t(L, 'admin.reset.nothing', { user: mention(user) });
      await recordChange(s, i, 'reset', user.id, { credits: entry.credits });
      return t(L, 'admin.reset.done', {
        user: mention(user),
        credits: entry.credits,
        remaining: await remainingToday(s, guildId, user.id, memberRoleIds(i)),
      });
    }
    case 'block': {
      const user = requireMember(i);
      const reason = i.options.getString('reason')?.trim().slice(0, 200) || null;
      if (!await s.quota.block(guildId, user.id, reason, i.user.id)) return t(L, 'admin.block.already', { user: mention(user) });
      await recordChange(s, i, 'block', user.id, { reason });
      return t(L, 'admin.block.done', { user: mention(user), reason });
    }
    case 'unblock': {
      // A member who left can still be unblocked, so no membership check here.
      const user = i.options.getUser('member', true);
      if (!await s.quota.unblock(guildId, user.id)) return t(L, 'admin.unblock.notBlocked', { user: mention(user) });
      await recordChange(s, i, 'unblock', user.id);
      return t(L, 'admin.unblock.done', { user: mention(user) });
    }
    case 'balance':
      return balanceText(s, guildId, L);
    case 'export': {
      const daysOpt = i.options.getInteger('days');
      const days = daysOpt === null ? 30 : checkRange(L, 'days', daysOpt, R.days.min, R.days.max);
      const reports = new QuotaReports(s.db);
      const { csv, count } = jobsCsv(await reports.exportRows(guildId, startOfDaysAgo(now, days, tz)));
      await recordChange(s, i, 'export', null, { days, rows: count });
      const date = new Date(now).toISOString().slice(0, 10);
      return { content: t(L, 'admin.export.done', { rows: count, days }), csv, name: `model3d-jobs-${guildId}-${date}.csv` };
    }
  }
  throw new UserFacingError(t(L, 'error.unknownCommand'), true);
}

/** `/model3d-admin balance`: the provider's balance when the gateway reports it, and the spend the bot recorded. */
export async function balanceText(
  s: Pick<Services, 'upstream' | 'db' | 'clock' | 'quota' | 'log'>,
  guildId: string,
  locale: string,
): Promise<string> {
  let balance: { totalUsd: number | null; usedUsd: number | null; remainingUsd: number | null } | null = null;
  try {
    balance = await s.upstream.getBalance();
  } catch (err) {
    s.log.warn({ err }, 'provider balance lookup failed');
  }
  const now = s.clock();
  const tz = s.quota.timeZone;
  const reports = new QuotaReports(s.db);
  const month = startOfMonth(now, tz);
  const guildMonth = await reports.spend(guildId, month);
  const all = await reports.spend(null, month);
  const head =
    balance && (balance.remainingUsd !== null || balance.totalUsd !== null || balance.usedUsd !== null)
      ? t(locale, 'admin.balance.available', balance)
      : t(locale, 'admin.balance.unavailable');
  return `${head}\n\n${t(locale, 'admin.balance.recorded', {
    guildToday: (await reports.spend(guildId, startOfDay(now, tz))).credits,
    guildMonth: guildMonth.credits,
    guildMonthTokens: guildMonth.tokens,
    allMonth: all.credits,
    allMonthTokens: all.tokens,
    unknownJobs: guildMonth.unknownJobs,
  })}`;
}

/** `/model3d-admin`: the gate, then an ephemeral answer. Refusals go through the router as UserFacingError. */
export async function executeAdmin(i: ChatInputCommandInteraction, s: Services): Promise<void> {
  assertModerator(i);
  await i.deferReply({ flags: MessageFlags.Ephemeral });
  const out = await run(i, s);
  if (typeof out === 'string') {
    await i.editReply({ content: out.slice(0, 2000), allowedMentions: { parse: [] } });
  } else {
    await i.editReply({
      content: out.content,
      files: [{ attachment: Buffer.from(out.csv, 'utf8'), name: out.name }],
      allowedMentions: { parse: [] },
    });
  }
}

/** The audit record's buttons. Permission is checked at press time, before anything changes. */
export async function handleAuditButton(i: ButtonInteraction, s: Services, rest?: AuditRest): Promise<void> {
  const parsed = parseAuditButton(i.customId);
  if (!parsed) throw new UserFacingError(t(i.locale, 'error.unknownCommand'), true);
  assertModerator(i);
  const guildId = i.guildId;
  const L = i.locale;
  const restClient = rest ?? s.client.rest;
  // From here on the button's message is ours to update; answers to the moderator are follow-ups.
  await i.deferUpdate();
  const say = (content: string) =>
    i.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }).then(() => undefined);
  try {
    if (parsed.action === 'refund') {
      const r = await s.quota.refundJob(s.jobs, parsed.jobId, guildId, i.user.id);
      if (!r.ok) {
        await say(t(L, r.reason === 'already_refunded' ? 'audit.refund.already' : r.reason === 'in_flight' ? 'audit.refund.inFlight' : 'audit.refund.unknownJob'));
        return;
      }
      // No pending edit of the poller may bring the removed result back.
      await s.jobs.giveUpDelivery(r.job.id, 'result removed by a moderator', s.clock());
      const message = await removeResult(restClient, r.job);
      await s.gallery.remove(r.job.id).catch((err: unknown) => s.log.warn({ err, jobId: r.job.id }, 'gallery post not removed'));
      await removeJobFiles(s.jobs, r.job, s.config.filesDir, s.clock()).catch((err: unknown) =>
        s.log.error({ err, jobId: r.job.id }, 'stored files of a removed result not removed; retention tries again'),
      );
      await recordChange(s, i, 'refund', r.job.userId, { jobId: r.job.id, credits: r.entry.credits, message });
      await refreshRecord(i, s, parsed.jobId);
      await say(t(L, 'audit.refund.done', { user: `<@${r.job.userId}>`, credits: r.entry.credits, message }));
      return;
    }
    const userId = parsed.userId;
    if (!await s.quota.block(guildId, userId, null, i.user.id)) {
      await say(t(L, 'audit.block.already', { user: `<@${userId}>` }));
      return;
    }
    await recordChange(s, i, 'block', userId, { via: 'audit button' });
    const record = await s.quota.store.auditMessageById(i.message.id);
    if (record) await refreshRecord(i, s, record.jobId);
    await say(t(L, 'audit.block.done', { user: `<@${userId}>` }));
  } catch (err) {
    s.log.error({ err, guildId, customId: i.customId }, 'audit button failed');
    await say(t(L, 'error.internal')).catch(() => undefined);
  }
}

async function refreshRecord(i: ButtonInteraction, s: Services, jobId: number): Promise<void> {
  const job = await s.jobs.get(jobId);
  if (!job?.guildId) return;
  const body = renderAuditRecord(job, {
    refund: await s.quota.store.refundOf(job.id),
    blocked: await s.quota.store.block(job.guildId, job.userId) !== undefined,
  });
  await i.editReply({ embeds: body.embeds ?? [], components: body.components ?? [] } as Parameters<ButtonInteraction['editReply']>[0]);
}
