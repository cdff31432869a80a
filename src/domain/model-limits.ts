import type { LimitName } from './model-info.js';

/**
 * The limits, in one place. Each is far above what Tripo makes (19,800 triangles, 1–3 nodes, 3 textures
 * of 2,048 or 4,096 px) and low enough that processing ends well within MODEL_PROCESS_TIMEOUT_MS and
 * MODEL_PROCESS_MEMORY_MB on a small machine.
 */
export const MODEL_LIMITS = {
  /** Triangles as a viewer draws them: each node that uses a mesh (and each GPU instance) counts. */
  triangles: 2_000_000,
  nodes: 10_000,
  /** Decoded size of one accessor (count × element size; sparse and compressed ones too), bytes. */
  accessorBytes: 256 * 1024 * 1024,
  /** Decoded size of all accessors together, bytes. */
  totalAccessorBytes: 512 * 1024 * 1024,
  /** Images the textures use. */
  textures: 32,
  /** Pixels of one texture, from its header (8,192 × 8,192); also sharp's `limitInputPixels`. */
  texturePixels: 8192 * 8192,
  /** Pixels of all textures together (e.g. 8 × 4,096²). */
  totalTexturePixels: 8 * 4096 * 4096,
} as const satisfies Record<LimitName, number>;

/** sharp's decoder bound for every texture the bot decodes (processing, exports, the turntable). */
export const DECODE_LIMITS = { limitInputPixels: MODEL_LIMITS.texturePixels } as const;
