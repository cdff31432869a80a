import { imageSize } from 'image-size';
import type { SupportedImageType } from './limits.js';

/**
 * Result of looking at the first bytes of a file.
 * - `image`: PNG or JPEG with its pixel size.
 * - `need_more`: the prefix is too short to decide; read at least `minBytes` bytes in total.
 * - `unsupported`: another format (or none); `found` names it ('GIF', 'WebP', 'unknown'...).
 * - `unreadable`: PNG/JPEG magic bytes, but no dimensions could be read (corrupt).
 */
export type SniffResult =
  | { kind: 'image'; type: SupportedImageType; found: 'PNG' | 'JPEG'; width: number; height: number }
  | { kind: 'need_more'; type: SupportedImageType | 'other'; found: string; minBytes: number }
  | { kind: 'unsupported'; type: 'other'; found: string }
  | { kind: 'unreadable'; type: SupportedImageType; found: 'PNG' | 'JPEG' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_SIGNATURE_BYTES = Uint8Array.from(PNG_SIGNATURE);
const JPEG_SOI_BYTES = Uint8Array.from([0xff, 0xd8, 0xff]);
/** Bytes needed before a non-PNG/JPEG prefix is named (RIFF....WEBP is 12, ftyp brands 12). */
const OTHER_SNIFF_BYTES = 32;

const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((v, i) => b[at + i] === v);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
}

function sniffPng(b: Uint8Array): SniffResult {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (b.length < 24) return { kind: 'need_more', type: 'image/png', found: 'PNG', minBytes: 24 };
  if (ascii(b, 12, 16) !== 'IHDR') return { kind: 'unreadable', type: 'image/png', found: 'PNG' };
  return { kind: 'image', type: 'image/png', found: 'PNG', width: be32(b, 16), height: be32(b, 20) };
}

/** SOFn markers that carry the frame size: C0-CF except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks JPEG marker segments up to the first SOFn. Segments are skipped by
 * their length, so a large EXIF/APP1 block only costs "need more bytes".
 */
function sniffJpeg(b: Uint8Array): SniffResult {
  const more = (minBytes: number): SniffResult => ({ kind: 'need_more', type: 'image/jpeg', found: 'JPEG', minBytes });
  const corrupt: SniffResult = { kind: 'unreadable', type: 'image/jpeg', found: 'JPEG' };
  let i = 2;
  for (;;) {
    if (i >= b.length) return more(i + 4);
    if (b[i] !== 0xff) return corrupt;
    while (b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) return more(i + 3);
    const marker = b[i]!;
    i++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // standalone markers
    if (marker === 0xd9 || marker === 0xda) return corrupt; // end of image / scan data before any frame header
    if (i + 2 > b.length) return more(i + 2);
    const length = be16(b, i);
    if (length < 2) return corrupt;
    if (isSof(marker)) {
      // length(2) precision(1) height(2) width(2)
      if (i + 7 > b.length) return more(i + 7);
      return { kind: 'image', type: 'image/jpeg', found: 'JPEG', height: be16(b, i + 3), width: be16(b, i + 5) };
    }
    i += length;
  }
}

const IMAGE_SIZE_LABELS: Record<string, string> = {
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  tiff: 'TIFF',
  heif: 'HEIF',
  heic: 'HEIC',
  avif: 'AVIF',
  svg: 'SVG',
  ico: 'ICO',
  cur: 'CUR',
  icns: 'ICNS',
  psd: 'PSD',
  jp2: 'JPEG 2000',
  j2c: 'JPEG 2000',
  jxl: 'JPEG XL',
  'jxl-stream': 'JPEG XL',
  ktx: 'KTX',
  dds: 'DDS',
  pnm: 'PNM',
  tga: 'TGA',
};

/** Names a non-PNG/JPEG prefix: own magic table first (works on a few bytes), image-size as a fallback. */
function nameOther(b: Uint8Array): string {
  const head4 = ascii(b, 0, 4);
  if (head4 === 'GIF8') return 'GIF';
  if (head4 === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'WebP';
  if (ascii(b, 0, 2) === 'BM') return 'BMP';
  if (head4 === 'II*\0' || head4 === 'MM\0*') return 'TIFF';
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand.startsWith('avi')) return 'AVIF';
    if (brand.startsWith('hei') || brand.startsWith('mif') || brand.startsWith('hev')) return 'HEIC';
    if (brand.startsWith('mp4') || brand.startsWith('iso') || brand === 'qt  ') return 'MP4';
  }
  if (head4 === '%PDF') return 'PDF';
  if (head4 === '8BPS') return 'PSD';
  if (startsWith(b, [0, 0, 1, 0])) return 'ICO';
  try {
    const type = imageSize(b).type;
    if (type) return IMAGE_SIZE_LABELS[type] ?? type.toUpperCase();
  } catch {
    // image-size could not decide either
  }
  return 'unknown';
}

/**
 * Identifies PNG/JPEG by magic bytes (never by name or content type) and reads
 * their pixel size from a prefix of the file. `complete: true` says `bytes` is
 * the whole file, so `need_more` becomes a final answer.
 */
export function sniffImage(bytes: Uint8Array, opts: { complete?: boolean } = {}): SniffResult {
  const result = sniffPrefix(bytes);
  if (result.kind !== 'need_more' || !opts.complete) return result;
  if (result.type === 'other') return { kind: 'unsupported', type: 'other', found: result.found };
  return { kind: 'unreadable', type: result.type, found: result.type === 'image/png' ? 'PNG' : 'JPEG' };
}

function sniffPrefix(b: Uint8Array): SniffResult {
  if (startsWith(b, PNG_SIGNATURE)) return sniffPng(b);
  if (startsWith(b, [0xff, 0xd8, 0xff])) return sniffJpeg(b);
  const couldBePng = b.length < PNG_SIGNATURE.length && startsWith(PNG_SIGNATURE_BYTES, Array.from(b));
  const couldBeJpeg = b.length < 3 && startsWith(JPEG_SOI_BYTES, Array.from(b));
  if (couldBePng || couldBeJpeg || b.length < OTHER_SNIFF_BYTES) {
    const found = b.length === 0 ? 'unknown' : nameOther(b);
    if (couldBePng || couldBeJpeg || found === 'unknown') {
      return { kind: 'need_more', type: 'other', found, minBytes: couldBePng || couldBeJpeg ? 8 : OTHER_SNIFF_BYTES };
    }
    return { kind: 'unsupported', type: 'other', found };
  }
  return { kind: 'unsupported', type: 'other', found: nameOther(b) };
}
