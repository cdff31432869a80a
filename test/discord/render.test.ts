import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/store/jobs.js';
import { renderJob, MODEL_NAME, PREVIEW_NAME, TURNTABLE_NAME } from '../../src/discord/render.js';
import { t } from '../../src/discord/messages.js';
import { jobRow } from '../helpers/jobs.js';

const job = (o: Partial<Job>): Job => jobRow(o);
const ctx = { now: 1_700_000_030_000 };
const text = (p: ReturnType<typeof renderJob>) =>
  [p.content, ...p.embeds.flatMap((e) => [e.title, e.description, e.footer?.text, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].join('\n');

describe('rendering each job state', () => {
  it('queued: says queued with a live Discord timestamp of the submit, pings nobody', () => {
    const p = renderJob(job({ state: 'queued' }), ctx);
    expect(text(p)).toMatch(/Queued/);
    expect(text(p)).toContain('<t:1700000001:R>');
    expect(p.mentionUsers).toEqual([]);
    expect(p.files).toEqual([]);
  });

  it('running: says generating since when, and the typical duration when known', () => {
    const p = renderJob(job({ state: 'running', startedAt: 1_700_000_005_000 }), { ...ctx, typicalMs: 78_000 });
    expect(text(p)).toMatch(/Generating/);
    expect(text(p)).toContain('<t:1700000005:R>');
    expect(text(p)).toMatch(/about 1m 18s/);
  });

  it('succeeded with stored files: attaches preview and GLB, embed shows the attached preview', () => {
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
        turntableFile: '/data/files/7/turntable.gif',
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
      job({ state: 'succeeded', finishedAt: 1_700_000_079_000, previewUrl: 'https://cdn.example/p.webp', turntableFile: '/data/files/7/turntable.gif' }),
      ctx,
    );
    expect(p.embeds[0]?.image?.url).toBe(`attachment://${TURNTABLE_NAME}`);
    expect(p.embeds[0]?.thumbnail?.url).toBe('https://cdn.example/p.webp');
  });

  it('succeeded with a GLB too large to attach: links it and says when the link expires', () => {
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
    expect(p.components[0]?.components).toEqual([expect.objectContaining({ url: 'https://cdn.example/m.glb?auth_key=1' })]);
  });

  it('failed: gives the provider code and message and says nothing more will come', () => {
    const p = renderJob(job({ state: 'failed', errorCode: 'InvalidImage', errorMessage: 'No object found.' }), ctx);
    expect(p.content).toContain('`InvalidImage` No object found.');
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

  it('never shows the interaction token', () => {
    for (const state of ['queued', 'running', 'succeeded', 'failed'] as const) {
      expect(JSON.stringify(renderJob(job({ state }), ctx))).not.toContain('secret-token');
    }
  });

  it('falls back to English for a locale without its own table', () => {
    expect(t('fr', 'job.title')).toBe(t('en-US', 'job.title'));
  });
});
