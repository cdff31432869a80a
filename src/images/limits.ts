/** What the provider (DMXAPI Tripo-P1.0) accepts as an input picture. */
export const IMAGE_LIMITS = Object.freeze({
  /** Accepted MIME types, judged by magic bytes. */
  types: Object.freeze(['image/png', 'image/jpeg'] as const),
  minDimension: 20,
  maxDimension: 6000,
  maxBytes: 20 * 1024 * 1024,
});

export type SupportedImageType = (typeof IMAGE_LIMITS.types)[number];

/**
 * Why a picture was refused. Data, not prose: the Discord layer turns each
 * code into localized text. `found` is a short display label such as 'GIF',
 * 'WebP', 'BMP' or 'unknown'.
 */
export type ImageRejection =
  | { code: 'unsupported_type'; found: string }
  | { code: 'too_small'; width: number; height: number; min: number }
  | { code: 'too_large_dimensions'; width: number; height: number; max: number }
  | { code: 'file_too_large'; bytes: number; max: number }
  | { code: 'bad_scheme'; scheme: string }
  | { code: 'invalid_url' }
  | { code: 'private_address'; host: string }
  | { code: 'too_many_redirects'; max: number }
  | { code: 'http_error'; status: number }
  | { code: 'timeout'; ms: number }
  | { code: 'unreachable' }
  | { code: 'unreadable' };

function describe(r: ImageRejection): string {
  switch (r.code) {
    case 'unsupported_type':
      return `unsupported image type ${r.found} (PNG or JPEG required)`;
    case 'too_small':
      return `image is ${r.width}x${r.height}, each side must be at least ${r.min}px`;
    case 'too_large_dimensions':
      return `image is ${r.width}x${r.height}, each side must be at most ${r.max}px`;
    case 'file_too_large':
      return `image is ${r.bytes} bytes, at most ${r.max} allowed`;
    case 'bad_scheme':
      return `URL scheme ${r.scheme} is not allowed (http or https only)`;
    case 'invalid_url':
      return 'malformed URL';
    case 'private_address':
      return `host ${r.host} resolves to a non-public address`;
    case 'too_many_redirects':
      return `more than ${r.max} redirects`;
    case 'http_error':
      return `server answered HTTP ${r.status}`;
    case 'timeout':
      return `no usable answer within ${r.ms} ms`;
    case 'unreachable':
      return 'server unreachable';
    case 'unreadable':
      return 'could not read the image dimensions';
  }
}

/** A picture the provider would refuse. `message` is for developers; show `rejection` to users. */
export class ImageRejectedError extends Error {
  override name = 'ImageRejectedError';
  constructor(
    readonly rejection: ImageRejection,
    options?: { cause?: unknown },
  ) {
    super(`Image rejected: ${describe(rejection)}`, options);
  }
}

export function reject(rejection: ImageRejection, cause?: unknown): never {
  throw new ImageRejectedError(rejection, cause === undefined ? undefined : { cause });
}

function checkDimensions(width: number, height: number): void {
  const { minDimension: min, maxDimension: max } = IMAGE_LIMITS;
  if (width < min || height < min) reject({ code: 'too_small', width, height, min });
  if (width > max || height > max) reject({ code: 'too_large_dimensions', width, height, max });
}

function checkBytes(bytes: number): void {
  if (bytes > IMAGE_LIMITS.maxBytes) reject({ code: 'file_too_large', bytes, max: IMAGE_LIMITS.maxBytes });
}

export interface ImageFacts {
  type: SupportedImageType | 'other';
  /** Display label of what was found, used when `type` is 'other'. */
  found?: string;
  width: number;
  height: number;
  /** Size in bytes, or null when unknown (the provider enforces it then). */
  bytes: number | null;
}

/** Throws ImageRejectedError for the first failed limit: type, then size, then dimensions. */
export function checkLimits(info: ImageFacts): void {
  if (info.type !== 'image/png' && info.type !== 'image/jpeg') {
    reject({ code: 'unsupported_type', found: info.found ?? 'unknown' });
  }
  if (info.bytes !== null) checkBytes(info.bytes);
  checkDimensions(info.width, info.height);
}

export interface AttachmentMetadata {
  /** Discord's content type (derived by Discord, usually from the file name); null when absent. */
  contentType: string | null;
  size: number;
  width: number | null;
  height: number | null;
}

const CONTENT_TYPE_LABELS: Record<string, string> = {
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'image/bmp': 'BMP',
  'image/x-ms-bmp': 'BMP',
  'image/tiff': 'TIFF',
  'image/heic': 'HEIC',
  'image/heif': 'HEIF',
  'image/avif': 'AVIF',
  'image/svg+xml': 'SVG',
  'image/x-icon': 'ICO',
  'image/vnd.microsoft.icon': 'ICO',
  'image/jxl': 'JPEG XL',
  'application/pdf': 'PDF',
};

const ACCEPTABLE_CONTENT_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/pjpeg', 'image/apng']);
/** Content types that say nothing about the bytes: the magic-byte probe decides. */
const NEUTRAL_CONTENT_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** A display label for a content type that is clearly not PNG/JPEG, or null when it may be one. */
function contentTypeMismatch(contentType: string | null): string | null {
  if (contentType === null) return null;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  if (ACCEPTABLE_CONTENT_TYPES.has(base) || NEUTRAL_CONTENT_TYPES.has(base)) return null;
  const known = CONTENT_TYPE_LABELS[base];
  if (known) return known;
  const sub = base.split('/')[1];
  return sub ? sub.replace(/^(x-|vnd\.)/, '').toUpperCase() : 'unknown';
}

/**
 * Fast rejections from Discord's attachment metadata, before any network I/O,
 * in the same order as checkLimits. Discord's content type comes from the file
 * name, so only a type that is clearly something else (image/gif, video/mp4...)
 * is refused here; the magic bytes are still checked by the probe, which is why
 * `needsProbe` is always true.
 */
export function checkAttachmentMetadata(meta: AttachmentMetadata): { needsProbe: true } {
  const mismatch = contentTypeMismatch(meta.contentType);
  if (mismatch !== null) reject({ code: 'unsupported_type', found: mismatch });
  checkBytes(meta.size);
  if (meta.width !== null && meta.height !== null) checkDimensions(meta.width, meta.height);
  return { needsProbe: true };
}
