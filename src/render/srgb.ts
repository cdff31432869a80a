// sRGB transfer functions. Texels and output pixels are sRGB-encoded; lighting and filtering happen in
// linear light, so that a lit texture keeps its colours and a half-lit face is not too dark.

export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function linearToSrgb(c: number): number {
  return c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** sRGB byte → linear [0, 1]. */
export const SRGB8_TO_LINEAR = Float32Array.from({ length: 256 }, (_, i) => srgbToLinear(i / 255));

const ENCODE_STEPS = 16384;
const ENCODE = Uint8Array.from({ length: ENCODE_STEPS + 1 }, (_, i) => Math.round(linearToSrgb(i / ENCODE_STEPS) * 255));

/** Linear [0, 1] (clamped) → sRGB byte. */
export function encodeSrgb8(linear: number): number {
  if (!(linear > 0)) return 0;
  if (linear >= 1) return 255;
  return ENCODE[(linear * ENCODE_STEPS + 0.5) | 0]!;
}
