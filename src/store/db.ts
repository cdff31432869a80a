export type Dialect = 'sqlite' | 'postgres';

/**
 * Named parameters, written `@name` in the SQL of both dialects. Arrays are for `inList` (see
 * dialect.ts); booleans are stored as 1/0; undefined binds as NULL. Numbers must be safe integers:
 * both backends refuse anything else with the same error (params.ts).
 */
export type Params = Record<string, unknown>;

/**
 * The one store interface: SQLite (better-sqlite3, one file) or PostgreSQL (node-postgres pool).
 * The store modules (jobs, quota, audit, history, gallery, reports) are written once against it; where the two
 * dialects differ they pick a fragment from `dialect.ts`.
 *
 * Transactions: calls made inside `transaction(fn)` — in fn's async context, through any store
 * object on this Db — run in that transaction. Everything else waits (SQLite: one connection)
 * or runs on another pooled connection (PostgreSQL).
 */
export interface Db {
  readonly dialect: Dialect;
  /** Every row the statement returns. */
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /** Runs several statements without parameters (tests, migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn in one transaction that no other writer can interleave with:
   * SQLite `BEGIN IMMEDIATE` (the file's write lock, across processes too);
   * PostgreSQL `SERIALIZABLE`, with fn run again (up to a bound) when the server reports a
   * serialization failure. So fn must have no effects outside the database.
   * A transaction inside a transaction joins the outer one.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
