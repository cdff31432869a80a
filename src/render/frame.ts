// One frame: rasterise the visibility buffer, resolve each pixel (aa.ts: shading each surface once,
// the backdrop where nothing is drawn), composite BLEND surfaces back to front, encode sRGB bytes.
import { resolvePixels, surfaceGap } from './aa.js';
import { STUDIO, type Environment } from './environment.js';
import { orient } from './envmap.js';
import { cameraAt, type Framing } from './framing.js';
import { clear, createSampleBuffers, project, rasterise, triangleSetup, type SampleBuffers } from './raster.js';
import type { RenderScene } from './scene.js';
import { shadePoint, type PointWeights, type ShadeContext } from './shading.js';
import { encodeSrgb8, SRGB8_TO_LINEAR } from './srgb.js';
import { backdrop, buildStage, DEFAULT_STAGE, type Stage, type StageOptions } from './stage.js';

export interface FrameOptions {
  /** Samples per pixel (anti-aliasing): 1 (off), 4 or 8. */
  samples: number;
  environment: Environment;
  stage: StageOptions;
  /** Base colour only: no light, no tone mapping (tests of the colour paths). */
  unlit: boolean;
}

export const DEFAULT_FRAME_OPTIONS: FrameOptions = { samples: 4, environment: STUDIO, stage: DEFAULT_STAGE, unlit: false };

/** Everything frames of one model share. */
export interface FrameSetup {
  scene: RenderScene;
  framing: Framing;
  stage: Stage;
  buffers: SampleBuffers;
  options: FrameOptions;
  /** Linear RGB per pixel. */
  pixels: Float32Array;
}

export function frameSetup(scene: RenderScene, framing: Framing, size: number, options: FrameOptions): FrameSetup {
  return {
    scene,
    framing,
    stage: buildStage(scene, framing, options.stage),
    buffers: createSampleBuffers(scene, size, options.samples),
    options,
    pixels: new Float32Array(size * size * 3),
  };
}

/** Renders the view from `azimuthDeg` as sRGB RGBA bytes (size × size × 4), row-major from the top-left. */
export function renderFrame(f: FrameSetup, azimuthDeg: number): Uint8Array {
  const { scene, buffers: buf, options } = f;
  const camera = cameraAt(f.framing, azimuthDeg);
  const ctx: ShadeContext = { env: orient(options.environment, azimuthDeg), eye: camera.eye, unlit: options.unlit };
  clear(buf);
  for (let m = 0; m < scene.meshes.length; m++) {
    project(scene.meshes[m]!, camera, buf, m);
    rasterise(scene.meshes[m]!, buf, m);
  }
  const shade = (m: number, tri: number, at: PointWeights, out: Float64Array) => {
    const back = tri < 0;
    shadePoint(scene.meshes[m]!, back ? -tri - 1 : tri, back, at, ctx, out);
  };
  const back = options.unlit ? flatBackdrop(options.stage) : backdrop(f.stage, camera, buf.size);
  resolvePixels(scene, buf, shade, back, surfaceGap(f.framing, buf.size), f.pixels);
  blendPass(f, ctx);
  return encode(f.pixels, buf.size);
}

/** Without light there is no shadow either: the top colour everywhere. */
function flatBackdrop(stage: StageOptions) {
  const c = stage.top.map((v) => SRGB8_TO_LINEAR[v]!);
  return (_x: number, _y: number, out: Float64Array) => {
    out[0] = c[0]!;
    out[1] = c[1]!;
    out[2] = c[2]!;
  };
}

const colour = new Float64Array(4);
const point: PointWeights = new Float64Array(4);

/**
 * BLEND surfaces over the resolved frame, farthest triangle first; each is tested against the opaque
 * depth and covers a pixel in proportion to its samples in front of it. They write no depth (as in
 * three.js); sorting the triangles stands in for it.
 */
function blendPass(f: FrameSetup, ctx: ShadeContext): void {
  const { scene, buffers: buf, pixels } = f;
  const list: { m: number; t: number; depth: number }[] = [];
  scene.meshes.forEach((mesh, m) => {
    if (mesh.material.alphaMode !== 'BLEND') return;
    const iw = buf.projected[m]!.iw, idx = mesh.indices;
    for (let t = 0; t < idx.length; t += 3) list.push({ m, t: t / 3, depth: 1 / iw[idx[t]!]! + 1 / iw[idx[t + 1]!]! + 1 / iw[idx[t + 2]!]! });
  });
  if (list.length === 0) return;
  list.sort((a, b) => b.depth - a.depth || a.m - b.m || a.t - b.t);
  const S = buf.samples, size = buf.size, ox = buf.offsetX, oy = buf.offsetY;
  for (const { m, t } of list) {
    const mesh = scene.meshes[m]!;
    const { x: sx, y: sy, iw } = buf.projected[m]!;
    const a = mesh.indices[t * 3]!, b = mesh.indices[t * 3 + 1]!, c = mesh.indices[t * 3 + 2]!;
    const x0 = sx[a]!, y0 = sy[a]!, x1 = sx[b]!, y1 = sy[b]!, x2 = sx[c]!, y2 = sy[c]!;
    const s = triangleSetup(sx, sy, a, b, c, size, !mesh.material.doubleSided);
    if (!s) continue;
    const { minX, maxX, minY, maxY, inv, back } = s;
    const area = Math.abs(1 / inv) / 2;
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        let covered = 0, f0 = 0, f1 = 0;
        for (let k = 0; k < S; k++) {
          const cx = px + 0.5 + ox[k]!, cy = py + 0.5 + oy[k]!;
          const l0 = ((x2 - x1) * (cy - y1) - (y2 - y1) * (cx - x1)) * inv;
          const l1 = ((x0 - x2) * (cy - y2) - (y0 - y2) * (cx - x2)) * inv;
          const l2 = 1 - l0 - l1;
          if (l0 < -1e-6 || l1 < -1e-6 || l2 < -1e-6) continue;
          const z = l0 * iw[a]! + l1 * iw[b]! + l2 * iw[c]!;
          if (z <= buf.depth[(py * size + px) * S + k]!) continue;
          if (covered++ === 0) {
            f0 = (l0 * iw[a]!) / z;
            f1 = (l1 * iw[b]!) / z;
          }
        }
        if (covered === 0) continue;
        point[0] = f0;
        point[1] = f1;
        point[2] = 1 - f0 - f1;
        point[3] = area;
        shadePoint(mesh, t, back, point, ctx, colour);
        const alpha = Math.min(1, Math.max(0, colour[3]!)) * (covered / S);
        const o = (py * size + px) * 3;
        pixels[o] = pixels[o]! * (1 - alpha) + colour[0]! * alpha;
        pixels[o + 1] = pixels[o + 1]! * (1 - alpha) + colour[1]! * alpha;
        pixels[o + 2] = pixels[o + 2]! * (1 - alpha) + colour[2]! * alpha;
      }
    }
  }
}

function encode(pixels: Float32Array, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let i = 0, o = 0; o < out.length; i += 3, o += 4) {
    out[o] = encodeSrgb8(pixels[i]!);
    out[o + 1] = encodeSrgb8(pixels[i + 1]!);
    out[o + 2] = encodeSrgb8(pixels[i + 2]!);
    out[o + 3] = 255;
  }
  return out;
}
