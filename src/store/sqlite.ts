import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Db, Params } from './db.js';
import { migrations } from './migrations.js';
import { checkParams } from './params.js';
import { TxContext } from './tx-context.js';

/** SQLite through better-sqlite3: one connection, WAL mode, synchronous calls behind the async interface. */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly tx = new TxContext<{ open: boolean }>();
  /** Set while a transaction is open; calls from outside it wait for `unlocked`. */
  private holder: { open: boolean } | null = null;
  private waiters: (() => void)[] = [];

  constructor(readonly raw: Database.Database) {}

  get open(): boolean {
    return this.raw.open;
  }

  async all<T>(sql: string, params: Params = {}): Promise<T[]> {
    await this.turn();
    return this.prepare(sql).all(bind(params)) as T[];
  }

  async get<T>(sql: string, params: Params = {}): Promise<T | undefined> {
    await this.turn();
    return this.prepare(sql).get(bind(params)) as T | undefined;
  }

  async run(sql: string, params: Params = {}): Promise<number> {
    await this.turn();
    return this.prepare(sql).run(bind(params)).changes;
  }

  async exec(sql: string): Promise<void> {
    await this.turn();
    this.raw.exec(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.get()) return fn();
    while (this.holder) await new Promise<void>((r) => this.waiters.push(r));
    const ctx = { open: true };
    this.holder = ctx;
    try {
      // IMMEDIATE takes the write lock before the first read, so a check-then-write in fn
      // cannot interleave with another connection's (or process's) check-then-write.
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.tx.run(ctx, fn);
        this.raw.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw err;
      }
    } finally {
      ctx.open = false;
      this.holder = null;
      const waiting = this.waiters;
      this.waiters = [];
      for (const wake of waiting) wake();
    }
  }

  async close(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }

  /** Waits while another async flow holds a transaction on this connection. */
  private async turn(): Promise<void> {
    while (this.holder && this.tx.get() !== this.holder) await new Promise<void>((r) => this.waiters.push(r));
  }

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function bind(params: Params): Record<string, unknown> {
  checkParams(params);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) out[k] = null;
    else if (typeof v === 'boolean') out[k] = v ? 1 : 0;
    else if (Array.isArray(v)) out[k] = JSON.stringify(v);
    else out[k] = v;
  }
  return out;
}

/** Opens (creating if needed) the SQLite file in WAL mode and brings its schema up to date. */
export function openSqlite(path: string): SqliteDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new Database(path);
  // The busy timeout first: processes opening one file together (shards) wait for each other's
  // switch to WAL instead of failing with "database is locked".
  raw.pragma('busy_timeout = 5000');
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  migrateSqlite(raw);
  return new SqliteDb(raw);
}

function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    // Checked inside the write transaction: two processes starting together apply each migration once.
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, Date.now());
    }).immediate();
  }
}
