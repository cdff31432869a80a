// Google's <model-viewer> as a reference renderer: headless Chromium (@sparticuz/chromium, software WebGL)
// driven by playwright-core, a page served from loopback with model-viewer served from node_modules,
// every other origin refused. Dev-time only (the turntable reference comparison), never in npm test.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { repoRoot } from '../lib/child.js';
import type { Image } from '../../render/images.js';

export interface ReferenceCamera {
  /** Look-at point and eye, world space (the model as given to render()). */
  target: [number, number, number];
  eye: [number, number, number];
  fovDeg: number;
}

// The page's own script does the work in the browser; Node only calls it with data (functions passed to
// page.evaluate would carry the TypeScript loader's helpers along).
const PAGE = (size: number) => `<!doctype html>
<html><head><meta charset="utf-8">
<style>html,body{margin:0;background:transparent}model-viewer{width:${size}px;height:${size}px;display:block;background-color:transparent;--poster-color:transparent;--progress-bar-height:0}</style>
<script type="module" src="/model-viewer.js"></script>
<script>
const frames = (n) => new Promise((resolve) => { const step = () => (n-- > 0 ? requestAnimationFrame(step) : resolve()); step(); });
window.reference = {
  load(src) {
    const mv = document.getElementById('mv');
    return new Promise((resolve, reject) => {
      mv.addEventListener('load', () => resolve(), { once: true });
      mv.addEventListener('error', (e) => reject(new Error('model-viewer could not load the model: ' + JSON.stringify(e.detail))), { once: true });
      mv.setAttribute('src', src);
    });
  },
  async view(orbit, target, fov, radius, yaw) {
    const mv = document.getElementById('mv');
    mv.setAttribute('orientation', '0deg 0deg ' + yaw + 'deg');
    // The orbit's limits bound the clipping planes: keep them near the distance asked for (a far limit of
    // kilometres leaves the depth buffer no precision and nothing is drawn).
    mv.setAttribute('min-camera-orbit', 'auto 0deg ' + radius / 2 + 'm');
    mv.setAttribute('max-camera-orbit', 'auto 180deg ' + radius * 2 + 'm');
    mv.setAttribute('camera-orbit', orbit);
    mv.setAttribute('camera-target', target);
    mv.setAttribute('field-of-view', fov);
    await mv.updateComplete;
    mv.jumpCameraToGoal();
    await frames(4);
  },
};
</script></head>
<body><model-viewer id="mv" shadow-intensity="1" shadow-softness="1" interaction-prompt="none" loading="eager" reveal="auto"
  min-field-of-view="1deg" max-field-of-view="90deg"></model-viewer></body></html>`;

export class ModelViewer {
  private loads = 0;
  private constructor(
    private readonly server: Server,
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly base: string,
    private readonly models: Map<string, Uint8Array>,
    readonly size: number,
  ) {}

  static async start(size: number): Promise<ModelViewer> {
    const models = new Map<string, Uint8Array>();
    const script = readFileSync(join(repoRoot, 'node_modules/@google/model-viewer/dist/model-viewer.min.js'));
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(size));
      else if (url === '/model-viewer.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else if (url.startsWith('/m/') && models.has(url.slice(3))) res.writeHead(200, { 'content-type': 'model/gltf-binary' }).end(models.get(url.slice(3)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const browser = await playwright.launch({
      executablePath: await chromium.executablePath(),
      args: [...chromium.args, '--no-sandbox', '--disable-dev-shm-usage'],
      headless: true,
    });
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    if (process.env.REFERENCE_DEBUG) page.on('console', (m) => process.stderr.write(`[model-viewer page] ${m.type()}: ${m.text()}\n`));
    // Loopback only: model-viewer would fetch decoders from a CDN for compressed models; nothing else may load.
    await page.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await page.goto(`${base}/`);
    await page.waitForFunction("customElements.get('model-viewer') !== undefined");
    return new ModelViewer(server, browser, page, base, models, size);
  }

  /** Loads a GLB (kept until the next load). */
  async load(glb: Uint8Array): Promise<void> {
    // A new name each time: model-viewer does nothing when src does not change.
    const key = `${++this.loads}.glb`;
    this.models.clear();
    this.models.set(key, glb);
    await this.page.evaluate(`reference.load(${JSON.stringify(`${this.base}/m/${key}`)})`);
  }

  /**
   * RGBA of the loaded model seen from `camera`, on a transparent background (model-viewer's shadow
   * included). With `turnDeg`, the model is turned by −turnDeg about the vertical axis through the origin
   * and the camera with it: the same view, but model-viewer's lights stay in front of the camera, as a
   * turntable's do under fixed studio lights.
   */
  async render(camera: ReferenceCamera, turnDeg = 0): Promise<Image> {
    const a = (turnDeg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
    const turn = (p: [number, number, number]): [number, number, number] => [p[0] * c - p[2] * s, p[1], p[0] * s + p[2] * c];
    const [tx, ty, tz] = turn(camera.target);
    const eye = turn(camera.eye);
    const dx = eye[0] - tx, dy = eye[1] - ty, dz = eye[2] - tz;
    const radius = Math.hypot(dx, dy, dz);
    const theta = (Math.atan2(dx, dz) * 180) / Math.PI;
    const phi = (Math.acos(dy / radius) * 180) / Math.PI;
    const args = [`${theta}deg ${phi}deg ${radius}m`, `${tx}m ${ty}m ${tz}m`, `${camera.fovDeg}deg`, radius, -turnDeg];
    await this.page.evaluate(`reference.view(${args.map((a) => JSON.stringify(a)).join(', ')})`);
    const png = PNG.sync.read(await this.page.locator('#mv').screenshot({ omitBackground: true, animations: 'disabled' }));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
