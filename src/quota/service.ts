import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import { CHARGED_STATES, isIn, isTerminal, type Job, type JobState } from '../domain/job.js';
import type { JobStore } from '../store/jobs.js';
import type { Quality } from '../domain/quality.js';
import type { QuotaStore, Block, LedgerEntry } from '../store/quota.js';
import { startOfDay, startOfMonth, startOfNextDay } from './time.js';
import { creditsRefunded } from '../metrics/index.js';

export interface QuotaRequest {
  userId: string;
  guildId: string | null;
  roleIds: string[];
  quality: Quality;
  /** How many views the job is made from (default 1); two or more cost QUOTA_MULTIVIEW_COST more. */
  views?: number;
}

export type QuotaDenial =
  | { limit: 'blocked'; reason: string | null }
  | { limit: 'user_daily'; allowance: number; used: number; cost: number; resetsAt: number }
  | { limit: 'user_daily_all'; allowance: number; used: number; cost: number; resetsAt: number }
  | { limit: 'guild_daily'; allowance: number; used: number; cost: number; resetsAt: number }
  | { limit: 'global_daily'; allowance: number; used: number; cost: number; resetsAt: number }
  | { limit: 'concurrent'; max: number; inFlight: number }
  | { limit: 'cooldown'; until: number };

/** Where a member's daily allowance comes from. */
export type AllowanceSource = 'operator' | 'server' | 'role';

/** The limits that apply to one member in one place (a server, or DMs when guildId is null). */
export interface EffectiveLimits {
  userDaily: number;
  allowanceSource: AllowanceSource;
  cooldownS: number;
  maxConcurrent: number;
  guildDaily: number | null;
  globalDaily: number | null;
  /** The member's cap across every server and DMs (QUOTA_USER_DAILY_ALL), null when off. */
  userDailyAll: number | null;
}

/** Everything /quota shows. `used*` are net of refunds and grants (they may be negative after a grant). */
export interface QuotaStatus {
  limits: EffectiveLimits;
  usedToday: number;
  remainingToday: number;
  usedThisMonth: number;
  /** Spent today across every server and DMs (what QUOTA_USER_DAILY_ALL caps); null when that cap is off. */
  usedTodayAll: number | null;
  inFlight: number;
  cooldownUntil: number | null;
  resetsAt: number;
  blocked: Block | null;
  costs: Record<Quality, number> & { multiviewExtra: number };
}

export type RefundResult =
  | { ok: true; job: Job; entry: LedgerEntry }
  | { ok: false; reason: 'unknown_job' | 'already_refunded' | 'in_flight'; job?: Job; entry?: LedgerEntry };

const charged = (state: JobState) => isIn(CHARGED_STATES, state);

/**
 * Credits, limits and the ledger. All numbers are SQL aggregates over the jobs table and the
 * quota_ledger table; nothing is counted in memory.
 *
 * Scopes: the daily allowance is per member per server (DM jobs form their own scope,
 * guild_id NULL), and QUOTA_USER_DAILY_ALL caps one member's spend across all of them together.
 * Concurrency and cooldown are per member across everything they run.
 */
export class QuotaService {
  constructor(
    private readonly db: Db,
    private readonly store: QuotaStore,
    private readonly config: Config['quota'],
    private readonly clock: () => number,
  ) {}

  get timeZone(): string {
    return this.config.timeZone;
  }

  get operator(): Config['quota'] {
    return this.config;
  }

  cost(quality: Quality, views = 1): number {
    return (quality === 'detailed' ? this.config.detailedCost : 1) + (views >= 2 ? this.config.multiviewCost : 0);
  }

