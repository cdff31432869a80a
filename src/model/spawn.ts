// How a model process is started: which entry (the built child.js beside this file; under the test
// runner, child.ts through tsx), with which limits, and with which environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ChildLimits {
  /** V8 heap (old generation) limit, MB: --max-old-space-size. */
  heapMb: number;
  /**
   * OS bound on the process's private writable memory, MB: RLIMIT_DATA, set by `ulimit -d` in the
   * /bin/sh that execs node. Since Linux 4.7 it counts every private writable mapping: the heap,
   * typed arrays, WebAssembly memories, libvips' and glibc's buffers, thread stacks. Unlike
   * RLIMIT_AS it ignores address space that is only reserved (V8 reserves tens of GB for
   * WebAssembly alone), so it bounds memory in use without breaking start-up. An allocation over it
   * fails inside the process: a JS error, or V8's fatal out-of-memory abort.
   */
  memoryMb: number;
}

/** The node program and arguments that run the child entry. */
function entry(): string[] {
  const js = new URL('./child.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return [fileURLToPath(js)];
  // Under vitest or tsx (src/ run as TypeScript): load child.ts through tsx, resolved from here, not from the cwd.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, fileURLToPath(new URL('./child.ts', import.meta.url))];
}

/**
 * What the model process inherits: nothing secret. It reads untrusted files and needs no token or key,
 * so only the locale, time zone, paths and the allocator's and libvips' tuning get through.
 * NODE_OPTIONS is left out: the bot's own flags (e.g. a heap-snapshot signal) are not the child's.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep = /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LANGUAGE|LC_[A-Z]+|TZ|NODE_ENV|UV_THREADPOOL_SIZE|MALLOC_[A-Z_]+|VIPS_[A-Z_]+)$/;
  return Object.fromEntries(Object.entries(env).filter(([k]) => keep.test(k)));
}

/** The OS-level bound is applied where the shell can apply it: Linux (RLIMIT_DATA is enforced there). */
export const OS_MEMORY_BOUND = process.platform === 'linux' && existsSync('/bin/sh');

/**
 * Starts one model process with an IPC channel; stdout is dropped, stderr is piped (the pool keeps its
 * tail, which says why a process died). `ulimit -d` that fails (a tighter hard limit is already set)
 * leaves that tighter bound in force.
 */
export function spawnModelChild(limits: ChildLimits): ChildProcess {
  const args = [`--max-old-space-size=${Math.floor(limits.heapMb)}`, ...entry()];
  const options = { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[], env: childEnv() };
  if (!OS_MEMORY_BOUND) return spawn(process.execPath, args, options);
  const kb = Math.floor(limits.memoryMb * 1024);
  return spawn('/bin/sh', ['-c', `ulimit -d ${kb} 2>/dev/null; exec "$@"`, 'model-process', process.execPath, ...args], options);
}
