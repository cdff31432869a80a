/**
 * Nothing unused: knip (knip.jsonc) finds no unused file, export or dependency in src/ and
 * commands/, and no package imported without being listed in package.json.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

it('knip finds nothing unused', { timeout: 120_000 }, async () => {
  const run = await promisify(execFile)(process.execPath, [join(root, 'node_modules/knip/bin/knip.js'), '--no-progress'], { cwd: root }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
  expect(run.out.trim()).toBe('');
  expect(run.code).toBe(0);
});