  /**
   * The member's limits. Daily allowance: the highest allowance among their roles when any role
   * has one; else the server's member allowance when set; else QUOTA_USER_DAILY. Server and role
   * allowances are capped by QUOTA_GUILD_DAILY.
   */
  async limits(guildId: string | null, roleIds: readonly string[]): Promise<EffectiveLimits> {
    const c = this.config;
    if (guildId === null) {
      return {
        userDaily: c.userDaily,
        allowanceSource: 'operator',
        cooldownS: c.cooldownS,
        maxConcurrent: c.maxConcurrent,
        guildDaily: null,
        globalDaily: c.globalDaily > 0 ? c.globalDaily : null,
        userDailyAll: c.userDailyAll > 0 ? c.userDailyAll : null,
      };
    }
    const s = await this.store.settings(guildId);
    const role = await this.store.maxRoleAllowance(guildId, roleIds);
    let userDaily = c.userDaily;
    let allowanceSource: AllowanceSource = 'operator';
    if (role !== null) {
      userDaily = role;
      allowanceSource = 'role';
    } else if (s?.userDaily != null) {
      userDaily = s.userDaily;
      allowanceSource = 'server';
    }
    return {
      userDaily: Math.min(userDaily, c.guildDaily),
      allowanceSource,
      // Servers may only tighten the operator's cooldown and concurrency.
      cooldownS: Math.max(s?.cooldownS ?? c.cooldownS, c.cooldownS),
      maxConcurrent: Math.min(s?.maxConcurrent ?? c.maxConcurrent, c.maxConcurrent),
      guildDaily: c.guildDaily,
      globalDaily: c.globalDaily > 0 ? c.globalDaily : null,
      userDailyAll: c.userDailyAll > 0 ? c.userDailyAll : null,
    };
  }

  async status(req: Omit<QuotaRequest, 'quality'>): Promise<QuotaStatus> {
    const now = this.clock();
    const tz = this.config.timeZone;
    const limits = await this.limits(req.guildId, req.roleIds);
    const usedToday = await this.store.memberUsed(req.guildId, req.userId, startOfDay(now, tz));
    const last = await this.store.lastSubmitAt(req.userId);
    const cooldownUntil = last !== null && limits.cooldownS > 0 ? last + limits.cooldownS * 1000 : null;
    return {
      limits,
      usedToday,
      remainingToday: Math.max(0, limits.userDaily - usedToday),
      usedThisMonth: await this.store.memberUsed(req.guildId, req.userId, startOfMonth(now, tz)),
      usedTodayAll: limits.userDailyAll === null ? null : await this.store.memberSpendAll(req.userId, startOfDay(now, tz)),
      inFlight: await this.store.inFlight(req.userId),
      cooldownUntil: cooldownUntil !== null && cooldownUntil > now ? cooldownUntil : null,
      resetsAt: startOfNextDay(now, tz),
      blocked: req.guildId ? ((await this.store.block(req.guildId, req.userId)) ?? null) : null,
      costs: { standard: this.cost('standard'), detailed: this.cost('detailed'), multiviewExtra: this.config.multiviewCost },
    };
  }

  /** Read-only pre-check (before any network work). */
  check(req: QuotaRequest): Promise<QuotaDenial | null> {
    return this.evaluate(req, this.clock());
  }

  /**
   * Checks every limit and, in ONE transaction, calls insert(cost) to write the job row (the reservation).
   * Two reserves, from any connection or process, behave as if one ran after the other: on SQLite
   * BEGIN IMMEDIATE takes the write lock before reading; on PostgreSQL the transaction is
   * SERIALIZABLE and the loser of a conflict runs again and sees the winner's row.
   * insert may therefore run more than once on PostgreSQL: it must only write through the store.
   */
  reserve(
    req: QuotaRequest,
    insert: (cost: number) => Promise<Job>,
  ): Promise<{ ok: true; job: Job } | { ok: false; denial: QuotaDenial }> {
    return this.db.transaction(async () => {
      const denial = await this.evaluate(req, this.clock());
      if (denial) return { ok: false as const, denial };
      return { ok: true as const, job: await insert(this.cost(req.quality, req.views)) };
    });
  }

