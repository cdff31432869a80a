/**
 * `npm run turntable:reference` — how close the turntable renderer comes to a reference renderer:
 * Google's <model-viewer> (three.js PBR, its neutral studio environment, a soft shadow) in headless
 * Chromium. Both our renderers, today's and the one before issue 21 (from git history), render the same
 * views of models made by others (the hardware vendors' controller models in @webxr-input-profiles/assets)
 * and of the simulator's Tripo-like model; model-viewer renders each view from the same camera as the
 * renderer it is compared with, its picture put on that renderer's own background; SSIM (ssim.js) scores
 * each pair. Dev-time only: never part of npm test.
 *
 *   npm run turntable:reference                      # the table (Markdown) on stdout
 *   npm run turntable:reference -- --picture docs/turntable-reference.png   # also the side-by-side
 *   npm run turntable:reference -- --size 200 --views 30,210 --only valve-index/left
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { modelIO } from '../../src/model/io.js';
import { tripoGlb } from '../fakes/dmxapi/tripo.js';
import { repoRoot } from './lib/child.js';
import { ModelViewer } from './reference/model-viewer.js';
import { currentRenderer, previousRenderer, type Renderer } from './reference/renderers.js';
import type { Image } from '../render/images.js';

const CONTROLLERS = [
  'valve-index/left',
  'microsoft-mixed-reality/left',
  'hp-mixed-reality/left',
  'samsung-galaxyxr/left',
  'oculus-touch-v3/left',
  'meta-quest-touch-plus/left',
  'htc-vive/none',
  'magicleap-one/none',
];
const SIMULATOR = 'simulator: Tripo-like model of the sample picture';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '320' },
    views: { type: 'string', default: '30,120,210,300' },
    only: { type: 'string' },
    picture: { type: 'string' },
    'picture-model': { type: 'string', default: SIMULATOR },
    'picture-view': { type: 'string', default: '30' },
  },
});
const size = Number(values.size);
const views = values.views!.split(',').map(Number);

/** `reference` (straight-alpha RGBA) over `background`, in sRGB as a page composites it. */
function over(reference: Image, background: Image): Image {
  const data = new Uint8Array(background.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = reference.data[i + 3]! / 255;
    for (let k = 0; k < 3; k++) data[i + k] = Math.round(reference.data[i + k]! * a + background.data[i + k]! * (1 - a));
    data[i + 3] = 255;
  }
  return { width: background.width, height: background.height, data };
}

/**
 * The box around what is not background in either picture (the model and its shadow: model-viewer's
 * alpha, or our pixels that differ from our backdrop), with a few pixels of margin.
 */
function subjectBox(ours: Image, background: Image, reference: Image): { left: number; top: number; width: number; height: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < ours.height; y++) {
    for (let x = 0; x < ours.width; x++) {
      const i = (y * ours.width + x) * 4;
      const differs = Math.max(...[0, 1, 2].map((k) => Math.abs(ours.data[i + k]! - background.data[i + k]!))) > 6;
      if (differs || reference.data[i + 3]! > 8) {
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      }
    }
  }
  const pad = 6;
  const left = Math.max(0, x0 - pad), top = Math.max(0, y0 - pad);
  return { left, top, width: Math.min(ours.width, x1 + pad + 1) - left, height: Math.min(ours.height, y1 + pad + 1) - top };
}

function crop(img: Image, box: { left: number; top: number; width: number; height: number }): Image {
  const data = new Uint8Array(box.width * box.height * 4);
  for (let y = 0; y < box.height; y++) data.set(img.data.subarray(((box.top + y) * img.width + box.left) * 4, ((box.top + y) * img.width + box.left + box.width) * 4), y * box.width * 4);
  return { width: box.width, height: box.height, data };
}

const score = (a: Image, b: Image) => ssim({ ...a, data: new Uint8ClampedArray(a.data.buffer, a.data.byteOffset, a.data.length) }, { ...b, data: new Uint8ClampedArray(b.data.buffer, b.data.byteOffset, b.data.length) }).mssim;

