import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';

const require = createRequire(import.meta.url);
const standaloneCode = standaloneCodeModule as unknown as (ajv: Ajv2020, v: ValidateFunction) => string;

const sha256 = (parts: readonly (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/**
 * Compiled Ajv validators kept on disk as Ajv's standalone code, so that a validator is compiled
 * once, not once per test file: vitest runs each file in a process of its own, and compiling the
 * spec's message schemas costs seconds of CPU each time. The directory is named by a hash of
 * everything the code depends on (the `inputs`), so an entry made from another spec, other
 * options or another Ajv is never read; entries are written whole (a rename), so a reader never
 * sees half of one.
 */
export class ValidatorCache {
  private readonly dir: string;

  constructor(inputs: readonly (string | Buffer)[], root = join(tmpdir(), 'model3d-spec-validators')) {
    this.dir = join(root, sha256(inputs).slice(0, 20));
  }

  /** The installed versions of these packages (a cache input: their code is in the entries). */
  static versionsOf(packages: readonly string[]): string[] {
    return packages.map((p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`);
  }

  /** The validator of `schemaText` (the JSON of the schema `compile` compiles on `ajv`). */
  get(schemaText: string, ajv: Ajv2020, compile: () => ValidateFunction): ValidateFunction {
    const file = join(this.dir, `${sha256([schemaText])}.cjs`);
    const kept = this.load(file);
    if (kept) return kept;
    const v = compile();
    mkdirSync(this.dir, { recursive: true });
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, standaloneCode(ajv, v));
    renameSync(part, file);
    return v;
  }

  private load(file: string): ValidateFunction | undefined {
    let code: string;
    try {
      code = readFileSync(file, 'utf8');
    } catch {
      return undefined; // not compiled yet
    }
    const module = { exports: {} as unknown };
    // The standalone code is CommonJS that requires Ajv's runtime helpers and ajv-formats.
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    return module.exports as ValidateFunction;
  }
}
