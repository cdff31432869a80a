import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { relativeTime, renderMarkdown, renderMessageBody } from './format.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `npm run sandbox -- ...args` in its own process group; the group is killed if it overruns. */
function runSandbox(args: string[], limitMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'sandbox', '--silent', '--', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      reject(new Error(`npm run sandbox did not finish within ${limitMs} ms\n${out}`));
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('npm run sandbox', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('plays /model3d against the real bot, prints the timeline, saves the preview, turntable and GLB, exits 0', async () => {
    const tmp = tempDir('model3d-sandbox-');
    cleanups.push(tmp.cleanup);
    const out = join(tmp.dir, 'results');
    const run = await runSandbox(['--out', out], 90_000);
    expect(run.code, run.out).toBe(0);
    const t = run.out;
    expect(t).toMatch(/\+0\.00s\s+\/model3d image:sample\.png quality:standard/);
    expect(t).toMatch(/✓ acknowledged \(deferred, \d+ ms\)/);
    expect(t).toMatch(/→ DMXAPI submit\s+Tripo-P1\.0 texture_quality=standard\s+→ task \w+… PENDING/);
    expect(t).toMatch(/→ status check\s+PENDING/);
    expect(t).toMatch(/→ status check\s+RUNNING/);
    expect(t).toMatch(/→ status check\s+SUCCEEDED/);
    expect(t).toContain('✎ message edit (webhook)');
    expect(t).toMatch(/Queued at the generator — submitted (just now|\d+ s ago)/);
    expect(t).toMatch(/Generating the model/);
    expect(t).toContain('✅ @member, your 3D model is ready.');
    expect(t).toMatch(/\[attachments\] preview\.webp \([\d.]+ K?B\), turntable\.gif \([\d.]+ KB\), model\.glb \([\d.]+ (KB|MB)\)/);
    expect(t).toContain('image: attachment://turntable.gif');
    expect(t).toMatch(/\[button\] Download GLB → http:\/\/127\.0\.0\.1:\d+\//);
    // The whole story of a model laid out like real Tripo output: downloaded, described, attached as it
    // came (about 3 MB fits the upload limit: nothing to shrink), exportable.
    expect(t).toMatch(/↓ result download\s+GET tripo_pbr_model_/);
    expect(t).toContain('50,000 triangles');
    expect(t).toContain('3 texture(s) up to 4,096 px');
    expect(t).toMatch(/ units · 3\.\d MB/);
    expect(t).not.toMatch(/MB → [\d.]+ (KB|MB):/);
    expect(t).toMatch(/\[button\] STL \(3D print\) → custom_id export:stl:1/);
    expect(t).not.toMatch(/<t:\d+|<@\d+>/); // timestamps and mentions are rendered
    expect(t).toMatch(/Bot stopped on SIGTERM .*\(exit 0\)/);
    // Queued → Generating → result, in that order.
    expect(t.indexOf('Queued')).toBeLessThan(t.indexOf('Generating'));
    expect(t.indexOf('Generating')).toBeLessThan(t.indexOf('your 3D model is ready'));

    expect(readdirSync(out).sort()).toEqual(['model.glb', 'preview.webp', 'turntable.gif']);
    expect(readFileSync(join(out, 'turntable.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const glb = readFileSync(join(out, 'model.glb'));
    const webp = readFileSync(join(out, 'preview.webp'));
    expect(glb.subarray(0, 4).toString('latin1')).toBe('glTF');
    expect(webp.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(webp.subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(t).toContain(join(out, 'model.glb'));
  }, 100_000);

  it('gives up within its time limit, prints the bot log tail and exits 1', async () => {
    const tmp = tempDir('model3d-sandbox-');
    cleanups.push(tmp.cleanup);
    const run = await runSandbox(['--out', join(tmp.dir, 'r'), '--running-ms', '30000', '--timeout', '10'], 60_000);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('Sandbox failed: timed out');
    expect(run.out).toContain('--- last bot log lines ---');
    // The tail holds the bot's own log lines, compacted (time, level, message).
    expect(run.out.slice(run.out.indexOf('--- last bot log lines ---'))).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} (debug|info) (status checked|dmxapi get|connected to Discord)/m);
    expect(readdirSync(tmp.dir)).toEqual([]);
  }, 70_000);

  it('rejects a bad option with usage and exit 2', async () => {
    const run = await runSandbox(['--quality', 'ultra'], 30_000);
    expect(run.code).toBe(2);
    expect(run.out).toContain('--quality must be standard or detailed');
    expect(run.out).toContain('Usage: npm run sandbox');
  }, 40_000);
});

describe('sandbox text rendering', () => {
  const users = new Map([['111', 'member']]);
  const at = Date.UTC(2025, 0, 1, 12, 0, 30);

  it('renders Discord timestamps and mentions readably', async () => {
    const secs = Math.floor(at / 1000) - 12;
    expect(renderMarkdown(`⏳ **Queued** — submitted <t:${secs}:R>, by <@111> and <@!222>`, { at, users })).toBe(
      '⏳ Queued — submitted 12 s ago, by @member and @222',
    );
    expect(renderMarkdown(`expires <t:${Math.floor(at / 1000)}:f>`, { at, users })).toBe('expires 2025-01-01 12:00:30 UTC');
    expect(relativeTime(at + 90_000, at)).toBe('in 2 min');
    expect(relativeTime(at - 500, at)).toBe('just now');
  });

  it('renders a message body with embed fields, files and buttons', async () => {
    const lines = renderMessageBody(
      {
        content: '✅ <@111>, done.',
        embeds: [{ title: 'T', description: 'line', fields: [{ name: 'Quality', value: 'Standard' }], image: { url: 'attachment://p.webp' } }],
        components: [{ type: 1, components: [{ type: 2, style: 5, label: 'Download GLB', url: 'http://x/model.glb?sig=1' }] }],
        attachments: [{ id: 0, filename: 'p.webp' }, { id: '99', filename: 'old.txt' }],
      },
      [{ field: 'files[0]', filename: 'p.webp', contentType: 'image/webp', size: 2048, bytes: Buffer.alloc(0) }],
      { at, users },
    );
    expect(lines).toEqual([
      '✅ @member, done.',
      '[embed] T | Quality: Standard | image: attachment://p.webp',
      '  line',
      '[attachments] p.webp (2.0 KB), old.txt (kept)',
      '[button] Download GLB → http://x/model.glb?…',
    ]);
  });
});
