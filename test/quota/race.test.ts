import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from './helpers.js';

const child = fileURLToPath(new URL('./race-child.ts', import.meta.url));

function contender(path: string, name: string, limit: string): { proc: ChildProcess; ready: Promise<void>; result: Promise<unknown> } {
  const proc = fork(child, [path, name, limit], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise((resolve, reject) => {
    proc.on('message', (m) => (m === 'ready' ? onReady() : resolve(m)));
    proc.on('exit', (code) => reject(new Error(`contender ${name} exited with ${code}`)));
  });
  return { proc, ready, result };
}

let env: ReturnType<typeof setup>;
afterEach(() => env?.cleanup());

describe('reservation race between two processes', () => {
  for (const limit of ['daily', 'concurrent'] as const) {
    it(`two simultaneous reserves by one member with a ${limit} limit of one: exactly one passes`, async () => {
      env = setup();
      const a = contender(env.path, 'a', limit);
      const b = contender(env.path, 'b', limit);
      await Promise.all([a.ready, b.ready]);
      a.proc.send('go');
      b.proc.send('go');
      const results = (await Promise.all([a.result, b.result])) as { ok: boolean; limit?: string }[];
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, limit: limit === 'daily' ? 'user_daily' : 'concurrent' }]);
      expect(env.db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(1);
    });
  }
});
