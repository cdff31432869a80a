/**
 * Buttons on results (retry, detailed version, delete, share) and the community gallery, end to end:
 * the built bot as a child process, the fake Discord (with forum channels) and the DMXAPI simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEMBER_PERMISSIONS, opt, type FakeMessage, type FakeUser, type InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, samplePng, storedFiles, type BotProcess, type StoreKind } from './harness.js';

const GUILD = '700000000000000001';
const GENERAL = '700000000000000011';
const FORUM = '700000000000000012'; // the bot may manage its tags
const PLAIN_FORUM = '700000000000000013'; // it may not
const LOCKED_FORUM = '700000000000000014'; // the bot may not attach files here
const SHOWCASE = '700000000000000015'; // a text channel
const P = (n: number) => 1n << BigInt(n);
const MANAGE_CHANNELS = P(4);
const MANAGE_GUILD = P(5);
const MANAGE_MESSAGES = P(13);
const ATTACH_FILES = P(15);
const MOD_PERMS = (BigInt(DEFAULT_MEMBER_PERMISSIONS) | MANAGE_GUILD | MANAGE_MESSAGES).toString();
const EPHEMERAL = 64;
const LOADING = 128;

let world: World;
let bot: BotProcess;
let requester: FakeUser;
let other: FakeUser;
let moderator: FakeUser;

/** One world per store, shared by every case of that store (each makes its own jobs). */
function startWorld(store: StoreKind): void {
  beforeAll(async () => {
    world = await World.start({
      store,
      // Quick tasks: these cases are about what happens after the result.
      timeline: { pendingMs: 100, runningMs: 300 },
      guilds: [
        {
          id: GUILD,
          channels: [
            { id: GENERAL, name: 'general' },
            { id: FORUM, name: 'gallery', type: 15, permission_overwrites: [{ id: GUILD, type: 0, allow: MANAGE_CHANNELS.toString(), deny: '0' }] },
            { id: PLAIN_FORUM, name: 'plain-gallery', type: 15 },
            { id: LOCKED_FORUM, name: 'locked-gallery', type: 15, permission_overwrites: [{ id: GUILD, type: 0, allow: '0', deny: ATTACH_FILES.toString() }] },
            { id: SHOWCASE, name: 'showcase', type: 0 },
          ],
        },
      ],
    });
    bot = await world.startBot();
    requester = world.discord.build.defaultUser;
    other = world.discord.build.user({ username: 'bystander' });
    moderator = world.discord.build.user({ username: 'moderator' });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });
}

const d = () => world.discord;
const customIds = (m: FakeMessage | undefined) =>
  ((m?.components ?? []) as { components?: { custom_id?: string }[] }[]).flatMap((r) => r.components ?? []).map((c) => c.custom_id ?? 'link');

/** Runs /model3d and returns the finished result message (the one that offers Delete). */
async function model(o: { quality?: 'standard' | 'detailed'; title?: string } = {}): Promise<{ rec: InteractionRecord; result: FakeMessage; jobId: number }> {
  const image = d().hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
  const options: Record<string, unknown> = { image, quality: o.quality ?? 'standard' };
  if (o.title) options.title = o.title;
  const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: options as never, guildId: GUILD, channelId: GENERAL }));
  const result = await d().waitFor(
    () => {
      const m = d().originalMessage(rec.token);
      return m && customIds(m).some((id) => id.startsWith('job:delete:')) ? m : undefined;
    },
    { timeoutMs: 20_000, description: 'a finished result' },
  );
  const jobId = Number(customIds(result).find((id) => id.startsWith('job:delete:'))!.split(':')[2]);
  return { rec, result, jobId };
}

function press(customId: string, messageId: string, who: FakeUser = requester, perms = DEFAULT_MEMBER_PERMISSIONS): InteractionRecord {
  return d().sendInteraction(
    d().build.button({ customId, message: { id: messageId }, user: who, memberPermissions: perms, guildId: GUILD, channelId: GENERAL }),
  );
}

