import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import type { ModelInfo } from '../../src/domain/model-info.js';
import { renderJob, MODEL_NAME } from '../../src/discord/render.js';
import { jobRow } from '../helpers/jobs.js';

const ctx = { now: 1_700_000_090_000 };
const text = (p: ReturnType<typeof renderJob>) =>
  [p.content, ...p.embeds.flatMap((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].join('\n');
const customIds = (p: ReturnType<typeof renderJob>) =>
  p.components.flatMap((r) => r.components).flatMap((c) => ('custom_id' in c ? [c.custom_id] : []));

const info: ModelInfo = {
  stats: { triangles: 19_800, vertices: 10_201, materials: 1, textures: 3, largestTexturePx: 4096, dims: [1.2, 1.94, 1.12], bytes: 60_107_684 },
  validation: { errors: 0, warnings: 1 },
  fit: {
    budgetBytes: 10_300_000,
    bytesBefore: 60_107_684,
    bytesAfter: 3_355_443,
    steps: [
      { step: 'lossless', bytesAfter: 60_107_600 },
      { step: 'jpeg', bytesAfter: 12_000_000 },
      { step: 'downscale', value: 2048, bytesAfter: 5_000_000 },
      { step: 'downscale', value: 1024, bytesAfter: 3_355_443 },
    ],
    validation: { errors: 0, warnings: 0 },
  },
  artifacts: [],
};

const processed = (o: Partial<Job> = {}): Job =>
  jobRow({
    state: 'succeeded',
    finishedAt: 1_700_000_079_000,
    previewFile: '/f/7/preview.webp',
    originalFile: '/f/7/original.glb',
    originalBytes: 60_107_684,
    modelFile: '/f/7/model.glb',
    modelBytes: 3_355_443,
    modelUrl: 'https://cdn.example/m.glb?auth_key=1',
    resultExpiresAt: 1_700_007_279_000,
    processingState: 'done',
    modelInfo: info,
    ...o,
  });

describe('the result embed tells what the model is and how it was fitted', () => {
  it('stats compactly, one fit line, and the STL/OBJ buttons', () => {
    const p = renderJob(processed(), ctx);
    const s = text(p);
    expect(s).toContain('19,800 triangles · 10,201 vertices · 1 material(s) · 3 texture(s) up to 4,096 px');
    expect(s).toContain('1.2 × 1.9 × 1.1 units · 57.3 MB');
    expect(s).toContain('glTF validator: no errors, 1 warning(s)');
    // Successive downscales read as one change, from the original size to the last.
    expect(s).toContain('57.3 MB → 3.2 MB: lossless clean-up, textures to JPEG, textures 4,096→1,024 px');
    expect(p.files.map((f) => f.name)).toContain(MODEL_NAME);
    expect(customIds(p).filter((id) => !id.startsWith('job:'))).toEqual(['files:7', 'export:stl:7', 'export:obj:7']);
  });

  it('formats numbers in the member’s locale; zh-CN reads Chinese with the same numbers', () => {
    const de = text(renderJob(processed({ locale: 'de' }), ctx));
    expect(de).toContain('19.800 triangles');
    expect(de).toContain('1,2 × 1,9 × 1,1 units · 57,3 MB');
    const zh = renderJob(processed({ locale: 'zh-CN' }), ctx);
    const z = text(zh);
    expect(z).toContain('19,800 个三角形');
    expect(z).toContain('最大 4,096 像素');
    expect(z).toContain('已缩小 57.3 MB → 3.2 MB：无损整理, 贴图转为 JPEG, 贴图 4,096→1,024 像素');
    expect(zh.components.flatMap((r) => r.components).map((c) => ('label' in c ? c.label : ''))).toEqual(
      expect.arrayContaining(['STL（3D 打印）', 'OBJ（.zip 压缩包）']),
    );
  });

  it('a model that fitted as it came has no fit line', () => {
    const s = text(renderJob(processed({ modelInfo: { ...info, fit: { ...info.fit!, steps: [], bytesAfter: 60_107_684 } } }), ctx));
    expect(s).not.toMatch(/MB →/);
    expect(s).toContain('19,800 triangles');
  });

  it('an unprocessable model: linked as the provider gave it, with one honest line; no stats, no exports', () => {
    for (const [failure, reason] of [
      ['corrupt', 'the file is damaged'],
      ['timeout', 'it took too long'],
      ['memory', 'it needed too much memory'],
    ] as const) {
      const p = renderJob(processed({ modelFile: null, processingState: 'failed', modelInfo: { failure } }), ctx);
      expect(text(p)).toContain(`The bot could not process this model (${reason}), so it is linked as the provider gave it; the link expires <t:1700007279:R>`);
      expect(p.files.map((f) => f.name)).not.toContain(MODEL_NAME);
      expect(customIds(p).filter((id) => !id.startsWith('job:'))).toEqual([]);
      expect(p.components[0]?.components[0]).toMatchObject({ style: 5, url: 'https://cdn.example/m.glb?auth_key=1' });
    }
  });

  it('too big to download, or still too big after every step: says so with the sizes', () => {
    const big = renderJob(
      processed({ modelFile: null, originalFile: null, processingState: 'failed', modelInfo: { failure: 'too_large_download', downloadLimitBytes: 200 * 1024 * 1024 } }),
      ctx,
    );
    expect(text(big)).toContain('The GLB is larger than the 200.0 MB the bot downloads, so it is linked as the provider gave it');
    const stuck = renderJob(processed({ modelFile: null, modelInfo: { ...info, fit: { ...info.fit!, bytesAfter: 12_582_912 } } }), ctx);
    expect(text(stuck)).toContain("Even shrunk to 12.0 MB, the GLB is larger than this channel's upload limit (10.0 MB), so it is linked instead");
    // Its original was read, so the exports still work.
    expect(customIds(stuck).filter((id) => !id.startsWith('job:'))).toEqual(['export:stl:7', 'export:obj:7']);
  });
});
