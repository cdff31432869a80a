/**
 * What the bot keeps of a model, it forgets: a delivered model that was fitted (a GLB padded past the
 * upload limit), has its turntable, both exports cached and the copy of the member's picture leaves no file of its own under FILES_DIR
 * after Delete, after the moderators' "Remove result and refund" in the audit channel, and after
 * retention. The built bot, the fake Discord and the DMXAPI simulator, on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEMBER_PERMISSIONS, opt, type FakeMessage, type InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, samplePng, storedFiles, type BotProcess } from './harness.js';

const GUILD = '710000000000000001';
const GENERAL = '710000000000000011';
const MOD_LOG = '710000000000000012';
const P = (n: number) => 1n << BigInt(n);
const MOD_PERMS = (BigInt(DEFAULT_MEMBER_PERMISSIONS) | P(5) | P(13)).toString(); // Manage Server, Manage Messages
/** Over the 10 MiB an unboosted server allows, so the bot fits it (the lossless step drops the padding). */
const PADDED_GLB = 10.5 * 1024 * 1024;
/** Every file a delivered, fitted, exported model keeps in its folder. */
const KEPT = ['model-obj.zip', 'model.glb', 'model.stl', 'original.glb', 'picture.webp', 'preview.webp', 'turntable.gif'];
const DAY = 24 * 3600_000;

const idsOf = (m: FakeMessage | undefined) =>
  ((m?.components ?? []) as { components?: { custom_id?: string }[] }[]).flatMap((r) => r.components ?? []).flatMap((c) => (c.custom_id ? [c.custom_id] : []));

