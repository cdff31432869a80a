import { readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { ValidatorCache } from './validator-cache.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const tmp = tempDir('model3d-validators-');
afterAll(() => tmp.cleanup());

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, code: { source: true } });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://example.test/doc', components: { schemas: { Id: { type: 'string', pattern: '^[0-9]+$' } } } });
  return ajv;
}

const schema = JSON.stringify({
  type: 'object',
  required: ['id', 'at'],
  properties: { id: { $ref: 'https://example.test/doc#/components/schemas/Id' }, at: { type: 'string', format: 'date-time' } },
});
const good = { id: '12', at: '2026-11-30T00:00:00Z' };
const bad = { id: 'x', at: 'yesterday' };

describe('ValidatorCache', () => {
  it('compiles a schema once; a later process reads it back and decides exactly as the compiled one', () => {
    let compiles = 0;
    const first = newAjv();
    const compiled = new ValidatorCache(['inputs'], tmp.dir).get(schema, first, () => (compiles++, first.compile(JSON.parse(schema) as object)));
    const second = newAjv();
    const loaded = new ValidatorCache(['inputs'], tmp.dir).get(schema, second, () => (compiles++, second.compile(JSON.parse(schema) as object)));
    expect(compiles).toBe(1);
    expect(loaded).not.toBe(compiled);

    expect([compiled(good), loaded(good)]).toEqual([true, true]);
    expect([compiled(bad), loaded(bad)]).toEqual([false, false]);
    // The errors the spec check prints: both fields wrong, the ref's pattern and the format named.
    expect(loaded.errors).toEqual(compiled.errors);
    expect(loaded.errors?.map((e) => e.keyword).sort()).toEqual(['format', 'pattern']);
  });

  it('never reads an entry made from other inputs', () => {
    let compiles = 0;
    const ajv = newAjv();
    new ValidatorCache(['other inputs'], tmp.dir).get(schema, ajv, () => (compiles++, ajv.compile(JSON.parse(schema) as object)));
    expect(compiles).toBe(1);
    expect(readdirSync(tmp.dir)).toHaveLength(2);
  });
});
