import { ChannelType, MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { t } from '../i18n/index.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import { memberRoleIds } from '../discord/members.js';
import { balanceText, exportCsv, usageText } from './admin-reports.js';
import { assertModerator, checkRange, mention, ranges, recordChange, remainingToday, requireMember, requireRole } from './moderators.js';
import type { Services } from './services.js';

async function limitsText(s: Services, guildId: string, locale: string): Promise<string> {
  const q = s.quota.operator;
  const settings = await s.stores.quota.settings(guildId);
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
    userDailyAll: q.userDailyAll,
    detailedCost: q.detailedCost,
    timeZone: q.timeZone,
    roles: await s.stores.quota.roleAllowances(guildId),
    blocked: await s.stores.quota.blockCount(guildId),
    auditChannelId: settings?.auditChannelId ?? null,
    gallery: (await s.stores.gallery.settings(guildId)) ?? null,
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
        await s.stores.quota.updateSettings(guildId, patch, i.user.id, now);
        await recordChange(s, i, 'limits.set', null, patch);
        return `${t(L, 'admin.limits.updated')}\n\n${await limitsText(s, guildId, L)}`;
      }
      case 'clear': {
        await s.stores.quota.updateSettings(guildId, { userDaily: null, cooldownS: null, maxConcurrent: null }, i.user.id, now);
        await recordChange(s, i, 'limits.clear', null);
        return `${t(L, 'admin.limits.cleared')}\n\n${await limitsText(s, guildId, L)}`;
      }
      case 'role': {
        const role = requireRole(i);
        const daily = checkRange(L, 'daily', i.options.getInteger('daily', true), R.roleDaily.min, R.roleDaily.max);
        await s.stores.quota.setRoleAllowance(guildId, role.id, daily, i.user.id, now);
        await recordChange(s, i, 'limits.role', role.id, { daily });
        return t(L, 'admin.role.set', { role: role.mention, daily });
      }
      case 'role-clear': {
        const role = requireRole(i);
        const had = await s.stores.quota.clearRoleAllowance(guildId, role.id);
        if (!had) return t(L, 'admin.role.notSet', { role: role.mention });
        await recordChange(s, i, 'limits.role-clear', role.id);
        return t(L, 'admin.role.cleared', { role: role.mention });
      }
    }
  }

  if (group === 'gallery') {
    const store = s.stores.gallery;
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
      await s.stores.quota.updateSettings(guildId, { auditChannelId: channel.id }, i.user.id, now);
      await recordChange(s, i, 'audit-channel.set', channel.id);
      return t(L, 'admin.audit.set', { channelId: channel.id });
    }
    const was = (await s.stores.quota.settings(guildId))?.auditChannelId;
    if (!was) return t(L, 'admin.audit.wasOff');
    await s.stores.quota.updateSettings(guildId, { auditChannelId: null }, i.user.id, now);
    await recordChange(s, i, 'audit-channel.off', was);
    return t(L, 'admin.audit.off');
  }

  switch (sub) {
    case 'usage':
      return usageText(i, s);
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
    case 'export':
      return exportCsv(i, s);
  }
  throw new UserFacingError(t(L, 'error.unknownCommand'), true);
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
