import type { ChatInputCommandInteraction } from 'discord.js';
import { t } from '../i18n/index.js';
import { memberRoleIds } from '../discord/members.js';
import { jumpLink } from '../discord/links.js';
import { jobsCsv } from '../quota/csv.js';
import { startOfDay, startOfDaysAgo, startOfMonth } from '../quota/time.js';
import { checkRange, mention, ranges, recordChange } from './moderators.js';
import type { Services } from './services.js';

/** The `days` option (today included, checked against its range) and where that period starts. */
function period(i: ChatInputCommandInteraction, s: Services, defaultDays: number) {
  const R = ranges(s.quota.operator);
  const now = s.clock();
  const daysOpt = i.options.getInteger('days');
  const days = daysOpt === null ? defaultDays : checkRange(i.locale, 'days', daysOpt, R.days.min, R.days.max);
  return { guildId: i.guildId!, L: i.locale, now, days, since: startOfDaysAgo(now, days, s.quota.timeZone) };
}

/** `/model3d-admin usage`: server totals and top members, or one member's recent jobs. */
export async function usageText(i: ChatInputCommandInteraction, s: Services): Promise<string> {
  const { guildId, L, days, since } = period(i, s, 7);
  const reports = s.stores.reports;
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
        link: jumpLink(j),
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

/** `/model3d-admin export`: this server's jobs as CSV, one row per job. */
export async function exportCsv(i: ChatInputCommandInteraction, s: Services): Promise<{ content: string; csv: string; name: string }> {
  const { guildId, L, now, days, since } = period(i, s, 30);
  const { csv, count } = jobsCsv(await s.stores.reports.exportRows(guildId, since));
  await recordChange(s, i, 'export', null, { days, rows: count });
  const date = new Date(now).toISOString().slice(0, 10);
  return { content: t(L, 'admin.export.done', { rows: count, days }), csv, name: `model3d-jobs-${guildId}-${date}.csv` };
}

/** `/model3d-admin balance`: the provider's balance when the gateway reports it, and the spend the bot recorded. */
export async function balanceText(
  s: Pick<Services, 'upstream' | 'stores' | 'clock' | 'quota' | 'log'>,
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
  const reports = s.stores.reports;
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
