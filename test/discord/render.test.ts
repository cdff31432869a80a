import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import { renderJob, MODEL_NAME } from '../../src/discord/render.js';
import { PREVIEW_NAME, TURNTABLE_NAME } from '../../src/domain/files.js';
import { t } from '../../src/i18n/index.js';
import { jobRow } from '../helpers/jobs.js';

const job = (o: Partial<Job>): Job => jobRow(o);
const ctx = { now: 1_700_000_030_000 };
const text = (p: ReturnType<typeof renderJob>) =>
  [p.content, ...p.embeds.flatMap((e) => [e.title, e.description, e.footer?.text, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].join('\n');

describe('rendering each job state', () => {
  it('queued: says queued with a live Discord timestamp of the submit, pings nobody', async () => {
    const p = renderJob(job({ state: 'queued' }), ctx);
    expect(text(p)).toMatch(/Queued/);
    expect(text(p)).toContain('<t:1700000001:R>');
    expect(p.mentionUsers).toEqual([]);
    expect(p.files).toEqual([]);
  });

  it('running: says generating since when, and the typical duration when known', async () => {
    const p = renderJob(job({ state: 'running', startedAt: 1_700_000_005_000 }), { ...ctx, typicalMs: 78_000 });
    expect(text(p)).toMatch(/Generating/);
    expect(text(p)).toContain('<t:1700000005:R>');
    expect(text(p)).toMatch(/about 1m 18s/);
  });

  it('succeeded with stored files: attaches preview and GLB, embed shows the attached preview', async () => {
    const p = renderJob(
      job({
        state: 'succeeded',
        finishedAt: 1_700_000_079_000,
        previewFile: '/data/files/7/preview.webp',
        modelFile: '/data/files/7/model.glb',
        modelBytes: 2048,
        modelUrl: 'https://cdn.example/m.glb?auth_key=1',
      }),
      { ...ctx, modelAttachmentUrl: 'https://cdn.discord.example/att/model.glb' },
    );
    expect(p.files.map((f) => f.name)).toEqual([PREVIEW_NAME, MODEL_NAME]);
    expect(p.embeds[0]?.image?.url).toBe(`attachment://${PREVIEW_NAME}`);
    const fields = Object.fromEntries((p.embeds[0]?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ Quality: 'Detailed', 'Time taken': '1m 18s', 'Requested by': '<@555>' });
    expect(fields.Model).toMatch(/attached \(2\.0 KB\)/);
    const [link, files] = p.components[0]?.components ?? [];
    expect(link).toMatchObject({ style: 5, label: 'Download GLB', url: 'https://cdn.discord.example/att/model.glb' });
    // A button served from the bot's own copy, for when every signed link has expired.
    expect(files).toMatchObject({ style: 2, label: 'Send me the files', custom_id: 'files:7' });
    expect(p.mentionUsers).toEqual(['555']);
  });

  it('succeeded with a turntable: the animation is the image, the provider still is the thumbnail, both attached', () => {
    const p = renderJob(
      job({
        state: 'succeeded',
        finishedAt: 1_700_000_079_000,
        previewFile: '/data/files/7/preview.webp',
        modelInfo: { artifacts: [{ kind: 'turntable', file: '/data/files/7/turntable.gif', bytes: 600_000 }] },
        modelFile: '/data/files/7/model.glb',
        modelBytes: 2048,
      }),
      ctx,
    );
    expect(p.files.map((f) => f.name)).toEqual([PREVIEW_NAME, TURNTABLE_NAME, MODEL_NAME]);
    expect(p.files.find((f) => f.name === TURNTABLE_NAME)?.path).toBe('/data/files/7/turntable.gif');
    expect(p.embeds[0]?.image?.url).toBe(`attachment://${TURNTABLE_NAME}`);
    expect(p.embeds[0]?.thumbnail?.url).toBe(`attachment://${PREVIEW_NAME}`);
  });

  it('succeeded with a turntable but no stored preview: the thumbnail is the provider link', () => {
    const p = renderJob(
      job({ state: 'succeeded', finishedAt: 1_700_000_079_000, previewUrl: 'https://cdn.example/p.webp',
        modelInfo: { artifacts: [{ kind: 'turntable', file: '/data/files/7/turntable.gif', bytes: 600_000 }] } }),
      ctx,
    );
    expect(p.embeds[0]?.image?.url).toBe(`attachment://${TURNTABLE_NAME}`);
    expect(p.embeds[0]?.thumbnail?.url).toBe('https://cdn.example/p.webp');
  });

  it('succeeded with a GLB too large to attach: links it and says when the link expires', async () => {
    const p = renderJob(
      job({
        state: 'succeeded',
        finishedAt: 1_700_000_079_000,
        previewFile: '/data/files/7/preview.webp',
        modelUrl: 'https://cdn.example/m.glb?auth_key=1',
        resultExpiresAt: 1_700_007_279_000,
      }),
      ctx,
    );
    expect(p.files.map((f) => f.name)).toEqual([PREVIEW_NAME]);
    expect(text(p)).toMatch(/larger than this channel's upload limit \(10\.0 MB\)/);
    expect(text(p)).toContain('<t:1700007279:R>');
    expect(p.components[0]?.components).toEqual([
      expect.objectContaining({ url: 'https://cdn.example/m.glb?auth_key=1' }),
      expect.objectContaining({ custom_id: 'job:delete:7', label: 'Delete' }),
    ]);
  });

  it('succeeded with result links the address guard refused: says why nothing was attached, links the provider', async () => {
    const p = renderJob(
      job({
        state: 'succeeded',
        finishedAt: 1_700_000_079_000,
        modelUrl: 'http://10.0.0.5/m.glb?auth_key=1',
        previewUrl: 'http://10.0.0.5/p.webp?auth_key=1',
        resultExpiresAt: 1_700_007_279_000,
        filesRefused: 'private_address',
      }),
      ctx,
    );
    expect(p.files).toEqual([]);
    expect(text(p)).toContain(
      "Nothing was attached: the provider's link points to a private or local address, so the bot did not download it.",
    );
    expect(text(p)).toContain('<t:1700007279:R>');
    expect(text(p)).not.toMatch(/upload limit/);
    const links = (p.components[0]?.components ?? []).filter((c) => 'url' in c);
    expect(links).toEqual([expect.objectContaining({ url: 'http://10.0.0.5/m.glb?auth_key=1' })]);
  });

  it('never shows the member’s own picture URL as the thumbnail (its host can swap the picture after the check)', async () => {
    const upload = { imageSource: 'attachment' as const, imageUrl: 'https://cdn.discordapp.com/attachments/1/2/cat.png?ex=1&is=2&hm=3' };
    const pasted = { imageSource: 'url' as const, imageUrl: 'https://media.discordapp.net/attachments/1/2/cat.png?ex=1&is=2&hm=3' };
    const external = { imageSource: 'url' as const, imageUrl: 'https://img.example/cat.png' };
    for (const state of ['submitting', 'queued', 'running', 'succeeded', 'failed', 'timed_out'] as const) {
      expect(renderJob(job({ state, ...upload }), ctx).embeds[0]?.thumbnail, state).toBeUndefined();
      expect(renderJob(job({ state, ...pasted }), ctx).embeds[0]?.thumbnail, state).toBeUndefined();
      expect(renderJob(job({ state, ...external }), ctx).embeds[0]?.thumbnail, state).toBeUndefined();
    }
  });

  it('shows the bot’s copy of the checked picture, attached, while the model is made and on a failure; a success shows the model', async () => {
    const pictureFile = '/files/7/picture.webp';
    for (const state of ['submitting', 'queued', 'running', 'failed', 'timed_out', 'not_submitted', 'outcome_unknown'] as const) {
      const p = renderJob(job({ state, pictureFile, imageSource: 'url', imageUrl: 'https://img.example/cat.png' }), ctx);
      expect(p.embeds[0]?.thumbnail, state).toEqual({ url: 'attachment://picture.webp' });
      expect(p.files, state).toEqual([{ name: 'picture.webp', path: pictureFile }]);
    }
    const done = renderJob(job({ state: 'succeeded', pictureFile, previewFile: '/files/7/preview.webp' }), ctx);
    expect(done.files.map((f) => f.name)).not.toContain('picture.webp');
  });

  it('failed: gives the provider code and message and says nothing more will come', async () => {
    const p = renderJob(job({ state: 'failed', errorCode: 'InvalidImage', errorMessage: 'No object found.' }), ctx);
    expect(p.content).toContain('Reason: **InvalidImage** No object found.');
    expect(p.content).toMatch(/Nothing more will come/);
  });

  it.each([
    ['canceled', /canceled/],
    ['expired', /no longer knows this job/],
    ['timed_out', /did not finish within 30m\b/],
    ['outcome_unknown', /will not resubmit/],
    ['not_submitted', /could not be started/],
  ] as const)('%s: a terminal message that tells the member', (state, re) => {
    const p = renderJob(job({ state }), ctx);
    expect(p.content).toMatch(re);
    expect(p.mentionUsers).toEqual(['555']);
  });

  it('never shows the interaction token', async () => {
    for (const state of ['queued', 'running', 'succeeded', 'failed'] as const) {
      expect(JSON.stringify(renderJob(job({ state }), ctx))).not.toContain('secret-token');
    }
  });

  it('falls back to English for a locale without its own table', async () => {
    expect(t('fr', 'job.title')).toBe(t('en-US', 'job.title'));
  });
});

describe('buttons on results', () => {
  const ids = (p: ReturnType<typeof renderJob>) =>
    p.components.flatMap((r) => r.components).map((c) => ('custom_id' in c ? c.custom_id : `link:${'label' in c ? c.label : ''}`));
  const done = { finishedAt: 1_700_000_079_000, modelFile: '/data/files/7/model.glb', modelBytes: 1000, previewFile: '/data/files/7/preview.webp' };

  it('a standard result offers the detailed version, sharing when the gallery is opt-in, and delete; at most 5 per row', async () => {
    const p = renderJob(job({ state: 'succeeded', quality: 'standard', ...done }), { ...ctx, modelAttachmentUrl: 'https://cdn/x.glb', offerShare: true });
    expect(ids(p)).toEqual(['link:Download GLB', 'files:7', 'job:detailed:7', 'job:share:7', 'job:delete:7']);
    expect(p.components.every((r) => r.components.length <= 5)).toBe(true);
    const noGallery = renderJob(job({ state: 'succeeded', quality: 'detailed', ...done }), ctx);
    expect(ids(noGallery)).toEqual(['files:7', 'job:delete:7']);
  });

  it('every job that ended without a model offers retry and delete; in-progress jobs offer nothing', async () => {
    for (const state of ['failed', 'canceled', 'expired', 'timed_out', 'not_submitted', 'outcome_unknown'] as const) {
      expect(ids(renderJob(job({ state, finishedAt: 1_700_000_079_000 }), ctx)), state).toEqual(['job:retry:7', 'job:delete:7']);
    }
    expect(renderJob(job({ state: 'running' }), ctx).components).toEqual([]);
  });

  it('a title becomes the embed title, escaped, and the GLB file name', async () => {
    const p = renderJob(job({ state: 'succeeded', title: '**Tea** pot_', ...done }), ctx);
    expect(p.embeds[0]?.title).toBe('\\*\\*Tea\\*\\* pot\\_');
    expect(p.files.map((f) => f.name)).toEqual([PREVIEW_NAME, 'tea-pot.glb']);
    expect(renderJob(job({ state: 'succeeded', ...done }), ctx).files.map((f) => f.name)).toEqual([PREVIEW_NAME, MODEL_NAME]);
  });
});