  private async evaluate(req: QuotaRequest, now: number): Promise<QuotaDenial | null> {
    const tz = this.config.timeZone;
    const s = this.store;
    if (req.guildId) {
      const block = await s.block(req.guildId, req.userId);
      if (block) return { limit: 'blocked', reason: block.reason };
    }
    const limits = await this.limits(req.guildId, req.roleIds);
    // Daily limits first: they say the most (nothing more today), the short waits come last.
    const cost = this.cost(req.quality, req.views);
    const dayStart = startOfDay(now, tz);
    const resetsAt = startOfNextDay(now, tz);
    const used = await s.memberUsed(req.guildId, req.userId, dayStart);
    if (used + cost > limits.userDaily) {
      return { limit: 'user_daily', allowance: limits.userDaily, used, cost, resetsAt };
    }
    if (limits.userDailyAll !== null) {
      const all = await s.memberSpendAll(req.userId, dayStart);
      if (all + cost > limits.userDailyAll) return { limit: 'user_daily_all', allowance: limits.userDailyAll, used: all, cost, resetsAt };
    }
    if (req.guildId && limits.guildDaily !== null) {
      const g = await s.guildSpend(req.guildId, dayStart);
      if (g + cost > limits.guildDaily) return { limit: 'guild_daily', allowance: limits.guildDaily, used: g, cost, resetsAt };
    }
    if (limits.globalDaily !== null) {
      const g = await s.globalSpend(dayStart);
      if (g + cost > limits.globalDaily) return { limit: 'global_daily', allowance: limits.globalDaily, used: g, cost, resetsAt };
    }
    const inFlight = await s.inFlight(req.userId);
    if (inFlight >= limits.maxConcurrent) return { limit: 'concurrent', max: limits.maxConcurrent, inFlight };
    if (limits.cooldownS > 0) {
      const last = await s.lastSubmitAt(req.userId);
      const until = last === null ? 0 : last + limits.cooldownS * 1000;
      if (until > now) return { limit: 'cooldown', until };
    }
    return null;
  }

  // --- moderator actions (the command layer checks permissions and logs) ---

  /** Extra credits for the member, for today. */
  grant(guildId: string, userId: string, credits: number, moderatorId: string): Promise<LedgerEntry> {
    const now = this.clock();
    return this.store.addLedger({
      guildId, userId, kind: 'grant', credits, jobId: null, moderatorId, note: null, appliesAt: now, createdAt: now,
    });
  }

  /** Gives the member back the credits they used today. Returns the entry, or null when they had used none. */
  reset(guildId: string, userId: string, moderatorId: string): Promise<LedgerEntry | null> {
    return this.db.transaction(async () => {
      const now = this.clock();
      const used = await this.store.memberUsed(guildId, userId, startOfDay(now, this.config.timeZone));
      if (used <= 0) return null;
      return this.store.addLedger({
        guildId, userId, kind: 'reset', credits: used, jobId: null, moderatorId, note: null, appliesAt: now, createdAt: now,
      });
    });
  }

  /**
   * A moderator's refund of one finished job of this server. The credits go back on the day the
   * job was charged. A job that was already refunded automatically (failed, …) gets a 0-credit
   * entry so that the refund is still on record and cannot be repeated.
   */
  async refundJob(jobs: JobStore, jobId: number, guildId: string, moderatorId: string): Promise<RefundResult> {
    const result = await this.db.transaction(async (): Promise<RefundResult> => {
      const job = await jobs.get(jobId);
      if (!job || job.guildId !== guildId) return { ok: false, reason: 'unknown_job' };
      const prior = await this.store.refundOf(jobId);
      if (prior) return { ok: false, reason: 'already_refunded', job, entry: prior };
      if (!isTerminal(job.state)) return { ok: false, reason: 'in_flight', job };
      const now = this.clock();
      const entry = await this.store.addLedger({
        guildId,
        userId: job.userId,
        kind: 'refund',
        credits: charged(job.state) ? job.cost : 0,
        jobId,
        moderatorId,
        note: null,
        appliesAt: job.createdAt,
        createdAt: now,
      });
      return { ok: true, job, entry };
    });
    if (result.ok) creditsRefunded.inc(result.entry.credits);
    return result;
  }

  /** Returns false when the member was already blocked. */
  block(guildId: string, userId: string, reason: string | null, moderatorId: string): Promise<boolean> {
    return this.store.addBlock({ guildId, userId, reason, moderatorId, createdAt: this.clock() });
  }

  unblock(guildId: string, userId: string): Promise<boolean> {
    return this.store.removeBlock(guildId, userId);
  }
}
