import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/store.js';
import { setupQuota, type QuotaEnv } from './helpers.js';

const child = fileURLToPath(new URL('./race-child.ts', import.meta.url));

function contender(where: object, name: string, limit: string): { proc: ChildProcess; ready: Promise<void>; result: Promise<unknown> } {
  const proc = fork(child, [JSON.stringify(where), name, limit], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise((resolve, reject) => {
    proc.on('message', (m) => (m === 'ready' ? onReady() : resolve(m)));
    proc.on('exit', (code) => reject(new Error(`contender ${name} exited with ${code}`)));
  });
  return { proc, ready, result };
}

let env: QuotaEnv;
afterEach(() => env?.cleanup());

describe.each(BACKENDS)('reservation race between two processes (%s)', (backend) => {
  for (const limit of ['daily', 'concurrent'] as const) {
    it(`two simultaneous reserves by one member with a ${limit} limit of one: exactly one passes`, async () => {
      env = await setupQuota(backend);
      const a = contender(env.location, 'a', limit);
      const b = contender(env.location, 'b', limit);
      await Promise.all([a.ready, b.ready]);
      a.proc.send('go');
      b.proc.send('go');
      const results = (await Promise.all([a.result, b.result])) as { ok: boolean; limit?: string }[];
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toMatchObject([{ ok: false, limit: limit === 'daily' ? 'user_daily' : 'concurrent' }]);
      expect(await env.count('jobs')).toBe(1);
    });
  }
});
