import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * The files under /assets/, each a fixed name mapped to a file in node_modules (nothing from the URL
 * reaches a path). The page makes no request to another origin: model-viewer and the decoders a
 * model may need (Draco, KTX2/Basis) are served from here.
 */
export function assetFiles(): Readonly<Record<string, { dir: string; name: string; type: string }>> {
  const mv = join(packageDir('@google/model-viewer'), 'dist');
  // model-viewer's own peer dependency, with the decoders its bundled three.js loads.
  const three = join(dirname(require.resolve('three', { paths: [packageDir('@google/model-viewer')] })), '..');
  const draco = join(three, 'examples/jsm/libs/draco/gltf');
  const basis = join(three, 'examples/jsm/libs/basis');
  const js = 'text/javascript; charset=utf-8';
  return {
    'model-viewer.min.js': { dir: mv, name: 'model-viewer.min.js', type: js },
    'draco/draco_wasm_wrapper.js': { dir: draco, name: 'draco_wasm_wrapper.js', type: js },
    'draco/draco_decoder.js': { dir: draco, name: 'draco_decoder.js', type: js },
    'draco/draco_decoder.wasm': { dir: draco, name: 'draco_decoder.wasm', type: 'application/wasm' },
    'basis/basis_transcoder.js': { dir: basis, name: 'basis_transcoder.js', type: js },
    'basis/basis_transcoder.wasm': { dir: basis, name: 'basis_transcoder.wasm', type: 'application/wasm' },
  };
}

/** Our own small scripts and style, served from memory. */
export const OWN_ASSETS: Readonly<Record<string, { type: string; body: string }>> = {
  // Read by model-viewer when it loads, so it must run first (a classic script before the module).
  'viewer-config.js': {
    type: 'text/javascript; charset=utf-8',
    body: `self.ModelViewerElement = Object.assign(self.ModelViewerElement || {}, {
  dracoDecoderLocation: '/assets/draco/',
  ktx2TranscoderLocation: '/assets/basis/',
  // The meshopt decoder is inside model-viewer's bundle; naming a script here switches it on.
  meshoptDecoderLocation: '/assets/meshopt-on.js',
  lottieLoaderLocation: '/assets/none.js',
});
`,
  },
  'meshopt-on.js': { type: 'text/javascript; charset=utf-8', body: '// model-viewer decodes meshopt with its bundled decoder.\n' },
  // Android's Scene Viewer reads neither meshopt nor WebP: it gets the AR copy. WebXR and Quick Look
  // use the scene already loaded in the page.
  'viewer.js': {
    type: 'text/javascript; charset=utf-8',
    body: `const viewer = document.getElementById('viewer');
const button = document.getElementById('ar-button');
if (viewer && button) {
  button.addEventListener('click', async (event) => {
    event.stopPropagation();
    const android = /android/i.test(navigator.userAgent);
    const webxr = navigator.xr ? await navigator.xr.isSessionSupported('immersive-ar').catch(() => false) : false;
    if (android && !webxr && viewer.dataset.arSrc && viewer.src !== viewer.dataset.arSrc) viewer.src = viewer.dataset.arSrc;
    viewer.activateAR();
  });
}
`,
  },
  'viewer.css': {
    type: 'text/css; charset=utf-8',
    body: `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; }
main { display: flex; flex-direction: column; min-height: 100vh; }
model-viewer { width: 100%; height: 70vh; background: #e8eaed; --poster-color: #e8eaed; touch-action: pan-y; }
.about { padding: 1rem; max-width: 48rem; }
h1 { margin: 0 0 .25rem; font-size: 1.4rem; overflow-wrap: anywhere; }
.stats { padding-left: 1.2rem; }
.downloads { display: flex; flex-wrap: wrap; gap: .5rem; }
.download, .ar-button { padding: .6rem 1rem; border-radius: .5rem; background: #5865f2; color: #fff; text-decoration: none; border: 0; font: inherit; }
.ar-button { position: absolute; bottom: 1rem; right: 1rem; }
.notice { padding: 2rem; }
@media (min-width: 900px) { main { flex-direction: row; } model-viewer { height: 100vh; flex: 1; } .about { width: 22rem; } }
`,
  },
};
