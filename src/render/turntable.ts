// The one entry point: a glTF document → a looping turntable GIF. Runs inside the model worker.
import type { Document, Texture as GltfTexture } from '@gltf-transform/core';
import { fitTurn, type Framing, type FramingOptions } from './framing.js';
import { DEFAULT_FRAME_OPTIONS, frameSetup, renderFrame, type FrameOptions } from './frame.js';
import { encodeGif } from './gif.js';
import { buildScene, type RenderScene } from './scene.js';
import { decodeTexture, textureSizeFor } from './texture.js';

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
  /** Milliseconds clock for the timeout (performance.now by default). */
  clock?: () => number;
  framing?: Partial<FramingOptions>;
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

/**
 * The scene, ready to render at `size` px (textures are decoded at a size that render needs), or a
 * TurntableError('empty') when there is nothing to draw.
 */
export async function prepareScene(doc: Document, size = 320): Promise<RenderScene> {
  const maxSize = textureSizeFor(size);
  const scene = await buildScene(doc, (t: GltfTexture, srgb: boolean) => decodeTexture(t.getImage(), { maxSize, srgb }));
  if (scene.triangleCount === 0) throw new TurntableError('empty', 'the model has no triangles to render');
  return scene;
}

/** The one framing of the whole turn. */
export function turnFraming(scene: RenderScene, options?: Partial<FramingOptions>): Framing {
  const framing = fitTurn(scene, options);
  if (!framing) throw new TurntableError('empty', 'the model has no finite vertices');
  return framing;
}

/** RGBA frames of a full turn; frame k looks from k × 360 / frames degrees. */
export function renderTurntableFrames(
  scene: RenderScene,
  opts: Omit<TurntableOptions, 'timeoutMs'>,
  deadline: { check(stage: string): void } = { check() {} },
): Uint8Array[] {
  const setup = frameSetup(scene, turnFraming(scene, opts.framing), opts.size, { ...DEFAULT_FRAME_OPTIONS, ...opts.frame });
  const frames: Uint8Array[] = [];
  for (let k = 0; k < opts.frames; k++) {
    deadline.check(`frame ${k + 1} of ${opts.frames}`);
    frames.push(renderFrame(setup, (k * 360) / opts.frames));
  }
  return frames;
}

/** One frame seen from `azimuthDeg` (0 = the model's front), as RGBA bytes, framed as the turntable is. */
export function renderStill(
  scene: RenderScene,
  opts: { size: number; azimuthDeg: number; framing?: Partial<FramingOptions>; frame?: Partial<FrameOptions> },
): Uint8Array {
  const setup = frameSetup(scene, turnFraming(scene, opts.framing), opts.size, { ...DEFAULT_FRAME_OPTIONS, ...opts.frame });
  return renderFrame(setup, opts.azimuthDeg);
}

/**
 * Renders the model turning once and encodes it as a looping GIF of at most MAX_GIF_BYTES.
 * Deterministic: the same document and options give the same bytes.
 */
export async function renderTurntable(doc: Document, opts: TurntableOptions): Promise<Uint8Array> {
  const deadline = new Deadline(opts.timeoutMs, opts.clock);
  const scene = await prepareScene(doc, opts.size);
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