/** What the presser reads: the private answer to their press. */
async function answer(rec: InteractionRecord): Promise<FakeMessage> {
  return d().waitFor(
    () => {
      const m = d().originalMessage(rec.token);
      return m && !(m.flags & LOADING) && m.content ? m : undefined;
    },
    { timeoutMs: 15_000, description: `answer to ${rec.id}` },
  );
}

/** Messages in #general that reply to `messageId`. */
const repliesTo = (messageId: string) =>
  d().messagesIn(GENERAL).filter((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === messageId);

async function admin(group: string, sub: string, options: Record<string, unknown> = {}): Promise<string> {
  const rec = d().sendInteraction(
    d().build.chatInput({ name: 'model3d-admin', subcommandGroup: group, subcommand: sub, options: options as never, memberPermissions: MOD_PERMS, user: moderator, guildId: GUILD, channelId: GENERAL }),
  );
  return (await answer(rec)).content;
}

describe.each(STORES)('result actions (%s)', (store) => {
  startWorld(store);

  describe('Retry', () => {
    it('belongs to the requester, starts one job as a reply to the result, and a second press while it runs starts nothing', async () => {
      const { dmxapi } = world;
      dmxapi.nextTasks.push({ outcome: 'FAILED', code: 'InvalidImage', message: 'No object found.' });
      const failed = await model();
      expect(failed.result.content).toContain('InvalidImage');
      expect(customIds(failed.result)).toEqual([`job:retry:${failed.jobId}`, `job:delete:${failed.jobId}`]);
      const submitsBefore = dmxapi.submits.length;

      for (const [who, perms] of [[other, DEFAULT_MEMBER_PERMISSIONS], [moderator, MOD_PERMS]] as const) {
        const refused = await answer(press(`job:retry:${failed.jobId}`, failed.result.id, who, perms));
        expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
        expect(refused.content).toContain('Only the member who asked for this model can use **Retry**');
      }
      expect(dmxapi.submits.length).toBe(submitsBefore);

      // Two presses at once, then a third while the new job runs: one submit.
      dmxapi.nextTasks.push({ outcome: 'SUCCEEDED', pendingMs: 300, runningMs: 2500 });
      const first = press(`job:retry:${failed.jobId}`, failed.result.id);
      const second = press(`job:retry:${failed.jobId}`, failed.result.id);
      const answers = [(await answer(first)).content, (await answer(second)).content];
      expect(answers.filter((a) => a.startsWith('Started job #'))).toHaveLength(1);
      expect(answers.filter((a) => a.includes('is still being made'))).toHaveLength(1);
      const third = await answer(press(`job:retry:${failed.jobId}`, failed.result.id));
      expect(third.content).toContain('is still being made');
      expect(dmxapi.submits.length).toBe(submitsBefore + 1);
      expect((dmxapi.submits.at(-1)!.body as { input: { image: string } }).input.image).toBe(
        (dmxapi.submits.at(-2)!.body as { input: { image: string } }).input.image,
      );

      // The new job has its own message, a reply to the result; the result stays as it was.
      const reply = await d().waitFor(
        () => repliesTo(failed.result.id).find((m) => m.attachments.some((a) => a.filename === 'model.glb')),
        { timeoutMs: 20_000, description: 'the retried model, delivered in the reply' },
      );
      expect(reply.type).toBe(19);
      expect(repliesTo(failed.result.id)).toHaveLength(1);
      expect(d().message(failed.result.id)?.content).toBe(failed.result.content);
      // The presser's private answer was not overwritten by the job's progress.
      const started = answers.find((a) => a.startsWith('Started job #'))!;
      expect(d().originalMessage(first.token)?.content === started || d().originalMessage(second.token)?.content === started).toBe(true);
    });
  });

  describe('Retry, stale', () => {
    it('a picture Discord no longer serves makes Retry answer that clearly, and nothing is spent', async () => {
      world.dmxapi.nextTasks.push({ outcome: 'FAILED', code: 'InvalidImage', message: 'No object found.' });
      const failed = await model();
      const url = (world.dmxapi.submits.at(-1)!.body as { input: { image: string } }).input.image;
      for (const [key, file] of [...d().store.files]) if (url.includes(file.path)) d().store.files.delete(key);
      const submits = world.dmxapi.submits.length;
      const gone = await answer(press(`job:retry:${failed.jobId}`, failed.result.id));
      expect(gone.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(gone.content).toMatch(/^The original picture can no longer be fetched \(The image could not be fetched: the server answered HTTP 404\.\)/);
      expect(world.dmxapi.submits.length).toBe(submits);
    });
  });

  describe('Detailed version', () => {
    it('is checked against the quota when pressed, with the same private refusal as /model3d, and blocks', async () => {
      expect(await admin('limits', 'set', { daily: 2 })).toContain('Limits updated');
      const done = await model({ quality: 'standard' });
      expect(customIds(done.result)).toContain(`job:detailed:${done.jobId}`);
      const submitsBefore = world.dmxapi.submits.length;

      const refused = await answer(press(`job:detailed:${done.jobId}`, done.result.id));
      expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
      // The same words /model3d quality:detailed gets right now.
      const image = d().hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
      const cmd = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image, quality: 'detailed' }, guildId: GUILD, channelId: GENERAL }));
      const cmdRefusal = await d().waitFor(() => d().followups(cmd.token)[0], { timeoutMs: 10_000, description: 'the /model3d refusal' });
      expect(refused.content).toBe(cmdRefusal.content);
      expect(refused.content).toMatch(/credit/);
      expect(world.dmxapi.submits.length).toBe(submitsBefore);

      await admin('limits', 'clear');
      const blockRec = d().sendInteraction(
        d().build.chatInput({ name: 'model3d-admin', subcommand: 'block', options: { member: opt.user(requester), reason: 'spam' }, memberPermissions: MOD_PERMS, user: moderator, guildId: GUILD }),
      );
      expect((await answer(blockRec)).content).toContain('can no longer');
      const blocked = await answer(press(`job:detailed:${done.jobId}`, done.result.id));
      expect(blocked.content).toContain('blocked');
      expect(world.dmxapi.submits.length).toBe(submitsBefore);
      const unblock = d().sendInteraction(
        d().build.chatInput({ name: 'model3d-admin', subcommand: 'unblock', options: { member: opt.user(requester) }, memberPermissions: MOD_PERMS, user: moderator, guildId: GUILD }),
      );
      await answer(unblock);

      const started = await answer(press(`job:detailed:${done.jobId}`, done.result.id));
      expect(started.content).toMatch(/^Started job #\d+/);
      expect(world.dmxapi.submits.at(-1)?.body).toMatchObject({ parameters: { texture_quality: 'detailed' } });
      await d().waitFor(() => repliesTo(done.result.id).find((m) => m.attachments.some((a) => a.filename === 'model.glb')), {
        timeoutMs: 20_000,
        description: 'the detailed model',
      });
      const again = await answer(press(`job:detailed:${done.jobId}`, done.result.id));
      expect(again.content).toContain('already made');
      expect(world.dmxapi.submits.filter((s) => (s.body as { parameters?: { texture_quality?: string } }).parameters?.texture_quality === 'detailed')).toHaveLength(1);
    });
  });

  describe('Delete', () => {
    it('is refused to other members; a moderator with Manage Messages removes the result and its files, without a refund', async () => {
      const done = await model({ title: 'Teapot' });
      expect(done.result.attachments.map((a) => a.filename).sort()).toEqual(['preview.webp', 'teapot.glb']);
      expect((done.result.embeds[0] as { title?: string }).title).toBe('Teapot');
      const ownFiles = () => storedFiles(world).filter((f) => f.startsWith(`${done.jobId}/`));
      expect(ownFiles()).toEqual([`${done.jobId}/original.glb`, `${done.jobId}/picture.webp`, `${done.jobId}/preview.webp`]);

      const refused = await answer(press(`job:delete:${done.jobId}`, done.result.id, other));
      expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(refused.content).toContain('Manage Messages');
      expect(d().message(done.result.id)?.embeds).toHaveLength(1);

      press(`job:delete:${done.jobId}`, done.result.id, moderator, MOD_PERMS);
      const removed = await d().waitFor(() => {
        const m = d().message(done.result.id);
        return m && m.embeds.length === 0 ? m : undefined;
      }, { timeoutMs: 10_000, description: 'the removed result' });
      expect(removed.content).toBe(`🗑️ This 3D model was removed by <@${moderator.id}>.`);
      expect(removed.attachments).toEqual([]);
      expect(removed.components).toEqual([]);
      // Logged once the message, the gallery post and the files are done with.
      await bot.waitForLog((l) => l.msg === 'result deleted' && l.jobId === done.jobId);
      expect(ownFiles()).toEqual([]);
      expect(existsSync(join(world.dir, 'files', String(done.jobId)))).toBe(false);
      expect(await world.rows('SELECT id FROM quota_ledger WHERE job_id = @id', { id: done.jobId })).toEqual([]);
      expect(await world.row('SELECT state, deleted_by FROM jobs WHERE id = @id', { id: done.jobId })).toEqual({
        state: 'succeeded',
        deleted_by: moderator.id,
      });

      // A stale copy of the buttons answers privately and clearly.
      const stale = await answer(press(`job:detailed:${done.jobId}`, done.result.id));
      expect(stale.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(stale.content).toContain('no longer has');
    });

    it('the requester deletes their own failed result', async () => {
      world.dmxapi.nextTasks.push({ outcome: 'CANCELED' });
      const done = await model();
      // The same custom id on some other message (say, a moderator's crafted one) acts on nothing.
      const elsewhere = d().sendInteraction(
        d().build.button({ customId: `job:delete:${done.jobId}`, user: moderator, memberPermissions: MOD_PERMS, guildId: GUILD, channelId: GENERAL }),
      );
      expect((await answer(elsewhere)).content).toContain('no longer has');
      expect(d().message(done.result.id)?.embeds).toHaveLength(1);
      press(`job:delete:${done.jobId}`, done.result.id);
      await d().waitFor(() => d().message(done.result.id)?.content === `🗑️ This 3D model was removed by <@${requester.id}>.`, {
        timeoutMs: 10_000,
        description: 'the removed result',
      });
    });
  });

  describe('Gallery', () => {
    it('forum, opt-in: the requester shares once; a quality tag is created; deleting the result removes the post', async () => {
      const set = await admin('gallery', 'set', { channel: opt.channel({ id: FORUM, type: 15, name: 'gallery' }) });
      expect(set).toContain(`<#${FORUM}>`);
      expect(await admin('limits', 'show')).toContain(`Gallery: <#${FORUM}> (opt-in`);

      const done = await model({ title: 'Teapot @everyone' });
      expect(customIds(done.result)).toContain(`job:share:${done.jobId}`);
      // Discord allows at most 5 buttons in an action row.
      for (const row of done.result.components) expect((row as { components: unknown[] }).components.length).toBeLessThanOrEqual(5);
      const notYours = await answer(press(`job:share:${done.jobId}`, done.result.id, other));
      expect(notYours.content).toContain('Only the member who asked');

      const a = press(`job:share:${done.jobId}`, done.result.id);
      const b = press(`job:share:${done.jobId}`, done.result.id);
      const texts = [(await answer(a)).content, (await answer(b)).content];
      expect(texts.filter((x) => x.startsWith('✅ Shared to the gallery'))).toHaveLength(1);
      const threads = () => [...d().store.channels.values()].filter((c) => c.parent_id === FORUM && c.type === 11);
      expect(threads()).toHaveLength(1);
      const post = threads()[0]!;
      expect(post.name).toBe('Teapot @everyone');
      const forum = d().store.channels.get(FORUM)!;
      const standardTag = (forum.available_tags as { id: string; name: string }[]).find((t) => t.name === 'Standard');
      expect(standardTag).toBeDefined();
      expect(post.applied_tags).toEqual([standardTag!.id]);
      const first = d().messagesIn(post.id)[0]!;
      expect(first.id).toBe(post.id);
      expect(first.attachments.map((x) => x.filename).sort()).toEqual(['preview.webp', 'teapot-everyone.glb']);
      expect(first.content).toBe(`<@${requester.id}>`);
      expect(JSON.stringify(first.embeds)).toContain(`https://discord.com/channels/${GUILD}/${GENERAL}/${done.result.id}`);
      // The model's stats come along (the fitted GLB above is the one the result attached).
      expect(JSON.stringify(first.embeds)).toMatch(/\d+ triangles/);
      const create = d().requestsMatching({ method: 'POST', route: '/channels/:channel/threads' })[0]!;
      expect(((create.body as { message: { allowed_mentions: unknown } }).message).allowed_mentions).toEqual({ parse: [] });
      // The result no longer offers sharing; its other buttons stay.
      await d().waitFor(() => !customIds(d().message(done.result.id)).includes(`job:share:${done.jobId}`), { description: 'share button gone' });
      expect(customIds(d().message(done.result.id))).toContain(`job:delete:${done.jobId}`);

      press(`job:delete:${done.jobId}`, done.result.id);
      await d().waitFor(() => !d().store.channels.has(post.id), { timeoutMs: 10_000, description: 'the forum post deleted' });
    });

    it('forum without Manage Channels: posts without tags, named after the member', async () => {
      await admin('gallery', 'set', { channel: opt.channel({ id: PLAIN_FORUM, type: 15, name: 'plain-gallery' }) });
      const done = await model();
      expect((await answer(press(`job:share:${done.jobId}`, done.result.id))).content).toContain('Shared to the gallery');
      const post = [...d().store.channels.values()].find((c) => c.parent_id === PLAIN_FORUM)!;
      expect(post.name).toBe(`3D model by ${requester.global_name}`);
      expect(post.applied_tags).toEqual([]);
      expect(d().store.channels.get(PLAIN_FORUM)!.available_tags).toEqual([]);

      // Files the bot no longer keeps (retention): sharing says so, privately, and posts nothing.
      const old = await model();
      rmSync(join(world.dir, 'files', String(old.jobId)), { recursive: true, force: true });
      const gone = await answer(press(`job:share:${old.jobId}`, old.result.id));
      expect(gone.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(gone.content).toContain('no longer has this model’s files');
      expect([...d().store.channels.values()].filter((c) => c.parent_id === PLAIN_FORUM)).toHaveLength(1);
    });

    it('a missing permission in the gallery channel is named privately, and nothing is posted', async () => {
      const set = await admin('gallery', 'set', { channel: opt.channel({ id: LOCKED_FORUM, type: 15, name: 'locked-gallery' }) });
      expect(set).toContain('**Attach Files**');
      const done = await model();
      const refused = await answer(press(`job:share:${done.jobId}`, done.result.id));
      expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(refused.content).toBe(
        `The model could not be shared: the bot is missing the **Attach Files** permission in <#${LOCKED_FORUM}>. Ask a moderator to give it; nothing was posted.`,
      );
      expect([...d().store.channels.values()].filter((c) => c.parent_id === LOCKED_FORUM)).toEqual([]);
    });

    it('text channel, mode all: every model is posted once, even across a restart; the moderators’ removal takes it down', async () => {
      await admin('gallery', 'set', { channel: opt.channel({ id: SHOWCASE, type: 0, name: 'showcase' }), mode: 'all' });
      const done = await model({ quality: 'detailed' });
      expect(customIds(done.result)).not.toContain(`job:share:${done.jobId}`);
      const posted = await d().waitFor(() => d().messagesIn(SHOWCASE).find((m) => m.content === `<@${requester.id}>`), {
        timeoutMs: 10_000,
        description: 'the showcase message',
      });
      expect(posted.attachments.map((x) => x.filename).sort()).toEqual(['model.glb', 'preview.webp']);
      // The post is recorded only once Discord has answered (the message may be visible before that).
      await bot.waitForLog((l) => l.msg === 'shared to the gallery' && l.jobId === done.jobId);
      const again = await answer(press(`job:share:${done.jobId}`, done.result.id));
      expect(again.content).toContain('already in the gallery');

      await bot.kill();
      bot = await world.startBot();
      await bot.waitForLog('connected to Discord');
      expect(d().messagesIn(SHOWCASE)).toHaveLength(1);

      const refund = d().sendInteraction(
        d().build.button({ customId: `audit:refund:${done.jobId}`, user: moderator, memberPermissions: MOD_PERMS, guildId: GUILD, channelId: GENERAL }),
      );
      await d().waitForAck(refund.id);
      await d().waitFor(() => d().messagesIn(SHOWCASE).length === 0, { timeoutMs: 10_000, description: 'showcase message removed' });
    });

    it('a post cut short by a crash is never made a second time after the restart', async () => {
      // The gallery answers slowly; the bot dies while its post is on the way (and Discord still makes it).
      const showcasePosts = () => d().requestsMatching({ method: 'POST', route: '/channels/:channel/messages' }).filter((r) => r.params.channel === SHOWCASE).length;
      const postsBefore = showcasePosts();
      const slow = d().faults.delay(1500, { method: 'POST', channelId: SHOWCASE, times: 1 });
      const done = await model();
      await d().waitFor(() => slow.matched >= 1, { timeoutMs: 10_000, description: 'the post on its way' });
      await bot.kill();
      await d().waitFor(() => d().messagesIn(SHOWCASE).length === 1, { timeoutMs: 10_000, description: 'the post landed' });
      bot = await world.startBot();
      // Both ways a post could be made again are decided: the start-up catch-up, then the press.
      expect(await bot.waitForLog('gallery catch-up decided')).toMatchObject({ staleClaims: 0, unposted: 0 });
      const pressed = await answer(press(`job:share:${done.jobId}`, done.result.id));
      expect(pressed.content).toContain('shared only once');
      expect(d().messagesIn(SHOWCASE)).toHaveLength(1);
      expect(showcasePosts() - postsBefore).toBe(1);

      expect(await admin('gallery', 'off')).toContain('Gallery off');
      expect(await admin('limits', 'show')).toContain('Gallery: off.');
    });

    it('a claim a crash left behind is settled at the next start: a post that landed is kept, one that never did is made', async () => {
      const footer = (jobId: number) => (m: FakeMessage) => JSON.stringify(m.embeds).includes(`"text":"Job #${jobId}"`);
      const showcasePosts = (jobId: number) => d().messagesIn(SHOWCASE).filter(footer(jobId));
      const forumPosts = (jobId: number) =>
        [...d().store.channels.values()].filter((c) => c.parent_id === FORUM && d().messagesIn(c.id).some(footer(jobId)));
      let crashes = 0;
      /** Kills the bot while its gallery post is held by the fake, ages the claim past any post's time, restarts. */
      const crashMidPost = async (channelId: string, landed: boolean, posts: (jobId: number) => unknown[]) => {
        const name = `held post ${++crashes}`;
        const held = d().faults.add({ name, method: 'POST', channelId, times: 1, delayMs: 1500, ...(landed ? {} : { status: 502 }) });
        const done = await model();
        await d().waitFor(() => held.matched >= 1, { timeoutMs: 10_000, description: 'the post on its way' });
        await bot.kill();
        // The held request ends (with the post made, or not) while the bot is down.
        await d().waitFor(() => d().requests.some((r) => r.fault === name && r.finishedAt > 0), { timeoutMs: 10_000, description: 'the held post answered' });
        expect(posts(done.jobId)).toHaveLength(landed ? 1 : 0);
        expect(await world.row('SELECT state FROM gallery_posts WHERE job_id = @id', { id: done.jobId })).toEqual({ state: 'posting' });
        await world.withDb((db) => db.run('UPDATE gallery_posts SET updated_at = updated_at - 600000 WHERE job_id = @id', { id: done.jobId }));
        bot = await world.startBot();
        await bot.waitForLog('gallery claim settled');
        return done;
      };

      // A forum post that landed: found among the forum's active posts.
      await admin('gallery', 'set', { channel: opt.channel({ id: FORUM, type: 15, name: 'gallery' }), mode: 'all' });
      const inForum = await crashMidPost(FORUM, true, forumPosts);
      const thread = forumPosts(inForum.jobId)[0]!;
      const pressed = await answer(press(`job:share:${inForum.jobId}`, inForum.result.id));
      expect(pressed.content).toContain(`already in the gallery: https://discord.com/channels/${GUILD}/${thread.id}`);
      expect(forumPosts(inForum.jobId)).toHaveLength(1);

      // A text-channel post that landed: found among the channel's recent messages.
      await admin('gallery', 'set', { channel: opt.channel({ id: SHOWCASE, type: 0, name: 'showcase' }), mode: 'all' });
      const landed = await crashMidPost(SHOWCASE, true, showcasePosts);
      const kept = showcasePosts(landed.jobId)[0]!;
      expect((await answer(press(`job:share:${landed.jobId}`, landed.result.id))).content).toContain(
        `already in the gallery: https://discord.com/channels/${GUILD}/${SHOWCASE}/${kept.id}`,
      );
      expect(showcasePosts(landed.jobId)).toHaveLength(1);

      // One that never reached Discord: the claim fails, and `mode: all` posts it then.
      const lost = await crashMidPost(SHOWCASE, false, showcasePosts);
      await d().waitFor(() => showcasePosts(lost.jobId).length === 1, { timeoutMs: 10_000, description: 'the post made after the restart' });
      expect((await answer(press(`job:share:${lost.jobId}`, lost.result.id))).content).toContain('already in the gallery');
      expect(showcasePosts(lost.jobId)).toHaveLength(1);
      expect(await admin('gallery', 'off')).toContain('Gallery off');
      // Three kills and restarts: the bot's starts, not the checks, take the time on a loaded machine.
    }, 120_000);

    it('mode all: a Delete that lands while the post is being made takes the post down once it is made', async () => {
      await admin('gallery', 'set', { channel: opt.channel({ id: SHOWCASE, type: 0, name: 'showcase' }), mode: 'all' });
      let release!: () => void;
      const held = d().faults.add({ name: 'held gallery post', method: 'POST', channelId: SHOWCASE, times: 1, until: new Promise<void>((r) => (release = r)) });
      const done = await model();
      const mine = () => d().messagesIn(SHOWCASE).filter((m) => JSON.stringify(m.embeds).includes(`"text":"Job #${done.jobId}"`));
      await d().waitFor(() => held.matched >= 1, { timeoutMs: 10_000, description: 'the gallery post on its way' });
      press(`job:delete:${done.jobId}`, done.result.id);
      await bot.waitForLog((l) => l.msg === 'result deleted' && l.jobId === done.jobId);
      expect(mine()).toHaveLength(0); // still held: nothing to take down yet
      release();
      await bot.waitForLog((l) => l.msg === 'gallery post removed: the result was deleted while it was being made' && l.jobId === done.jobId);
      // Discord made the post, and the bot took it down.
      expect(d().requests.some((r) => r.fault === 'held gallery post' && r.status === 200)).toBe(true);
      expect(mine()).toHaveLength(0);
      expect(await world.row('SELECT state FROM gallery_posts WHERE job_id = @id', { id: done.jobId })).toEqual({ state: 'removed' });
      expect(await admin('gallery', 'off')).toContain('Gallery off');
    });
  });
});
