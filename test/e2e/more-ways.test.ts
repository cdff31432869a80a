/**
 * More ways in (issue 22), end to end against the built bot: Apps → Make 3D model on a message
 * (an attachment, an image embed, nothing usable, a DM) and /model3d with several views (the
 * exact submit body for two and four views, refused views, Detailed and Retry keeping the views). One
 * world and one bot per store; every case makes its own jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gif } from '../fixtures/images.js';
import type { FakeAttachment, FakeMessage, InteractionRecord } from '../fakes/discord/index.js';
import { STORES, World, hasGlb, samplePng, visibleText, waitForVisible, type BotProcess } from './harness.js';

const MENU = 'Make 3D model';
const EPHEMERAL = 64;

describe.each(STORES)('more ways in (%s)', (store) => {
  let world: World;
  let bot: BotProcess;

  beforeAll(async () => {
    world = await World.start({ store, timeline: { pendingMs: 100, runningMs: 300 }, env: { QUOTA_MULTIVIEW_COST: '2' } });
    bot = await world.startBot();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  const d = () => world.discord;
  const picture = (name = 'sample.png', size = 256): FakeAttachment =>
    d().hostFile(samplePng(), { filename: name, contentType: 'image/png', width: size, height: size });
  const jobCount = async () => Number((await world.row<{ n: number }>('SELECT COUNT(*) AS n FROM jobs'))!.n);

  /** Waits for the finished result (the GLB attached) of an interaction. */
  const result = (rec: InteractionRecord): Promise<FakeMessage> =>
    d().waitFor(() => {
      const m = d().originalMessage(rec.token);
      return hasGlb(m) ? m : undefined;
    }, { timeoutMs: 30_000, description: `the result of ${rec.id}` });

  const lastBody = () => world.dmxapi.submits.at(-1)!.body as { model: string; input: Record<string, unknown>; parameters: Record<string, unknown> };

  describe('Apps → Make 3D model', () => {
    it('uses the message’s attachment, with the standard quality, and the result links back to the message', async () => {
      const target = { id: '810000000000000001', content: 'my teapot', attachments: [picture('teapot.png')] };
      const rec = d().sendInteraction(d().build.messageCommand({ name: MENU, target }));
      expect((await d().waitForAck(rec.id)).ackType).toBe(5); // deferred, public
      const done = await result(rec);
      expect(lastBody()).toEqual({ model: 'Tripo-P1.0', input: { image: target.attachments[0]!.url }, parameters: { texture_quality: 'standard' } });
      const guild = d().guilds[0]!;
      const text = visibleText(d(), rec.token);
      expect(text).toContain('Made from');
      expect(text).toContain(`[this message](https://discord.com/channels/${guild.id}/${done.channel_id}/${target.id})`);
      const row = await world.row<{ source_message_id: string; views: string | null }>('SELECT source_message_id, views FROM jobs ORDER BY id DESC LIMIT 1');
      expect(row).toEqual({ source_message_id: target.id, views: null });
    });

    it('takes an image embed when the message has no picture attached (a GIF attachment does not count)', async () => {
      const linked = picture('linked.png');
      const target = {
        content: `look ${linked.url}`,
        attachments: [d().hostFile(gif(40, 40), { filename: 'wave.gif', contentType: 'image/gif', width: 40, height: 40 })],
        embeds: [{ type: 'image', url: linked.url, thumbnail: { url: linked.url, proxy_url: linked.proxy_url, width: 256, height: 256 } }],
      };
      const rec = d().sendInteraction(d().build.messageCommand({ name: MENU, target }));
      await result(rec);
      expect(lastBody().input).toEqual({ image: linked.url });
    });

    it('a message with no JPEG or PNG: a private answer saying what it has, and nothing is spent', async () => {
      const [submits, jobs] = [world.dmxapi.submitCount(), await jobCount()];
      const target = {
        content: 'https://example.com/cats',
        attachments: [d().hostFile(gif(40, 40), { filename: 'wave.gif', contentType: 'image/gif', width: 40, height: 40 })],
        embeds: [{ type: 'link', url: 'https://example.com/cats', title: 'Cats' }],
      };
      const rec = d().sendInteraction(d().build.messageCommand({ name: MENU, target }));
      const answer = await d().waitFor(() => d().followups(rec.token)[0], { timeoutMs: 10_000, description: 'the private answer' });
      expect(answer.content).toBe('That message has a GIF and a link, but no JPEG or PNG. Nothing was charged.');
      expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(d().originalMessage(rec.token)).toBeUndefined(); // the public "thinking…" reply is gone
      await bot.waitForLog((l) => l.msg === 'request refused' && l.interactionId === rec.id);
      expect([world.dmxapi.submitCount(), await jobCount()]).toEqual([submits, jobs]);
    });

    it('works in a DM with the bot, and the link to the message is a DM link', async () => {
      const target = { attachments: [picture()] };
      const rec = d().sendInteraction(d().build.messageCommand({ name: MENU, target, guildId: null, locale: 'zh-CN' }));
      const done = await result(rec);
      const messageId = (d().interaction(rec.id)!.payload.data as { target_id: string }).target_id;
      const text = visibleText(d(), rec.token);
      expect(text).toContain('来源');
      expect(text).toContain(`https://discord.com/channels/@me/${done.channel_id}/${messageId}`);
      expect(lastBody().input).toEqual({ image: target.attachments[0]!.url });
    });
  });

  describe('/model3d with several views', () => {
    it('four views: input.images front, left, back, right; the extra cost; the result and Detailed keep the views', async () => {
      const [front, left, back, right] = ['front.png', 'left.png', 'back.png', 'right.png'].map((n) => picture(n));
      const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image: front!, left: left!, back: back!, right: right! } }));
      const done = await result(rec);
      const images = [front, left, back, right].map((a) => ({ url: a!.url }));
      expect(lastBody()).toEqual({ model: 'Tripo-P1.0', input: { images }, parameters: { texture_quality: 'standard' } });
      expect(visibleText(d(), rec.token)).toContain('4 views: front, left, back, right');
      const jobId = Number(/job:detailed:(\d+)/.exec(JSON.stringify(done.components))![1]);
      const row = await world.row<{ cost: number }>('SELECT cost FROM jobs WHERE id = @id', { id: jobId });
      expect(row!.cost).toBe(3); // 1 for standard + QUOTA_MULTIVIEW_COST
      const history = d().sendInteraction(d().build.chatInput({ name: 'model3d-history' }));
      expect(await waitForVisible(d(), history.token, `#${jobId} · Standard · 4 views`)).toBeTruthy();
      // The price differs from a single picture's: /quota says so before the member submits.
      const quota = d().sendInteraction(d().build.chatInput({ name: 'quota' }));
      await waitForVisible(d(), quota.token, 'A model from several views (`left`, `back`, `right`) costs 2 more.');

      const press = d().sendInteraction(d().build.button({ customId: `job:detailed:${jobId}`, message: { id: done.id } }));
      await waitForVisible(d(), press.token, /#\d+/, 15_000);
      await world.dmxapi.waitFor(() => world.dmxapi.submits.length > 0 && lastBody().parameters.texture_quality === 'detailed', 15_000);
      expect(lastBody().input).toEqual({ images });
    });

    it('two views: the missing ones are {}; Retry of a failed one sends the same views again', async () => {
      const [front, back] = [picture('f.png'), picture('b.png')];
      const images = [{ url: front.url }, {}, { url: back.url }, {}];
      world.dmxapi.nextTasks.push({ outcome: 'FAILED', code: 'InvalidImage', message: 'No object found.' });
      const rec = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image: front, back } }));
      const failed = await d().waitFor(() => {
        const m = d().originalMessage(rec.token);
        return m && /job:retry:\d+/.test(JSON.stringify(m.components)) ? m : undefined;
      }, { timeoutMs: 30_000, description: 'the failed result with its Retry button' });
      expect(lastBody().input).toEqual({ images });
      const submits = world.dmxapi.submitCount();
      const jobId = /job:retry:(\d+)/.exec(JSON.stringify(failed.components))![1];
      const press = d().sendInteraction(d().build.button({ customId: `job:retry:${jobId}`, message: { id: failed.id } }));
      await waitForVisible(d(), press.token, /#\d+/, 15_000);
      await world.dmxapi.waitFor(() => world.dmxapi.submitCount() > submits, 15_000);
      expect(lastBody()).toEqual({ model: 'Tripo-P1.0', input: { images }, parameters: { texture_quality: 'standard' } });
    });

    it('a refused view names itself, and a view without a front is refused; nothing is spent', async () => {
      const [submits, jobs] = [world.dmxapi.submitCount(), await jobCount()];
      const big = picture('huge.png', 7000);
      const refused = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image: picture(), left: picture(), back: big } }));
      await waitForVisible(d(), refused.token, 'The back view is 7000×7000 px; the maximum is 6000 px per side.');
      // Named a PNG, but its bytes are not a picture: found by its bytes, whatever the name says.
      const fake = d().hostFile(Buffer.from('this is not a picture at all, only text'), { filename: 'left.png', contentType: 'image/png', width: 256, height: 256 });
      const notImage = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image: picture(), left: fake } }));
      await waitForVisible(d(), notImage.token, 'The left view must be a JPEG or PNG; this file is not a recognised image.');
      const gifView = d().hostFile(gif(64, 64), { filename: 'right.gif', contentType: 'image/gif', width: 64, height: 64 });
      const animated = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { image: picture(), right: gifView } }));
      await waitForVisible(d(), animated.token, /The right view must be a JPEG or PNG; this file is a/);
      const noFront = d().sendInteraction(d().build.chatInput({ name: 'model3d', options: { left: picture() } }));
      await waitForVisible(d(), noFront.token, 'go with a front picture');
      expect([world.dmxapi.submitCount(), await jobCount()]).toEqual([submits, jobs]);
    });
  });
});