describe.each(STORES)('a removed model leaves no file behind (%s)', (store) => {
  let world: World;
  let bot: BotProcess;
  const d = () => world.discord;

  beforeAll(async () => {
    world = await World.start({
      store,
      guilds: [{ id: GUILD, channels: [{ id: GENERAL, name: 'general' }, { id: MOD_LOG, name: 'mod-log' }] }],
      timeline: { pendingMs: 100, runningMs: 300 },
      // The harness turns the turntable off; here it is part of what must go.
      env: { TURNTABLE: 'on', TURNTABLE_SIZE: '64' },
    });
    world.dmxapi.setOutcome(() => ({ modelBytes: PADDED_GLB }));
    bot = await world.startBot();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  function press(customId: string, messageId: string, channelId = GENERAL, user = d().build.defaultUser, perms = DEFAULT_MEMBER_PERMISSIONS): InteractionRecord {
    return d().sendInteraction(d().build.button({ customId, message: { id: messageId }, user, memberPermissions: perms, guildId: GUILD, channelId }));
  }

  /** /model3d to a fitted result with its turntable, then STL and OBJ pressed: every file the bot keeps is on disk. */
  async function exportedModel(): Promise<{ jobId: number; result: FakeMessage }> {
    const image = d().hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image }, guildId: GUILD, channelId: GENERAL }));
    const result = await bot.waitFor('the fitted result with its turntable', 40_000, () => {
      const m = d().originalMessage(rec.token);
      return m?.attachments.some((a) => a.filename === 'turntable.gif') && idsOf(m).some((id) => id.startsWith('job:delete:')) ? m : undefined;
    });
    expect(result.attachments.map((a) => a.filename).sort()).toEqual(['model.glb', 'preview.webp', 'turntable.gif']);
    const jobId = Number(idsOf(result).find((id) => id.startsWith('job:delete:'))!.split(':')[2]);
    for (const [kind, file] of [['stl', 'model.stl'], ['obj', 'model-obj.zip']] as const) {
      const exp = press(`export:${kind}:${jobId}`, result.id);
      await d().waitFor(() => d().originalMessage(exp.token)?.attachments.some((a) => a.filename === file), {
        timeoutMs: 30_000,
        description: `the ${kind} export`,
      });
    }
    expect(storedFiles(world)).toEqual(KEPT.map((name) => `${jobId}/${name}`));
    return { jobId, result };
  }

  const folder = (jobId: number) => join(world.dir, 'files', String(jobId));
  const forgotten = async (jobId: number) =>
    world.row<Record<string, unknown>>('SELECT model_file, preview_file, original_file, picture_file, model_info FROM jobs WHERE id = @id', { id: jobId });

  it('Delete by the requester', async () => {
    const { jobId, result } = await exportedModel();
    press(`job:delete:${jobId}`, result.id);
    await d().waitFor(() => d().message(result.id)?.embeds.length === 0, { timeoutMs: 10_000, description: 'the result removed' });
    // Logged once the message, the gallery post and the files are done with.
    await bot.waitForLog((l) => l.msg === 'result deleted' && l.jobId === jobId);
    expect(storedFiles(world)).toEqual([]);
    expect(existsSync(folder(jobId))).toBe(false);
    expect(await forgotten(jobId)).toMatchObject({ model_file: null, preview_file: null, original_file: null, picture_file: null });
    expect(String((await forgotten(jobId))?.model_info)).not.toContain('turntable.gif');
  }, 60_000);

  it('"Remove result and refund" in the audit channel', async () => {
    const mod = d().build.user({ username: 'moderator' });
    const set = d().sendInteraction(
      d().build.chatInput({ name: 'model3d-admin', subcommandGroup: 'audit-channel', subcommand: 'set', options: { channel: opt.channel({ id: MOD_LOG }) }, memberPermissions: MOD_PERMS, user: mod, guildId: GUILD, channelId: GENERAL }),
    );
    await d().waitFor(() => d().originalMessage(set.token)?.content.includes(`<#${MOD_LOG}>`), { timeoutMs: 10_000, description: 'the audit channel set' });
    const { jobId, result } = await exportedModel();
    const record = await d().waitFor(() => d().messagesIn(MOD_LOG).find((m) => idsOf(m).includes(`audit:refund:${jobId}`)), {
      timeoutMs: 10_000,
      description: 'the audit record',
    });
    // The moderators see the bot's copy of the picture, uploaded with the record, not the member's link.
    expect((record.embeds[0] as { thumbnail?: { url?: string } }).thumbnail?.url).toBe('attachment://picture.webp');
    expect(record.attachments.map((a) => a.filename)).toEqual(['picture.webp']);
    const removal = press(`audit:refund:${jobId}`, record.id, MOD_LOG, mod, MOD_PERMS);
    // The moderator is told once the result is removed, its files included.
    const done = await d().waitFor(() => d().followups(removal.token)[0], { timeoutMs: 15_000, description: 'the removal confirmed' });
    expect(done.content).toContain('Refunded');
    expect(d().message(result.id)?.content).toBe('🗑️ This 3D model was removed by a moderator.');
    expect(storedFiles(world)).toEqual([]);
    expect(existsSync(folder(jobId))).toBe(false);
    expect(await forgotten(jobId)).toMatchObject({ model_file: null, preview_file: null, original_file: null, picture_file: null });
  }, 60_000);

  it('retention (FILES_RETENTION_DAYS, swept at start-up)', async () => {
    const { jobId } = await exportedModel();
    // Finished 31 days ago, past the default 30; the sweep runs as the bot starts.
    await world.withDb((db) => db.run('UPDATE jobs SET finished_at = finished_at - @age WHERE id = @id', { age: 31 * DAY, id: jobId }));
    await bot.kill();
    bot = await world.startBot();
    expect(await bot.waitForLog('deleted old stored result files')).toMatchObject({ jobs: 1, olderThanDays: 30 });
    expect(storedFiles(world)).toEqual([]);
    expect(existsSync(folder(jobId))).toBe(false);
    expect(await forgotten(jobId)).toMatchObject({ model_file: null, preview_file: null, original_file: null, picture_file: null });
  }, 60_000);
});
