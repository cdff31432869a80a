// Frames → one looping animated GIF with a single global palette built from every frame, so that colours
// do not flicker from frame to frame.
import gifenc from 'gifenc';

export interface GifOptions {
  /** Milliseconds each frame shows (GIF stores hundredths of a second). */
  delayMs: number;
  maxColors: number;
}

/** Frames are opaque RGBA bytes of width × height. */
export function encodeGif(frames: Uint8Array[], width: number, height: number, options: GifOptions): Uint8Array {
  const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let offset = 0;
  for (const f of frames) {
    all.set(f, offset);
    offset += f.length;
  }
  const palette = gifenc.quantize(all, options.maxColors);
  const gif = gifenc.GIFEncoder();
  frames.forEach((frame, i) => {
    const index = gifenc.applyPalette(frame, palette);
    // The palette goes with the first frame only and becomes the global colour table; repeat 0 loops forever.
    gif.writeFrame(index, width, height, i === 0 ? { palette, delay: options.delayMs, repeat: 0 } : { delay: options.delayMs });
  });
  gif.finish();
  return gif.bytes();
}
