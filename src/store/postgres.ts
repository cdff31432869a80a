import pg from 'pg';
import type { Db, Params } from './db.js';
import { migrations } from './migrations.js';
import { checkParams } from './params.js';
import { TxContext } from './tx-context.js';

/** Serialization failure and deadlock: the transaction is safe to run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 20;

/**
 * Times are epoch milliseconds in BIGINT columns and sums come back as NUMERIC; both fit a JS
 * number exactly (below 2^53), so they are parsed as numbers, as SQLite returns them.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

interface OpenTx {
  client: pg.PoolClient;
  open: boolean;
}

/** PostgreSQL through a node-postgres pool. */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly tx = new TxContext<OpenTx>();
  private readonly compiled = new Map<string, { text: string; names: string[] }>();

  constructor(readonly pool: pg.Pool) {}

  async all<T>(sql: string, params: Params = {}): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: Params = {}): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: Params = {}): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.executor().query(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.get()) return fn();
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const ctx: OpenTx = { client, open: true };
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await this.tx.run(ctx, fn);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
          continue;
        }
        throw err;
      } finally {
        ctx.open = false;
        client.release();
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private executor(): pg.Pool | pg.PoolClient {
    return this.tx.get()?.client ?? this.pool;
  }

  private query(sql: string, params: Params): Promise<pg.QueryResult> {
    checkParams(params);
    const { text, names } = this.compile(sql);
    const values = names.map((n) => {
      if (!(n in params)) throw new Error(`missing SQL parameter @${n}`);
      const v = params[n];
      return v === undefined ? null : v;
    });
    return this.executor().query(text, values);
  }

  /** `@name` → `$n`, once per statement text. */
  private compile(sql: string): { text: string; names: string[] } {
    let c = this.compiled.get(sql);
    if (!c) {
      const names: string[] = [];
      const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
        let i = names.indexOf(name);
        if (i < 0) i = names.push(name) - 1;
        return `$${i + 1}`;
      });
      c = { text, names };
      this.compiled.set(sql, c);
    }
    return c;
  }
}

/** Connects a pool to `url` and brings the schema up to date (once, even with several processes starting). */
export async function openPostgres(url: string, o: { max?: number } = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({ connectionString: url, max: o.max ?? 10, types });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresDb(pool);
}

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // One migrator at a time per schema; the others wait and then find nothing left to do.
    await client.query(`SELECT pg_advisory_lock(hashtext('model3d-migrations:' || current_schema()))`);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.postgres);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('model3d-migrations:' || current_schema()))`);
    }
  } finally {
    client.release();
  }
}
