import type { Db } from './db.js';
import { openSqlite } from './sqlite.js';

export interface StoreLocation {
  /** `postgres://…` selects PostgreSQL; unset keeps SQLite. */
  databaseUrl?: string | undefined;
  databasePath: string;
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(where: StoreLocation): Promise<Db> {
  // node-postgres is loaded only when it is used (a few MB a SQLite bot does not need).
  if (where.databaseUrl) return (await import('./postgres.js')).openPostgres(where.databaseUrl);
  return openSqlite(where.databasePath);
}
