/**
 * createLogger never writes a secret: the configured ones (DMXAPI key, bot token)
 * wherever they appear, interaction tokens under their usual keys and inside
 * webhook/callback URLs (discord.js puts those in error messages and stacks), and
 * Authorization headers.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubString } from '../../src/log/index.js';

const KEY = 'sk-live-0123456789abcdefDMX';
const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTA6Zm9vYmFyYmF6cXV4LWFuZF9tb3JlX3JhbmRvbV9ieXRlcw';
const APP = '123456789012345678';

function memoryLogger(level = 'trace') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level, secrets: [KEY, BOT_TOKEN], destination });
  return {
    log,
    lines,
    text: () => lines.join('\n'),
    last: () => JSON.parse(lines.at(-1)!) as Record<string, unknown>,
  };
}

function expectClean(text: string): void {
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(BOT_TOKEN);
  expect(text).not.toContain(INTERACTION_TOKEN);
  // Not even a tail of one: redaction must take the whole token.
  expect(text).not.toContain(INTERACTION_TOKEN.slice(-24));
  expect(text).not.toContain(BOT_TOKEN.split('.').at(-1)!);
}

describe('createLogger redaction', () => {
  it('redacts secret-named keys at the top level', () => {
    const m = memoryLogger();
    m.log.info({ key: KEY, apiKey: KEY, token: BOT_TOKEN, interactionToken: INTERACTION_TOKEN, interaction_token: INTERACTION_TOKEN }, 'config');
    expectClean(m.text());
    expect(m.last()).toMatchObject({
      key: '[REDACTED]',
      apiKey: '[REDACTED]',
      token: '[REDACTED]',
      interactionToken: '[REDACTED]',
      interaction_token: '[REDACTED]',
      msg: 'config',
    });
  });

  it('redacts tokens in nested objects', () => {
    const m = memoryLogger();
    m.log.info({ job: { id: 7, interactionToken: INTERACTION_TOKEN, taskId: 't-1' } }, 'job');
    m.log.info({ ctx: { interaction: { token: INTERACTION_TOKEN, id: '1' } } }, 'deeper');
    m.log.info({ jobs: [{ id: 1, interactionToken: INTERACTION_TOKEN }] }, 'in an array');
    expectClean(m.text());
    const first = JSON.parse(m.lines[0]!) as { job: Record<string, unknown> };
    // Only the secret goes; the useful context stays.
    expect(first.job).toEqual({ id: 7, interactionToken: '[REDACTED]', taskId: 't-1' });
  });

  it('redacts Authorization headers, whatever their case or depth', () => {
    const m = memoryLogger();
    m.log.info({ headers: { authorization: `Bot ${BOT_TOKEN}`, 'content-type': 'application/json' } }, 'req');
    m.log.info({ req: { headers: { Authorization: KEY } } }, 'upstream req');
    m.log.info({ authorization: `Bearer ${KEY}` }, 'flat');
    m.log.info({ request: { options: { headers: { authorization: 'Bearer some-other-credential-xyz' } } } }, 'deep');
    const text = m.text();
    expectClean(text);
    expect(text).not.toContain('some-other-credential-xyz');
    expect(JSON.parse(m.lines[0]!)).toMatchObject({ headers: { authorization: '[REDACTED]', 'content-type': 'application/json' } });
  });

  it('redacts interaction tokens inside webhook and callback URLs in error messages and stacks', () => {
    const m = memoryLogger();
    const webhook = `https://discord.com/api/v10/webhooks/${APP}/${INTERACTION_TOKEN}/messages/@original`;
    const err = new Error(`PATCH ${webhook} failed: Invalid Webhook Token`);
    Object.assign(err, { url: webhook, method: 'PATCH', code: 50027 });
    m.log.error({ err, jobId: 3 }, 'delivery failed');
    m.log.error(err, 'error as the first argument');
    const callback = new Error(`POST https://discord.com/api/v10/interactions/1234567890/${INTERACTION_TOKEN}/callback: Unknown interaction`);
    m.log.warn({ err: callback }, 'ack failed');
    m.log.warn({ detail: `see /webhooks/${APP}/${INTERACTION_TOKEN}` }, 'bare path');
    const text = m.text();
    expectClean(text);
    const first = JSON.parse(m.lines[0]!) as { err: { message: string; stack: string; url: string; code: number }; jobId: number };
    expect(first.err.message).toContain(`/webhooks/${APP}/[REDACTED]/messages/@original`);
    expect(first.err.stack).toContain(`/webhooks/${APP}/[REDACTED]/messages/@original`);
    expect(first.err.url).toBe(`https://discord.com/api/v10/webhooks/${APP}/[REDACTED]/messages/@original`);
    expect(first).toMatchObject({ jobId: 3, err: { code: 50027 } });
    expect(text).toContain('/interactions/1234567890/[REDACTED]/callback');
  });

  it('redacts secrets in an error cause', () => {
    const m = memoryLogger();
    const cause = new Error(`upstream said: bad key ${KEY}`);
    m.log.error({ err: new Error('submit failed', { cause }) }, 'with cause');
    expectClean(m.text());
  });

  it('scrubs the configured secrets inside any string: messages, format arguments, nested values, arrays', () => {
    const m = memoryLogger();
    m.log.info(`starting with key ${KEY} and token ${BOT_TOKEN}`);
    m.log.info('key=%s token=%s', KEY, BOT_TOKEN);
    m.log.info({ note: `Authorization: Bearer ${KEY}`, list: ['a', `Bot ${BOT_TOKEN}`], deep: { a: { b: { c: { d: `x${KEY}y` } } } } }, 'values');
    m.log.info({ [`weird-${'field'}`]: `${KEY}${KEY}` }, 'twice in a row');
    const text = m.text();
    expectClean(text);
    expect(text).toContain('starting with key [REDACTED] and token [REDACTED]');
    expect(text).toContain('key=[REDACTED] token=[REDACTED]');
    expect(text).toContain('x[REDACTED]y');
  });

  it('keeps logging at every level and leaves ordinary text alone', () => {
    const m = memoryLogger();
    m.log.trace({ jobId: 1, taskId: 'abc-123' }, 'trace line');
    m.log.fatal({ jobId: 2, taskId: 'def-456', url: 'https://example.com/webhooks/info' }, 'fatal line');
    expect(m.lines).toHaveLength(2);
    expect(JSON.parse(m.lines[0]!)).toMatchObject({ level: 10, jobId: 1, taskId: 'abc-123', msg: 'trace line' });
    expect(JSON.parse(m.lines[1]!)).toMatchObject({ level: 60, url: 'https://example.com/webhooks/info' });
  });

  it('scrubString handles several URLs in one string', () => {
    const other = 'second_token-with.dots_and-dashes';
    const out = scrubString(`a /webhooks/${APP}/${INTERACTION_TOKEN}/messages/1 b /webhooks/${APP}/${other} c`, []);
    expect(out).toBe(`a /webhooks/${APP}/[REDACTED]/messages/1 b /webhooks/${APP}/[REDACTED] c`);
  });
});
