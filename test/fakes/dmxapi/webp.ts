/**
 * A real, valid lossless WebP (VP8L) of one solid colour, built bit by bit.
 * Every prefix code is a "simple" one-symbol code, so the pixel data takes zero bits;
 * libwebp's dwebp decodes it.
 */
export function solidWebp(width = 64, height = 64, argb: [number, number, number, number] = [255, 200, 120, 40]): Buffer {
  if (width < 1 || width > 16384 || height < 1 || height > 16384) throw new RangeError('bad WebP size');
  const bits: number[] = [];
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++) bits.push((value >> i) & 1);
  };
  put(width - 1, 14);
  put(height - 1, 14);
  put(argb[0] === 255 ? 0 : 1, 1); // alpha_is_used
  put(0, 3); // version
  put(0, 1); // no transform
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  const [a, r, g, b] = argb;
  for (const symbol of [g, r, b, a]) {
    put(1, 1); // simple code
    put(0, 1); // one symbol
    put(1, 1); // 8-bit symbol
    put(symbol, 8);
  }
  put(1, 1); // distance code: simple
  put(0, 1);
  put(0, 1); // 1-bit symbol
  put(0, 1);
  const data = Buffer.alloc(1 + Math.ceil(bits.length / 8));
  data[0] = 0x2f;
  bits.forEach((bit, i) => {
    if (bit) data[1 + (i >> 3)]! |= 1 << (i & 7);
  });
  const pad = data.length % 2;
  const riff = Buffer.alloc(12 + 8 + data.length + pad);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(riff.length - 8, 4);
  riff.write('WEBP', 8, 'ascii');
  riff.write('VP8L', 12, 'ascii');
  riff.writeUInt32LE(data.length, 16);
  data.copy(riff, 20);
  return riff;
}

/** The preview every simulated task serves. */
export const PREVIEW_WEBP: Buffer = solidWebp();
