import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The node flags `npm start` runs the bot with (e.g. its young-generation size), for workers that run the bot's code. */
export const BOT_NODE_FLAGS: string[] = (
  (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.match(/(?<=\s)--[\w-]+(?:=\S+)?/g) ?? []
);

/** Runs a TypeScript bench worker in its own node process (through tsx); resolves with its last JSON line. */
export function runWorker<T>(file: string, input: unknown, o: { nodeArgs?: string[]; onLine?: (line: string) => void; timeoutMs?: number } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', fileURLToPath(new URL(`../children/${file}`, import.meta.url))], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) o.onLine?.(l);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${file} exited ${code ?? signal}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${file}: no JSON result: ${out.slice(-500)} ${err.slice(-1000)}`));
      }
    });
  });
}
