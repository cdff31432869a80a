// The one entry point: a glTF document → a looping turntable GIF. Runs inside the model worker.
import type { Document, Texture as GltfTexture } from '@gltf-transform/core';
import { boundingSphere, DEFAULT_FRAMING, orbitCamera, type Framing } from './camera.js';
import { encodeGif } from './gif.js';
import { createFramebuffer, DEFAULT_FRAME_OPTIONS, renderFrame, type FrameOptions } from './raster.js';
import { buildScene, type RenderScene } from './scene.js';
import { decodeTexture } from './texture.js';

/** Discord plays an embed's GIF inline; past this the animation is not worth its upload. */
export const MAX_GIF_BYTES = 4 * 1024 * 1024;

export interface TurntableOptions {
  /** Width and height in pixels. */
  size: number;
  /** Frames in one full turn. */
  frames: number;
  /** Give up (TurntableError 'timeout') once this much time has passed. Checked between frames. */
  timeoutMs?: number;
  /** Milliseconds per frame. */
  frameDelayMs?: number;
  supersample?: number;
  /** Milliseconds clock for the timeout (performance.now by default). */
  clock?: () => number;
  framing?: Framing;
  frame?: Partial<FrameOptions>;
}

export type TurntableFailure = 'timeout' | 'empty' | 'too-large';

export class TurntableError extends Error {
  override name = 'TurntableError';
  constructor(
    readonly reason: TurntableFailure,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_FRAME_DELAY_MS = 100;

const loadTexture = (t: GltfTexture) => decodeTexture(t.getImage());

class Deadline {
  private readonly end: number;
  constructor(
    private readonly timeoutMs: number | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.end = timeoutMs === undefined ? Infinity : clock() + timeoutMs;
  }
  check(stage: string): void {
    if (this.clock() >= this.end) {
      throw new TurntableError('timeout', `turntable rendering exceeded ${this.timeoutMs} ms (${stage})`);
    }
  }
}

/** The scene, ready to render, or a TurntableError('empty') when there is nothing to draw. */
export async function prepareScene(doc: Document): Promise<RenderScene> {
  const scene = await buildScene(doc, loadTexture);
  if (scene.triangleCount === 0) throw new TurntableError('empty', 'the model has no triangles to render');
  return scene;
}

/** RGBA frames of a full turn; frame k looks from k × 360 / frames degrees. */
export function renderTurntableFrames(
  scene: RenderScene,
  opts: Omit<TurntableOptions, 'timeoutMs'>,
  deadline: { check(stage: string): void } = { check() {} },
): Uint8Array[] {
  const sphere = boundingSphere(scene);
  if (!sphere) throw new TurntableError('empty', 'the model has no finite vertices');
  const fb = createFramebuffer(scene, opts.size, opts.supersample ?? 1);
  const frameOptions = { ...DEFAULT_FRAME_OPTIONS, ...opts.frame };
  const frames: Uint8Array[] = [];
  for (let k = 0; k < opts.frames; k++) {
    deadline.check(`frame ${k + 1} of ${opts.frames}`);
    const camera = orbitCamera(sphere, (k * 360) / opts.frames, opts.framing ?? DEFAULT_FRAMING);
    frames.push(renderFrame(scene, camera, fb, frameOptions));
  }
  return frames;
}

/** One frame seen from `azimuthDeg` (0 = the model's front), as RGBA bytes. */
export function renderStill(
  scene: RenderScene,
  opts: { size: number; azimuthDeg: number; supersample?: number; framing?: Framing; frame?: Partial<FrameOptions> },
): Uint8Array {
  const sphere = boundingSphere(scene);
  if (!sphere) throw new TurntableError('empty', 'the model has no finite vertices');
  const fb = createFramebuffer(scene, opts.size, opts.supersample ?? 1);
  const camera = orbitCamera(sphere, opts.azimuthDeg, opts.framing ?? DEFAULT_FRAMING);
  return renderFrame(scene, camera, fb, { ...DEFAULT_FRAME_OPTIONS, ...opts.frame });
}

/**
 * Renders the model turning once and encodes it as a looping GIF of at most MAX_GIF_BYTES.
 * Deterministic: the same document and options give the same bytes.
 */
export async function renderTurntable(doc: Document, opts: TurntableOptions): Promise<Uint8Array> {
  const deadline = new Deadline(opts.timeoutMs, opts.clock);
  const scene = await prepareScene(doc);
  deadline.check('reading the model');
  const frames = renderTurntableFrames(scene, opts, deadline);
  // Fewer colours compress better; a busy texture at a large size may need them to fit.
  for (const maxColors of [256, 128, 64]) {
    deadline.check('encoding');
    const gif = encodeGif(frames, opts.size, opts.size, { delayMs: opts.frameDelayMs ?? DEFAULT_FRAME_DELAY_MS, maxColors });
    if (gif.length <= MAX_GIF_BYTES) return gif;
  }
  throw new TurntableError('too-large', `the animation does not fit in ${MAX_GIF_BYTES} bytes at ${opts.size} px`);
}
