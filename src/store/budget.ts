import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';

/** A slice reserved for the caller, from `startUs`; or none, because the schedule is full until `nextUs` less the horizon. */
export type Reservation = { startUs: number } | { nextUs: number };

/**
 * A schedule this far ahead of the caller's clock was written by a clock that was wrong (no
 * reservation reaches more than a second ahead): it is started again from the caller's time rather
 * than holding every process back until its own clock gets there.
 */
const STALE_US = 10_000_000;

/**
 * The rate budget that every process on this store shares (migration 14): a schedule of calls
 * whose end, `next_us`, each reservation moves on. One statement reserves a slice atomically on
 * both backends (SQLite's write lock; PostgreSQL's row lock on the upsert), so two processes never
 * get overlapping slices. The row is created by the first reservation.
 */
export class BudgetStore {
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly name = 'upstream',
  ) {
    const d = sqlDialect(db.dialect);
    const now = 'CAST(@now AS BIGINT)';
    const len = 'CAST(@len AS BIGINT)';
    this.q = {
      reserve: `
        INSERT INTO rate_budgets (name, next_us) VALUES (@name, ${now} + ${len})
        ON CONFLICT (name) DO UPDATE SET next_us = CASE
            WHEN rate_budgets.next_us > ${now} + ${STALE_US} THEN ${now}
            ELSE ${d.greatest('rate_budgets.next_us', now)} END + ${len}
          WHERE rate_budgets.next_us <= ${now} + CAST(@horizon AS BIGINT) OR rate_budgets.next_us > ${now} + ${STALE_US}
        RETURNING next_us`,
      next: 'SELECT next_us FROM rate_budgets WHERE name = @name',
    };
  }

  /**
   * Reserves `lenUs` of the schedule, starting where it ends now or at `nowUs` if later, unless it
   * already reaches more than `horizonUs` past `nowUs` (times in epoch microseconds).
   */
  async reserve(nowUs: number, lenUs: number, horizonUs: number): Promise<Reservation> {
    const params = { name: this.name, now: nowUs, len: lenUs, horizon: horizonUs };
    const row = await this.db.get<{ next_us: number }>(this.q.reserve, params);
    if (row) return { startUs: Number(row.next_us) - lenUs };
    const held = await this.db.get<{ next_us: number }>(this.q.next, { name: this.name });
    return { nextUs: Number(held?.next_us ?? nowUs) };
  }
}
