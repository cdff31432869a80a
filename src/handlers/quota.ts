import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { t } from '../i18n/index.js';
import { roleIdsOf } from '../discord/members.js';
import type { QuotaDenial, QuotaStatus } from '../quota/service.js';
import type { Services } from './services.js';

/** `/quota`: the member's credits, limits and reset time, privately. */
export async function executeQuota(interaction: ChatInputCommandInteraction, services: Services): Promise<void> {
  const status = await services.quota.status({
    userId: interaction.user.id,
    guildId: interaction.guildId,
    roleIds: roleIdsOf(interaction),
  });
  await interaction.reply({
    content: quotaStatusText(interaction.locale, status, interaction.guildId !== null),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/** The ephemeral /quota answer. */
function quotaStatusText(locale: string, s: QuotaStatus, inGuild: boolean): string {
  const lines = [t(locale, inGuild ? 'quota.status.headerGuild' : 'quota.status.headerDm')];
  if (s.blocked) lines.push(t(locale, 'quota.status.blocked', { reason: s.blocked.reason }));
  lines.push(
    t(locale, 'quota.status.remaining', { remaining: s.remainingToday, allowance: s.limits.userDaily }),
    ...(s.limits.userDailyAll !== null && s.usedTodayAll !== null
      ? [t(locale, 'quota.status.everywhere', { used: s.usedTodayAll, allowance: s.limits.userDailyAll })]
      : []),
    t(locale, 'quota.status.costs', s.costs),
    t(locale, 'quota.status.month', { used: s.usedThisMonth }),
    t(locale, 'quota.status.inFlight', { inFlight: s.inFlight, max: s.limits.maxConcurrent }),
    s.cooldownUntil ? t(locale, 'quota.status.cooldown', { until: s.cooldownUntil }) : t(locale, 'quota.status.noCooldown'),
    t(locale, 'quota.status.resets', { at: s.resetsAt }),
    t(locale, 'quota.status.refundNote'),
  );
  return lines.join('\n');
}

/** The short, ephemeral text a member sees when /model3d is over a limit. */
export function denialText(locale: string, denial: QuotaDenial): string {
  switch (denial.limit) {
    case 'blocked':
      return t(locale, 'quota.denied.blocked', { reason: denial.reason });
    case 'concurrent':
      return t(locale, 'quota.denied.concurrent', { max: denial.max, inFlight: denial.inFlight });
    case 'cooldown':
      return t(locale, 'quota.denied.cooldown', { until: denial.until });
    case 'user_daily':
    case 'user_daily_all':
    case 'guild_daily':
    case 'global_daily': {
      const values = {
        allowance: denial.allowance,
        remaining: Math.max(0, denial.allowance - denial.used),
        cost: denial.cost,
        resetsAt: denial.resetsAt,
      };
      if (denial.limit === 'user_daily') return t(locale, 'quota.denied.userDaily', values);
      if (denial.limit === 'user_daily_all') return t(locale, 'quota.denied.userDailyAll', values);
      if (denial.limit === 'guild_daily') return t(locale, 'quota.denied.guildDaily', values);
      return t(locale, 'quota.denied.globalDaily', values);
    }
  }
}
