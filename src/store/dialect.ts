import type { Dialect } from './db.js';

/**
 * The few SQL fragments that differ between SQLite and PostgreSQL. Everything else is written
 * once in SQL both accept: CASE instead of boolean arithmetic, `CAST(@p AS BIGINT)` where
 * PostgreSQL cannot infer a parameter's type, quoted aliases where the case matters.
 */
export interface SqlDialect {
  /** The larger of two values (SQLite's two-argument MAX). */
  greatest(a: string, b: string): string;
  /** The smaller of two values. */
  least(a: string, b: string): string;
  /** `column` is one of the values of the array parameter `@param`. */
  inList(column: string, param: string, type: 'BIGINT' | 'TEXT'): string;
  /** `column` equals `@param`, NULL matching NULL. */
  same(column: string, param: string): string;
  /** Claim subquery suffix: rows another transaction is claiming are skipped, not waited for. */
  skipLocked: string;
}

const sqlite: SqlDialect = {
  greatest: (a, b) => `MAX(${a}, ${b})`,
  least: (a, b) => `MIN(${a}, ${b})`,
  inList: (column, param) => `${column} IN (SELECT value FROM json_each(@${param}))`,
  same: (column, param) => `${column} IS @${param}`,
  // SQLite has one writer at a time; a claim's UPDATE already excludes every other claim.
  skipLocked: '',
};

const postgres: SqlDialect = {
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  inList: (column, param, type) => `${column} = ANY(CAST(@${param} AS ${type}[]))`,
  same: (column, param) => `${column} IS NOT DISTINCT FROM CAST(@${param} AS TEXT)`,
  skipLocked: 'FOR UPDATE SKIP LOCKED',
};

export function sqlDialect(d: Dialect): SqlDialect {
  return d === 'postgres' ? postgres : sqlite;
}
