import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ValidatorCache } from './validator-cache.js';
import type { RecordedRequest } from './types.js';

/**
 * Checks recorded traffic against Discord's official OpenAPI 3.1 description
 * (`shared/reference/discord-openapi.json`): every request the bot sent (route, method,
 * JSON body) and every answer the fake gave (status and body). From then on the bot and
 * the fake can drift from real Discord only where the spec is silent.
 *
 * Two known quirks of the spec, which real Discord accepts anyway (platform-facts.md), are
 * allowed: `attachments[].id` may be an integer index, and `default_member_permissions`
 * may be a string (of digits).
 */

/**
 * A byte-identical gzip of `shared/reference/discord-openapi.json` (discord/discord-api-spec,
 * commit 74fda0f), kept in the repository so that the check runs on a fresh clone.
 */
export const SPEC_GZ_PATH = fileURLToPath(new URL('./discord-openapi.json.gz', import.meta.url));

export function readSpecText(): string {
  return gunzipSync(readFileSync(SPEC_GZ_PATH)).toString('utf8');
}
const SPEC_ID = 'https://discord.com/openapi.json';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}

export interface SpecProblem {
  seq: number;
  request: string;
  what: 'route' | 'request body' | 'response';
  errors: string[];
}

/** The two quirks: widen exactly those two places of the spec. */
function applyQuirks(spec: Spec): void {
  const schemas = spec.components.schemas;
  for (const [name, schema] of Object.entries(schemas)) {
    const props = schema.properties as Record<string, unknown> | undefined;
    if (!props) continue;
    if (/AttachmentRequest/.test(name) && props.id) {
      props.id = { anyOf: [props.id, { type: 'integer', minimum: 0 }] };
    }
    if (props.default_member_permissions) {
      props.default_member_permissions = { anyOf: [props.default_member_permissions, { type: 'string', pattern: '^[0-9]+$' }] };
    }
  }
}

interface Matcher {
  method: string;
  template: string;
  re: RegExp;
  /** Literal segments: more is more specific (`@original` before `{message_id}`). */
  literals: number;
  op: Operation;
}

class SpecChecker {
  private readonly ajv: Ajv2020;
  private readonly spec: Spec;
  private readonly matchers: Matcher[] = [];
  private readonly validators = new Map<unknown, ValidateFunction>();
  private readonly compiled: ValidatorCache;

  constructor() {
    const specGz = readFileSync(SPEC_GZ_PATH);
    this.spec = JSON.parse(gunzipSync(specGz).toString('utf8')) as Spec;
    applyQuirks(this.spec);
    // What the compiled code depends on: the spec, this file (its quirks and options), the Ajv versions.
    this.compiled = new ValidatorCache([specGz, readFileSync(fileURLToPath(import.meta.url)), ...ValidatorCache.versionsOf(['ajv', 'ajv-formats'])]);
    // code.source: each compiled validator can be written out as standalone code (the cache).
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, code: { source: true } });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
    addFormats(this.ajv);
    // OpenAPI's number formats and Discord's own: sizes are checked by minimum/maximum.
    for (const f of ['int32', 'int64', 'double', 'float', 'snowflake', 'nonce']) this.ajv.addFormat(f, true);
    this.ajv.addSchema({ $id: SPEC_ID, components: this.spec.components });
    for (const [template, item] of Object.entries(this.spec.paths)) {
      const segments = template.split('/').filter(Boolean);
      const re = new RegExp(
        `^/${segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`,
      );
      const literals = segments.filter((s) => !s.startsWith('{')).length;
      for (const [method, op] of Object.entries(item)) {
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
          this.matchers.push({ method: method.toUpperCase(), template, re, literals, op });
        }
      }
    }
    this.matchers.sort((a, b) => b.literals - a.literals);
  }

  private validator(schema: unknown): ValidateFunction {
    let v = this.validators.get(schema);
    if (!v) {
      // Schemas refer to '#/components/...' of the spec document.
      const rebased = JSON.stringify(schema).replace(/"#\/components\//g, `"${SPEC_ID}#/components/`);
      v = this.compiled.get(rebased, this.ajv, () => this.ajv.compile(JSON.parse(rebased) as object));
      this.validators.set(schema, v);
    }
    return v;
  }

  private errors(schema: unknown, data: unknown): string[] {
    const v = this.validator(schema);
    if (v(data)) return [];
    return (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  private responseSchema(op: Operation, status: number): unknown {
    const responses = op.responses ?? {};
    let r = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
    if (r?.$ref) r = this.spec.components.responses[r.$ref.split('/').pop()!];
    return r?.content?.['application/json']?.schema;
  }

  check(req: RecordedRequest): SpecProblem[] {
    const path = req.path.replace(/^\/api(\/v\d+)?/, '');
    const label = `${req.method} ${req.route ?? path} → ${req.status}`;
    const m = this.matchers.find((x) => x.method === req.method && x.re.test(path));
    if (!m) return [{ seq: req.seq, request: label, what: 'route', errors: ['no such route in the spec'] }];
    const out: SpecProblem[] = [];
    const content = m.op.requestBody?.content;
    if (req.body !== null && req.body !== undefined) {
      const schema = content?.['application/json']?.schema;
      if (!schema) out.push({ seq: req.seq, request: label, what: 'request body', errors: ['the spec takes no JSON body here'] });
      else {
        const errors = this.errors(schema, req.body);
        if (errors.length) out.push({ seq: req.seq, request: label, what: 'request body', errors });
      }
    }
    // The spec says nothing of 5xx answers (real ones are often not even JSON).
    if (req.status < 500 && req.status !== 204 && req.status !== 0 && req.response !== null && req.response !== undefined) {
      const schema = this.responseSchema(m.op, req.status);
      if (!schema) out.push({ seq: req.seq, request: label, what: 'response', errors: [`the spec has no JSON answer for ${req.status}`] });
      else {
        const errors = this.errors(schema, req.response);
        if (errors.length) out.push({ seq: req.seq, request: label, what: 'response', errors });
      }
    }
    return out;
  }
}

let shared: SpecChecker | undefined;

/**
 * Problems found in `requests` (API requests only: files under `/attachments/` are the CDN).
 * Gateway lookups are checked too: the spec describes them.
 */
export function checkAgainstSpec(requests: readonly RecordedRequest[]): SpecProblem[] {
  shared ??= new SpecChecker();
  const checker = shared;
  return requests.filter((r) => r.path.startsWith('/api/')).flatMap((r) => checker.check(r));
}

export function formatProblems(problems: readonly SpecProblem[]): string {
  return problems.map((p) => `#${p.seq} ${p.request}: ${p.what}\n    ${p.errors.join('\n    ')}`).join('\n');
}
