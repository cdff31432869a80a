import { t } from '../i18n/index.js';
import type { QuotaStatus } from '../quota/service.js';

/** The ephemeral /quota answer. */
export function quotaStatusText(locale: string, s: QuotaStatus, inGuild: boolean): string {
  const lines = [t(locale, inGuild ? 'quota.status.headerGuild' : 'quota.status.headerDm')];
  if (s.blocked) lines.push(t(locale, 'quota.status.blocked', { reason: s.blocked.reason }));
  lines.push(
    t(locale, 'quota.status.remaining', { remaining: s.remainingToday, allowance: s.limits.userDaily }),
    t(locale, 'quota.status.costs', s.costs),
    t(locale, 'quota.status.month', { used: s.usedThisMonth }),
    t(locale, 'quota.status.inFlight', { inFlight: s.inFlight, max: s.limits.maxConcurrent }),
    s.cooldownUntil ? t(locale, 'quota.status.cooldown', { until: s.cooldownUntil }) : t(locale, 'quota.status.noCooldown'),
    t(locale, 'quota.status.resets', { at: s.resetsAt }),
    t(locale, 'quota.status.refundNote'),
  );
  return lines.join('\n');
}
