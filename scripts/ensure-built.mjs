// Builds dist/ with tsc when any source file is newer than the last build, so that
// `npm start` works right after `npm ci` on a fresh clone and stays fast afterwards.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, existsSync, openSync, closeSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.tsbuildinfo');
const lock = join(root, 'dist.build.lock');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'commands')),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  );
  return sources > statSync(stamp).mtimeMs;
}

/**
 * Whether the lock's holder (the pid written in it) no longer runs. An empty lock is being written,
 * unless it has been empty for seconds (its writer died between creating and writing it).
 */
function holderGone() {
  let pid;
  try {
    pid = Number(readFileSync(lock, 'utf8') || 0);
    if (pid === 0) return Date.now() - statSync(lock).mtimeMs > 10_000;
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid < 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

if (isStale()) {
  // Several processes may start at once (tests): one builds, the others wait for it.
  let fd;
  const deadline = Date.now() + 120_000;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
    } catch {
      // A build killed mid-way (a SIGKILLed `npm start`) leaves its lock behind: its pid is gone.
      if (holderGone()) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        console.error(`build lock ${lock} held for over 2 minutes; delete it if no build is running`);
        process.exit(1);
      }
      await sleep(200);
    }
  }
  try {
    if (isStale()) {
      const started = new Date();
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
      // Date the build from its start, so a source edited while tsc ran still counts as newer.
      utimesSync(stamp, started, started);
    }
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}