async function models(): Promise<{ name: string; glb: Uint8Array }[]> {
  const list = [
    { name: SIMULATOR, glb: await tripoGlb(readFileSync(join(repoRoot, 'test/fixtures/sample.png')), 'standard') },
    ...CONTROLLERS.map((p) => ({ name: p, glb: new Uint8Array(readFileSync(join(repoRoot, 'node_modules/@webxr-input-profiles/assets/dist/profiles', `${p}.glb`))) })),
  ];
  return values.only ? list.filter((m) => values.only!.split(',').some((o) => m.name.includes(o))) : list;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const io = await modelIO();
const old = await previousRenderer();
const renderers: Renderer[] = [old, currentRenderer];
log(`old renderer: src/render at ${old.commit.slice(0, 10)}; ${size} px; views ${views.join(', ')}°`);
const mv = await ModelViewer.start(size);
const rows: { model: string; scores: Record<string, number[]>; subject: Record<string, number[]> }[] = [];
const panels: Image[] = [];
try {
  for (const { name, glb } of await models()) {
    const started = Date.now();
    await mv.load(glb);
    const prepared = await Promise.all(renderers.map(async (r) => [r.name, await r.prepare(await io.readBinary(glb), size)] as const));
    const scores: Record<string, number[]> = {}, subject: Record<string, number[]> = {};
    for (const az of views) {
      for (const [rName, render] of prepared) {
        const view = render(az);
        const raw = await mv.render(view.camera, az);
        const reference = over(raw, view.background);
        (scores[rName] ??= []).push(score(view.image, reference));
        const box = subjectBox(view.image, view.background, raw);
        (subject[rName] ??= []).push(score(crop(view.image, box), crop(reference, box)));
        if (name === values['picture-model'] && az === Number(values['picture-view'])) {
          panels[rName === 'old' ? 0 : 1] = view.image;
          if (rName !== 'old') panels[2] = reference;
        }
      }
    }
    rows.push({ model: name, scores, subject });
    const m = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
    log(`${name}: frame old ${m(scores.old!)} new ${m(scores.new!)}; subject old ${m(subject.old!)} new ${m(subject.new!)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
} finally {
  await mv.close();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`| Model | Whole frame: before | now | Model and shadow: before | now |`);
console.log(`|---|---|---|---|---|`);
for (const r of rows) {
  const cells = [r.scores.old!, r.scores.new!, r.subject.old!, r.subject.new!].map((xs) => mean(xs).toFixed(3));
  console.log(`| ${r.model} | ${cells.join(' | ')} |`);
}
console.log(`\nSSIM (ssim.js, defaults) against model-viewer ${JSON.parse(readFileSync(join(repoRoot, 'node_modules/@google/model-viewer/package.json'), 'utf8')).version}, mean of ${views.length} views (${views.join('°, ')}°) at ${size} px; 1 is identical. "Model and shadow": only the box round what is not background in either picture.`);
const worse = rows.filter((r) => mean(r.scores.new!) <= mean(r.scores.old!) || mean(r.subject.new!) <= mean(r.subject.old!));
if (worse.length) console.log(`\nNot closer: ${worse.map((r) => r.model).join(', ')}`);

if (values.picture && panels.length === 3) {
  // Old, new, model-viewer, side by side, as a palette PNG (small enough for the README).
  const tiles = await Promise.all(panels.map((p) => sharp(Buffer.from(p.data), { raw: { width: p.width, height: p.height, channels: 4 } }).png().toBuffer()));
  const gap = 4;
  await sharp({ create: { width: size * 3 + gap * 2, height: size, channels: 3, background: '#ffffff' } })
    .composite(tiles.map((input, i) => ({ input, left: i * (size + gap), top: 0 })))
    .png({ palette: true, colours: 256, dither: 0.5 })
    .toFile(values.picture);
  log(`side by side (before, now, model-viewer): ${values.picture}`);
}
process.exitCode = worse.length ? 1 : 0;
