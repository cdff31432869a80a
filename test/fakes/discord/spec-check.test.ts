import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAgainstSpec, readSpecText } from './spec-check.js';
import type { RecordedRequest } from './types.js';

/** The spec check the e2e suite runs on all traffic: it passes what Discord does and catches what it does not. */
const rec = (o: Partial<RecordedRequest>): RecordedRequest => ({
  seq: 1,
  method: 'GET',
  path: '/api/v10/gateway/bot',
  route: null,
  params: {},
  query: {},
  headers: {},
  body: null,
  files: [],
  status: 200,
  response: null,
  fault: null,
  startedAt: 0,
  finishedAt: 0,
  durationMs: 0,
  ...o,
});

const message = {
  id: '1300000000000000001',
  channel_id: '1300000000000000002',
  type: 20,
  content: '',
  author: { id: '1300000000000000003', username: 'bot', discriminator: '0', global_name: null, avatar: null, bot: true },
  attachments: [],
  embeds: [],
  mentions: [],
  mention_roles: [],
  pinned: false,
  mention_everyone: false,
  tts: false,
  timestamp: '2026-11-30T00:00:00.000000+00:00',
  edited_timestamp: null,
  flags: 128,
  components: [],
};
const callback = (response: unknown) =>
  rec({
    method: 'POST',
    path: '/api/v10/interactions/1300000000000000009/aW50ZXJhY3Rpb24/callback',
    body: { type: 5 },
    query: { with_response: 'true' },
    response,
  });
const interaction = { id: '1300000000000000009', type: 2, response_message_id: message.id, response_message_loading: true };

/** The sha256 of shared/reference/discord-openapi.json that the vendored gzip was made from (discord-api-spec 74fda0f). */
const REFERENCE_SHA256 = '8c1d0707ccdf8e380a86dfba04058820a66435c1b69d5ed82e04dd8c0520dd73';

/**
 * The project's `shared/reference/` folder: TEST_SHARED_DIR if set, else the first `shared/reference`
 * beside the clone or beside a folder above it (../shared for a clone, ../../shared for a worktree).
 */
function referenceDir(): string | undefined {
  if (process.env.TEST_SHARED_DIR) return join(process.env.TEST_SHARED_DIR, 'reference');
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'reference'))) return join(dir, 'shared', 'reference');
  }
  return undefined;
}

describe('the vendored Discord spec', () => {
  const vendored = readSpecText();
  const reference = referenceDir();

  it('is the reference it was copied from, byte for byte (its pinned sha256)', () => {
    expect(JSON.parse(vendored).openapi).toBe('3.1.0');
    expect(createHash('sha256').update(vendored).digest('hex')).toBe(REFERENCE_SHA256);
  });

  // A fresh clone has no shared/ folder anywhere above it: the pinned hash above still holds it to the reference.
  it.skipIf(!reference)(
    reference ? `is ${reference}/discord-openapi.json, byte for byte` : 'is shared/reference/discord-openapi.json (skipped: no shared/reference above this clone; TEST_SHARED_DIR names one)',
    () => {
      const file = join(reference!, 'discord-openapi.json');
      if (!existsSync(file)) throw new Error(`${file} is missing: the spec check has nothing to be compared with`);
      const text = readFileSync(file, 'utf8');
      expect(createHash('sha256').update(text).digest('hex'), 'shared/reference changed: vendor it again (gzip) and pin its sha256').toBe(REFERENCE_SHA256);
      expect(vendored).toBe(text);
    },
  );
});

describe('checkAgainstSpec', () => {
  it('accepts a deferred callback answered as Discord does (no resource)', () => {
    expect(checkAgainstSpec([callback({ interaction })])).toEqual([]);
  });

  it('catches the old fake answer: a type-5 callback with a resource', () => {
    const problems = checkAgainstSpec([callback({ interaction, resource: { type: 5, message } })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ what: 'response' });
  });

  it('catches a request body Discord would refuse, and a route Discord does not have', () => {
    const edit = (body: unknown) =>
      rec({ method: 'PATCH', path: '/api/v10/webhooks/1300000000000000001/tok/messages/@original', body, status: 200, response: null });
    expect(checkAgainstSpec([edit({ content: 'hello', allowed_mentions: { parse: [], users: ['1300000000000000003'] } })])).toEqual([]);
    expect(checkAgainstSpec([edit({ content: 42 })])[0]).toMatchObject({ what: 'request body' });
    expect(checkAgainstSpec([edit({ embeds: [{ title: 'x', color: 'green' }] })])[0]).toMatchObject({ what: 'request body' });
    expect(checkAgainstSpec([rec({ method: 'POST', path: '/api/v10/channels/1/teleport' })])[0]).toMatchObject({ what: 'route' });
  });

  it('allows exactly the two known quirks: integer attachment ids and string permissions', () => {
    const edit = rec({
      method: 'PATCH',
      path: '/api/v10/webhooks/1300000000000000001/tok/messages/@original',
      body: { attachments: [{ id: 0, filename: 'model.glb' }] },
    });
    expect(checkAgainstSpec([edit])).toEqual([]);
    const put = (perm: unknown) =>
      rec({
        method: 'PUT',
        path: '/api/v10/applications/1300000000000000001/commands',
        body: [{ name: 'admin', description: 'x', type: 1, default_member_permissions: perm }],
      });
    expect(checkAgainstSpec([put('32')])).toEqual([]);
    expect(checkAgainstSpec([put('lots')])[0]).toMatchObject({ what: 'request body' });
  });
});
