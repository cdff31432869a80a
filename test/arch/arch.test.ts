/**
 * The architecture, checked: the rules in .dependency-cruiser.cjs (rooms from the top down, no
 * folder or module circles, store backends inside src/store) hold for src/ and commands/, and they
 * do catch each kind of breach (a scratch tree that breaks every rule once).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { tempDir } from '../helpers/tmp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

async function violations(base: string): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'));
  const { output } = await cruise(
    ['src', 'commands'],
    { ...options, baseDir: base, validate: true, outputType: 'json' },
    {},
    { tsConfig: extractTSConfig(join(root, 'tsconfig.json')) },
  );
  const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
  return result.summary.violations;
}

const line = (v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (loop: ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`;

describe('architecture (.dependency-cruiser.cjs)', () => {
  it('src/ and commands/ keep every rule', async () => {
    expect((await violations(root)).map(line)).toEqual([]);
  });

  it('the rules catch an upward import, two folders importing each other and a store backend reaching out', async () => {
    const tmp = tempDir('model3d-arch-');
    try {
      const file = (path: string, text: string) => {
        mkdirSync(dirname(join(tmp.dir, path)), { recursive: true });
        writeFileSync(join(tmp.dir, path), text);
      };
      file('commands/x.ts', "export const x = 1;\n");
      // The store (a lower room) imports a handler (a higher one).
      file('src/handlers/h.ts', "export const h = 1;\n");
      file('src/store/jobs.ts', "import { h } from '../handlers/h.js';\nexport const j = h;\n");
      // jobs and gallery import each other (same room, still a circle of folders).
      file('src/jobs/a.ts', "import { g } from '../gallery/g.js';\nexport const a = g;\n");
      file('src/gallery/g.ts', "export const g = 1;\n");
      file('src/gallery/uses-jobs.ts', "import { a } from '../jobs/a.js';\nexport const b = a;\n");
      // A backend imports the configuration.
      file('src/config/index.ts', "export const c = 1;\n");
      file('src/store/sqlite.ts', "import { c } from '../config/index.js';\nexport const s = c;\n");
      const names = new Set((await violations(tmp.dir)).map((v) => v.rule.name));
      expect(names).toContain('no-upward-from-io');
      expect(names).toContain('no-folder-circles');
      expect(names).toContain('store-backends-stay-in-store');
      expect(names).not.toContain('no-module-circles');
    } finally {
      tmp.cleanup();
    }
  });
});
