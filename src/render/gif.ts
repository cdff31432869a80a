// Frames → one looping animated GIF with a single global palette built from every frame, so that colours
// do not flicker from frame to frame.
import * as gifencModule from 'gifenc';

// gifenc is CommonJS with an ESM build: Node's import gives the exports object as `default`, bundlers
// (vitest) give the named exports.
const gifenc: typeof gifencModule =
  typeof gifencModule.quantize === 'function' ? gifencModule : (gifencModule.default as typeof gifencModule);

export interface GifOptions {
  /** Milliseconds each frame shows (GIF stores hundredths of a second). */
  delayMs: number;
  maxColors: number;
}

/** Frames are opaque RGBA bytes of width × height. */
export function encodeGif(frames: Uint8Array[], width: number, height: number, options: GifOptions): Uint8Array {
  // Bins of 4 bits a channel: a tenth of the time of gifenc's default 5-6-5 (its pairwise merging grows with
  // the bins filled) and as close to the frames (each palette colour is its pixels' mean, not its bin's corner).
  const palette = gifenc.quantize(paletteSample(frames), options.maxColors, { format: 'rgb444' });
  const gif = gifenc.GIFEncoder();
  const nearest = nearestIndexCache(palette);
  frames.forEach((frame, i) => {
    const index = nearest(frame);
    // The palette goes with the first frame only and becomes the global colour table; repeat 0 loops forever.
    gif.writeFrame(index, width, height, i === 0 ? { palette, delay: options.delayMs, repeat: 0 } : { delay: options.delayMs });
  });
  gif.finish();
  return gif.bytes();
}

/** Every PALETTE_STRIDE-th pixel of every frame: enough to weigh the colours, a third of the quantiser's work. */
const PALETTE_STRIDE = 3;

function paletteSample(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + Math.ceil(f.length / 4 / PALETTE_STRIDE) * 4, 0));
  let o = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i += 4 * PALETTE_STRIDE, o += 4) {
      out[o] = f[i]!;
      out[o + 1] = f[i + 1]!;
      out[o + 2] = f[i + 2]!;
      out[o + 3] = f[i + 3]!;
    }
  }
  return out.subarray(0, o);
}

/**
 * Pixels → palette indices, like gifenc's applyPalette (nearest colour of the pixel's RGB565 bin), but with
 * one cache shared by every frame: the frames of a turntable have nearly the same colours.
 */
function nearestIndexCache(palette: number[][]): (rgba: Uint8Array) => Uint8Array {
  const cache = new Int16Array(65536).fill(-1);
  const pr = palette.map((c) => c[0]!), pg = palette.map((c) => c[1]!), pb = palette.map((c) => c[2]!);
  const nearest = (r: number, g: number, b: number): number => {
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < pr.length; k++) {
      const dr = r - pr[k]!, dg = g - pg[k]!, db = b - pb[k]!;
      const d = dr * dr + dg * dg + db * db;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best;
  };
  return (rgba) => {
    const out = new Uint8Array(rgba.length / 4);
    for (let i = 0, p = 0; i < out.length; i++, p += 4) {
      const r = rgba[p]!, g = rgba[p + 1]!, b = rgba[p + 2]!;
      const key = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
      let idx = cache[key]!;
      // The first pixel of a bin decides for the bin (as in gifenc): frames come in a fixed order, so this is deterministic.
      if (idx < 0) idx = cache[key] = nearest(r, g, b);
      out[i] = idx;
    }
    return out;
  };
}
