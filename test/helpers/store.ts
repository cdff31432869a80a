import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openSqlite, type SqliteDb } from '../../src/store/sqlite.js';
import { openPostgres, type PostgresDb } from '../../src/store/postgres.js';
import { tempDir } from './tmp.js';

import type { Backend } from './backends.js';

export { BACKENDS, type Backend } from './backends.js';

/** One empty store of either kind: a SQLite file in a temp dir, or a schema of its own on the run's PostgreSQL. */
export interface TestStore {
  backend: Backend;
  db: Db;
  /** What another process passes to openStore to reach the same data. */
  location: { databasePath: string; databaseUrl?: string };
  /** Closes and opens the same store again (a restart). */
  reopen(): Promise<Db>;
  cleanup(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: inject('postgresUrl') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Schemas of this test file. A test takes one to itself and gives it back emptied, so the
 * migrations run once per schema rather than once per test; the file drops them at the end.
 */
const idle: string[] = [];
const created: string[] = [];
// Only inside vitest: the benchmarks (tsx, no test runner) import this through the e2e harness.
if (process.env.VITEST) {
  afterAll(async () => {
    if (created.length === 0) return;
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${created.join(', ')} CASCADE`));
  });
}

function schemaUrl(schema: string): string {
  const url = new URL(inject('postgresUrl'));
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A new empty schema on the run's PostgreSQL server (no tables yet), for tests of their own. */
export async function freshSchemaUrl(): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  created.push(schema);
  return schemaUrl(schema);
}

async function emptied(db: PostgresDb): Promise<void> {
  const tables = await db.all<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
  );
  if (tables.length) await db.exec(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
}

export async function openTestStore(backend: Backend): Promise<TestStore> {
  const tmp = tempDir(`model3d-${backend}-`);
  const databasePath = join(tmp.dir, 'nested', 'bot.sqlite');
  if (backend === 'sqlite') {
    let db: SqliteDb = openSqlite(databasePath);
    return {
      backend,
      get db() {
        return db;
      },
      location: { databasePath },
      reopen: async () => {
        await db.close();
        db = openSqlite(databasePath);
        return db;
      },
      cleanup: async () => {
        await db.close();
        tmp.cleanup();
      },
    };
  }
  const reused = idle.pop();
  const url = reused ?? (await freshSchemaUrl());
  let db: PostgresDb = await openPostgres(url, { max: 4 });
  if (reused) await emptied(db);
  let closed = false;
  return {
    backend,
    get db() {
      return db;
    },
    location: { databasePath, databaseUrl: url },
    reopen: async () => {
      await db.close();
      db = await openPostgres(url, { max: 4 });
      return db;
    },
    cleanup: async () => {
      if (closed) return;
      closed = true;
      await db.close().catch(() => undefined);
      idle.push(url);
      tmp.cleanup();
    },
  };
}
