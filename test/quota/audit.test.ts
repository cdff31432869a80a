import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { DiscordAPIError } from 'discord.js';
import { AuditReporter, forwardAuditChanges } from '../../src/audit/reporter.js';
import { parseAuditButton, renderAuditRecord, type AuditRest } from '../../src/audit/record.js';
import { removeResult } from '../../src/handlers/audit-buttons.js';
import { AuditOutbox } from '../../src/store/outbox.js';
import { openStore } from '../../src/store/open.js';
import { JobStore } from '../../src/store/jobs.js';
import { JobEvents } from '../../src/jobs/events.js';
import { createLogger } from '../../src/log/index.js';
import { BACKENDS } from '../helpers/store.js';
import { GUILD, MOD, setupQuota, type QuotaEnv } from './helpers.js';

describe.each(BACKENDS)('%s store', (backend) => {
  const setup = (config?: Parameters<typeof setupQuota>[1]) => setupQuota(backend, config);
  let env: QuotaEnv;
  afterEach(() => env?.cleanup());

  const AUDIT_CHANNEL = '800000000000000001';

  function stubRest(fail?: (method: string, route: string) => Error | undefined) {
    const calls: { method: string; route: string; body?: unknown }[] = [];
    let n = 0;
    const rest = {
      post: async (route: string, o?: { body?: unknown }) => {
        calls.push({ method: 'POST', route, body: o?.body });
        const err = fail?.('POST', route);
        if (err) throw err;
        await new Promise((r) => setTimeout(r, 20));
        return { id: `90000000000000000${++n}` };
      },
      patch: async (route: string, o?: { body?: unknown }) => {
        calls.push({ method: 'PATCH', route, body: o?.body });
        const err = fail?.('PATCH', route);
        if (err) throw err;
        return {};
      },
      delete: async (route: string) => {
        calls.push({ method: 'DELETE', route });
        const err = fail?.('DELETE', route);
        if (err) throw err;
        return undefined;
      },
    };
    return { rest: rest as unknown as AuditRest, calls };
  }

  function reporter(rest: AuditRest) {
    const events = new JobEvents();
    const log = createLogger({ level: 'silent' });
    const r = new AuditReporter({ events, stores: env.stores, log, clock: () => env.clock.now }, { rest });
    r.attach();
    return { r, events };
  }

  describe('audit record', () => {
    it('renders member, thumbnail, quality, state, task id and the two buttons', async () => {
      env = await setup();
      const job = await env.finish(await env.mustReserve({ quality: 'detailed' }), 'succeeded');
      const body = renderAuditRecord(job, { refund: undefined, blocked: false });
      const embed = body.embeds![0]!;
      expect(embed.thumbnail).toBeUndefined(); // no stored copy of the picture
      expect(body.attachments).toEqual([]);
      expect(embed.fields!.map((f) => f.value)).toEqual([
        `<@${job.userId}>`, 'Detailed', '✅ succeeded', `\`task-${job.id}\``, `https://discord.com/channels/${GUILD}/${job.channelId}/${job.messageId}`,
      ]);
      expect(JSON.stringify(body.components)).toContain(`"custom_id":"audit:refund:${job.id}"`);
      expect(JSON.stringify(body.components)).toContain(`"custom_id":"audit:block:${job.userId}"`);
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(parseAuditButton(`audit:refund:${job.id}`)).toEqual({ action: 'refund', jobId: job.id });
      expect(parseAuditButton('audit:block:123456789012345678')).toEqual({ action: 'block', userId: '123456789012345678' });
      expect(parseAuditButton('audit:refund:abc')).toBeNull();
    });

    it('never links the member’s URL: the thumbnail is the bot’s copy, sent with the record, while it keeps one', async () => {
      env = await setup();
      const job = await env.finish(await env.mustReserve({}), 'succeeded');
      const external = { ...job, imageSource: 'url' as const, imageUrl: 'https://img.example/cat.png' };
      const render = (j: typeof job, files: { name: string; data: Buffer }[]) => renderAuditRecord(j, { refund: undefined, blocked: false, files });
      const copy = [{ name: 'picture.webp', data: Buffer.from('webp') }];
      expect(render(external, []).embeds![0]!.thumbnail).toBeUndefined();
      const kept = render({ ...external, pictureFile: '/files/1/picture.webp' }, copy);
      expect(kept.embeds![0]!.thumbnail).toEqual({ url: 'attachment://picture.webp' });
      expect(kept.attachments).toEqual([{ id: 0, filename: 'picture.webp' }]);
      // The copy is gone (Delete, removal, retention): the record drops it.
      const gone = render({ ...external, pictureFile: '/files/1/picture.webp' }, []);
      expect(gone.embeds![0]!.thumbnail).toBeUndefined();
      expect(gone.attachments).toEqual([]);
      expect(JSON.stringify([kept, gone])).not.toContain('img.example');
    });

    it('posts once per job, then edits; rapid changes are coalesced; no channel = nothing', async () => {
      env = await setup();
      const { rest, calls } = stubRest();
      const { r, events } = reporter(rest);
      const first = await env.mustReserve();
      events.emit('changed', first);
      await r.idle();
      expect(calls).toHaveLength(0); // no audit channel yet

      await env.stores.quota.updateSettings(GUILD, { auditChannelId: AUDIT_CHANNEL }, MOD, 0);
      const job = await env.mustReserve();
      const queued = (await env.jobs.markSubmitted(job.id, 'task-x', 1, env.clock.now, env.clock.now))!;
      const finished = (await env.jobs.finish(job.id, { state: 'succeeded', at: env.clock.now }))!;
      events.emit('changed', job);
      // These arrive while the first record is being posted: one edit follows, from the latest row.
      events.emit('changed', queued);
      events.emit('changed', finished);
      events.emit('changed', { ...queued, guildId: null }); // DM jobs are never reported
      await r.idle();
      expect(calls.map((c) => c.method)).toEqual(['POST', 'PATCH']);
      expect(calls[0]!.route).toBe(`/channels/${AUDIT_CHANNEL}/messages`);
      expect(JSON.stringify(calls[1]!.body)).toContain('succeeded');
      expect(await env.stores.audit.auditMessage(job.id)).toMatchObject({ channelId: AUDIT_CHANNEL, messageId: '900000000000000001' });
      r.detach();
    });

    it('uploads the bot’s copy of the picture with the record; where it may not attach files, posts the record without it', async () => {
      env = await setup();
      await env.stores.quota.updateSettings(GUILD, { auditChannelId: AUDIT_CHANNEL }, MOD, 0);
      const dir = mkdtempSync(join(tmpdir(), 'audit-picture-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'picture.webp'), 'RIFFwebp');
      const reserved = await env.mustReserve();
      const job = (await env.jobs.setPictureFile(reserved.id, join(dir, 'picture.webp'), env.clock.now))!;
      const sent: { files: string[]; thumbnail?: unknown }[] = [];
      const rest = (refuseFiles: boolean) =>
        ({
          post: async (_route: string, o: { body: { embeds: { thumbnail?: unknown }[] }; files?: { name: string; data: Buffer }[] }) => {
            const files = (o.files ?? []).map((f) => `${f.name}=${f.data.toString()}`);
            sent.push({ files, thumbnail: o.body.embeds[0]!.thumbnail });
            if (refuseFiles && files.length) throw new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'POST', '/x', {});
            return { id: `90000000000000000${sent.length}` };
          },
          patch: async () => ({}),
          delete: async () => ({}),
        }) as unknown as AuditRest;
      const { r } = reporter(rest(false));
      await r.sync(job.id);
      expect(sent).toEqual([{ files: ['picture.webp=RIFFwebp'], thumbnail: { url: 'attachment://picture.webp' } }]);
      r.detach();

      sent.length = 0;
      const other = (await env.jobs.setPictureFile((await env.mustReserve()).id, join(dir, 'picture.webp'), env.clock.now))!;
      const { r: r2 } = reporter(rest(true));
      await r2.sync(other.id);
      expect(sent).toEqual([{ files: ['picture.webp=RIFFwebp'], thumbnail: { url: 'attachment://picture.webp' } }, { files: [], thumbnail: undefined }]);
      expect(await env.stores.audit.auditMessage(other.id)).toMatchObject({ channelId: AUDIT_CHANNEL });
      r2.detach();
    });

    it('with shards: another process queues its changes in the store; the reporter’s process posts and edits the one record', async () => {
      env = await setup();
      await env.stores.quota.updateSettings(GUILD, { auditChannelId: AUDIT_CHANNEL }, MOD, 0);
      const { rest, calls } = stubRest();
      const { r } = reporter(rest);
      // Shard 1's process: its own connection, no reporter, only forwarding.
      const db1 = await openStore(env.location);
      const jobs1 = new JobStore(db1, '1/2:bbbb');
      const events1 = new JobEvents();
      const stop = forwardAuditChanges(events1, new AuditOutbox(db1), () => env.clock.now, createLogger({ level: 'silent' }));
      const job = await env.mustReserve();
      events1.emit('changed', job);
      const queued = (await jobs1.markSubmitted(job.id, 'task-s1', 1, env.clock.now, env.clock.now))!;
      events1.emit('changed', queued);
      events1.emit('changed', { ...queued, guildId: null }); // DM jobs are never reported
      expect(calls).toHaveLength(0);

      r.followOutbox(new AuditOutbox(env.db), 20);
      await vi.waitFor(async () => expect(await env.stores.audit.auditMessage(job.id)).toBeDefined());
      events1.emit('changed', (await jobs1.finish(job.id, { state: 'succeeded', at: env.clock.now }))!);
      // The forwarded changes reach the outbox asynchronously: an edit with an older state may come
      // first, but there is one record, and its last edit shows the job's end.
      await vi.waitFor(() => expect(JSON.stringify(calls.at(-1)?.body)).toContain('succeeded'));
      expect(calls.map((c) => c.method)).toEqual(['POST', ...calls.slice(1).map(() => 'PATCH')]);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(calls[0]!.body)).toContain('task-s1');
      stop();
      r.detach();
      await r.idle();
      await db1.close();
    });

    it('never throws: REST failures are logged and the next change tries again', async () => {
      env = await setup();
      await env.stores.quota.updateSettings(GUILD, { auditChannelId: AUDIT_CHANNEL }, MOD, 0);
      let failing = true;
      const { rest, calls } = stubRest(() => (failing ? new Error('network down') : undefined));
      const { r, events } = reporter(rest);
      const job = await env.mustReserve();
      expect(() => events.emit('changed', job)).not.toThrow();
      await r.idle();
      failing = false;
      events.emit('changed', job);
      await r.idle();
      expect(calls.map((c) => c.method)).toEqual(['POST', 'POST']);
      expect(await env.stores.audit.auditMessage(job.id)).toBeDefined();
    });

    it('removeResult edits the result message, falls back to delete, and reports failure', async () => {
      env = await setup();
      const job = await env.finish(await env.mustReserve(), 'succeeded');
      const ok = stubRest();
      expect(await removeResult(ok.rest, job)).toBe('edited');
      expect(ok.calls[0]).toMatchObject({ method: 'PATCH', route: `/channels/${job.channelId}/messages/${job.messageId}` });
      expect(JSON.stringify(ok.calls[0]!.body)).toContain('removed by a moderator');
      const noEdit = stubRest((m) => (m === 'PATCH' ? new Error('50005') : undefined));
      expect(await removeResult(noEdit.rest, job)).toBe('deleted');
      const none = stubRest(() => new Error('nope'));
      expect(await removeResult(none.rest, job)).toBe('failed');
      const gone = stubRest(() => new DiscordAPIError({ code: 10008, message: 'Unknown Message' }, 10008, 404, 'PATCH', '/x', {}));
      expect(await removeResult(gone.rest, job)).toBe('none');
      expect(await removeResult(ok.rest, { ...job, messageId: null })).toBe('none');
    });
  });
});
