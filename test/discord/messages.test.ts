import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import { renderJob } from '../../src/discord/render.js';
import { jobRow } from '../helpers/jobs.js';
import { messageTables, t } from '../../src/i18n/index.js';
import { en as memberTable } from '../../src/i18n/en.js';
import { zhCN } from '../../src/i18n/zh-CN.js';

// A missing member-facing key, an extra key or a parameter unlike the English one is a type error
// in src/i18n/zh-CN.ts itself (typed as the member table); these check the same at run time.
type Table = Required<(typeof messageTables)[string]>;

const CJK = /[\u4e00-\u9fff]/;
const en = messageTables['en'] as Table;
const zh = messageTables['zh-CN'] as Partial<Table>;

describe('Simplified Chinese messages', () => {
  it('registers zh-CN, and every one of its keys exists in English', async () => {
    expect(zh).toBe(zhCN);
    const extra = Object.keys(zhCN).filter((k) => !(k in en));
    expect(extra).toEqual([]);
  });

  it('translates every key a member sees (only the moderators\' table, src/i18n/en-moderators.ts, may stay English)', async () => {
    const memberFacing = Object.keys(memberTable);
    expect(memberFacing).toEqual(expect.arrayContaining(['export.sent', 'result.removedByModerator', 'job.queued']));
    const missing = memberFacing.filter((k) => !(k in zhCN));
    expect(missing).toEqual([]);
  });

  it('every translated text is Chinese', async () => {
    // Sample values: each function only reads the ones it needs.
    const values = {
      user: '<@555>', scheme: 'ftp', found: 'gif', width: 7000, height: 7000, min: 64, max: 6000, bytes: 30 * 1024 * 1024,
      host: '10.0.0.1', status: 404, ms: 15000, since: 1_700_000_000_000, started: 1_700_000_005_000, typicalMs: 78_000,
      size: '2.0 MB', expiresAt: 1_700_086_400_000, limit: '10.0 MB', code: 'FAILED', message: 'bad', waitedMs: 1_800_000,
      reason: '生成器目前繁忙，请一分钟后再试。', count: 3, id: 7, quality: '精细', state: 'failed', at: 1_700_000_000_000,
      tookMs: 78_000, link: 'https://discord.com/channels/1/2/3', hidden: 2, removed: false, picture: 'turntable',
      url: 'https://cdn.example/m.glb', remaining: 1, allowance: 10, cost: 2, resetsAt: 1_700_086_400_000, inFlight: 2,
      until: 1_700_000_060_000, standard: 1, detailed: 2, used: 5, given: 'ultra', allowed: ['standard', 'detailed'],
      button: '重试', channelId: '123', permission: '附加文件', name: '小明',
      triangles: '19,800', vertices: '10,201', materials: '1', textures: '3', texturePx: '2,048', dims: '1.2 × 1.9 × 1.1',
      errors: '0', warnings: '2', clean: true, before: '31.2 MB', after: '8.9 MB', steps: '贴图转为 JPEG', from: '4,096', to: '2,048',
      percent: '50', kind: 'stl', heightMm: 100, what: '实例化后共 240,000,000 个三角形', value: '240,000,000',
      view: 'back', subject: '背面视图', names: '正面、背面', kinds: ['gif', 'link'], multiviewExtra: 2, minutes: 12, failure: 'timeout', seconds: 30,
    };
    for (const [key, fn] of Object.entries(zhCN)) {
      const text = (fn as (v: unknown) => string)(values);
      expect(text, key).toMatch(CJK);
      expect(text, key).not.toMatch(/undefined|NaN|\[object/);
    }
  });

  it('the dimension limit reads naturally, with the numbers kept', async () => {
    const text = t('zh-CN', 'input.tooLargeDimensions', { width: 7000, height: 7000, max: 6000 });
    expect(text).toContain('7000×7000');
    expect(text).toContain('6000');
    expect(text).toMatch(CJK);
    expect(text).toBe('图片为 7000×7000 像素；每边最大 6000 像素。');
  });

  it('keeps Discord markup: timestamps, mentions, bold, code and emoji', async () => {
    expect(t('zh-CN', 'job.queued', { since: 1_700_000_001_000 })).toBe('⏳ 生成器**排队中** — 提交于 <t:1700000001:R>。');
    expect(t('zh-CN', 'job.succeeded', { user: '<@555>' })).toBe('✅ <@555>，你的 3D 模型已生成。');
    expect(t('zh-CN', 'input.badScheme', { scheme: 'ftp' })).toContain('`ftp`');
    expect(t('zh-CN', 'job.typically', { typicalMs: 78_000 })).toBe('此类任务通常需要约 1 分 18 秒。');
  });

  it('zh-CN and the bare language zh pick Chinese; English locales stay English', async () => {
    expect(t('zh-CN', 'error.guildOnly')).toBe('此命令只能在服务器中使用。');
    expect(t('zh', 'error.guildOnly')).toBe('此命令只能在服务器中使用。');
    expect(t('en-US', 'error.guildOnly')).toBe('This command only works in a server.');
    expect(t('fr', 'error.guildOnly')).toBe('This command only works in a server.');
  });

  it('zh-TW gets Simplified Chinese through the language fallback (closer to its readers than English)', async () => {
    expect(t('zh-TW', 'upstream.rateLimited')).toBe('生成器目前繁忙，请一分钟后再试。');
  });

  it('a key zh-CN does not translate falls back to English', async () => {
    expect('admin.limits.updated' in zhCN).toBe(false);
    expect(t('zh-CN', 'admin.limits.updated')).toBe('✅ Limits updated.');
    expect(t('zh', 'audit.field.member')).toBe('Member');
  });
});

const job: Job = jobRow({ locale: 'zh-CN' });
const ctx = { now: 1_700_000_030_000 };
const text = (p: ReturnType<typeof renderJob>) =>
  [p.content, ...p.embeds.flatMap((e) => [e.title, e.description, e.footer?.text, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].join('\n');

describe('rendering a job in Simplified Chinese', () => {
  it('queued: Chinese title, status, fields and footer, with the live timestamp', async () => {
    const p = renderJob({ ...job, state: 'queued' }, { ...ctx, typicalMs: 78_000 });
    const s = text(p);
    expect(s).toContain('图片 → 3D 模型');
    expect(s).toContain('**排队中**');
    expect(s).toContain('<t:1700000001:R>');
    expect(s).toContain('约 1 分 18 秒');
    expect(s).toContain('精细');
    expect(s).not.toMatch(/Queued|Quality|Requested by/);
  });

  it('running and succeeded read in Chinese too', async () => {
    expect(text(renderJob({ ...job, state: 'running', startedAt: 1_700_000_005_000 }, ctx))).toContain('**生成中**');
    const done = renderJob(
      { ...job, state: 'succeeded', finishedAt: 1_700_000_079_000, modelUrl: 'https://cdn.example/m.glb', resultExpiresAt: 1_700_086_400_000 },
      ctx,
    );
    expect(done.content).toBe('✅ <@555>，你的 3D 模型已生成。');
    expect(text(done)).toContain('耗时');
    expect(done.components[0]?.components[0]).toMatchObject({ label: '下载 GLB' });
  });
});
