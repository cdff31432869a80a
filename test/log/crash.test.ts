import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const SECRET = 'sk-crash-SECRET-0123456789abcdef';

function run(mode: 'throw' | 'reject'): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, mode, SECRET], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the child did not exit on its own\n${out}`));
    }, 30_000);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

describe('process-level crash handlers', () => {
  it.each([
    ['an uncaught exception', 'throw', 'uncaught exception'],
    ['an unhandled rejection', 'reject', 'unhandled rejection'],
  ] as const)('%s is logged through the scrubbing logger and the process exits non-zero', async (_name, mode, msg) => {
    const { code, signal, out } = await run(mode);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(out).not.toContain(SECRET);
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = lines.find((l) => String(l.msg).startsWith(msg));
    expect(fatal, out).toBeDefined();
    expect(fatal!.level).toBe(60);
    // The error is there, secret scrubbed, so the operator can still see what happened.
    expect(JSON.stringify(fatal!.err)).toContain('upstream said: invalid key [REDACTED]');
    // Nothing but JSON log lines: no raw stack dump from Node on stderr.
    expect(out.split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([]);
  });
});
