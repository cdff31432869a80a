import type { Params } from './db.js';

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * The one check every statement's parameters pass, on SQLite and PostgreSQL alike (arrays for
 * `inList` included): a number that reaches the store is a whole number JavaScript holds exactly.
 * Every numeric column is an integer (epoch-millisecond times, ids, sizes, counts; see
 * migrations.ts). Unchecked, the backends disagree: SQLite keeps 1.5 as a REAL in an INTEGER column
 * where PostgreSQL's BIGINT refuses it, and a number past 2^53 has lost digits before either sees it.
 * Producers of computed values round where rounding is right (src/jobs/schedule.ts); any other
 * fraction is a bug, and it fails here, naming the parameter.
 */
export function checkParams(params: Params): void {
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof v === 'number' && !Number.isSafeInteger(v)) {
        throw new Error(`SQL parameter @${name} must be a whole number from -${MAX} to ${MAX}; got ${v}`);
      }
    }
  }
}
