// The two renderers the reference comparison scores: today's (src/render) and the one before issue 21,
// taken from git history into node_modules/.cache (it imports only packages we still have). Each gives
// its image of a view, the camera it used (so model-viewer can look from the same place) and its own
// empty background (so model-viewer's picture can be put on it: the score is about the model).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Document } from '@gltf-transform/core';
import { repoRoot } from '../lib/child.js';
import type { Image } from '../../render/images.js';
import type { ReferenceCamera } from './model-viewer.js';
import { cameraAt } from '../../../src/render/framing.js';
import { DEFAULT_FRAME_OPTIONS, frameSetup, renderFrame } from '../../../src/render/frame.js';
import { backdrop, buildStage, DEFAULT_STAGE } from '../../../src/render/stage.js';
import { encodeSrgb8 } from '../../../src/render/srgb.js';
import { prepareScene, turnFraming } from '../../../src/render/turntable.js';

export interface View {
  image: Image;
  camera: ReferenceCamera;
  /** The renderer's background alone (RGBA), for the same camera. */
  background: Image;
}

export interface Renderer {
  name: string;
  /** Prepares a model; the returned function renders it from an azimuth. */
  prepare(doc: Document, size: number): Promise<(azimuthDeg: number) => View>;
}

export const currentRenderer: Renderer = {
  name: 'new',
  async prepare(doc, size) {
    const scene = await prepareScene(doc, size);
    const framing = turnFraming(scene);
    const setup = frameSetup(scene, framing, size, DEFAULT_FRAME_OPTIONS);
    const plain = buildStage(scene, framing, { ...DEFAULT_STAGE, shadow: 0 });
    return (azimuthDeg) => {
      const cam = cameraAt(framing, azimuthDeg);
      const bg = backdrop(plain, cam, size);
      const data = new Uint8Array(size * size * 4);
      const c = new Float64Array(3);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          bg(x, y, c);
          const o = (y * size + x) * 4;
          for (let k = 0; k < 3; k++) data[o + k] = encodeSrgb8(c[k]!);
          data[o + 3] = 255;
        }
      }
      return {
        image: { width: size, height: size, data: renderFrame(setup, azimuthDeg) },
        camera: { target: framing.target, eye: cam.eye, fovDeg: framing.fovDeg },
        background: { width: size, height: size, data },
      };
    };
  },
};

/** The last commit whose src/render was the renderer before this one (the parent of the commit that added frame.ts). */
function oldCommit(): string {
  const added = execFileSync('git', ['log', '--diff-filter=A', '--format=%H', '--', 'src/render/frame.ts'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  return execFileSync('git', ['rev-parse', `${added}^`], { cwd: repoRoot, encoding: 'utf8' }).trim();
}

interface OldModule {
  prepareScene(doc: Document): Promise<unknown>;
  renderStill(scene: unknown, o: { size: number; azimuthDeg: number }): Uint8Array;
}
interface OldCamera {
  boundingSphere(scene: unknown): { center: [number, number, number]; radius: number } | null;
  orbitCamera(sphere: { center: [number, number, number]; radius: number }, azimuthDeg: number): { eye: [number, number, number] };
  DEFAULT_FRAMING: { fovDeg: number };
}

export async function previousRenderer(): Promise<Renderer & { commit: string }> {
  const commit = oldCommit();
  const dir = join(repoRoot, 'node_modules/.cache/turntable-reference', commit.slice(0, 12));
  if (!existsSync(join(dir, 'src/render/turntable.ts'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} src/render | tar -x -C "${dir}"`], { cwd: repoRoot });
  }
  const mod = (await import(pathToFileURL(join(dir, 'src/render/turntable.ts')).href)) as OldModule;
  const cam = (await import(pathToFileURL(join(dir, 'src/render/camera.ts')).href)) as OldCamera;
  return {
    name: 'old',
    commit,
    async prepare(doc, size) {
      const scene = await mod.prepareScene(doc);
      const sphere = cam.boundingSphere(scene)!;
      const grey = new Uint8Array(size * size * 4).fill(128);
      for (let i = 3; i < grey.length; i += 4) grey[i] = 255;
      return (azimuthDeg) => ({
        image: { width: size, height: size, data: mod.renderStill(scene, { size, azimuthDeg }) },
        camera: { target: sphere.center, eye: cam.orbitCamera(sphere, azimuthDeg).eye, fovDeg: cam.DEFAULT_FRAMING.fovDeg },
        background: { width: size, height: size, data: grey },
      });
    },
  };
}
