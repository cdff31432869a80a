import { existsSync, readFileSync } from 'node:fs';
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

describe('checkAgainstSpec', () => {
  it('uses the same spec as shared/reference (when that folder is there)', () => {
    const reference = fileURLToPath(new URL('../../../../shared/reference/discord-openapi.json', import.meta.url));
    const vendored = readSpecText();
    expect(JSON.parse(vendored).openapi).toBe('3.1.0');
    if (existsSync(reference)) expect(vendored).toBe(readFileSync(reference, 'utf8'));
  });

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
