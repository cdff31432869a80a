import { IMAGE_LIMITS } from './limits.js';

/** The longest side of the copy of a member's picture that messages show (Discord draws thumbnails at 80 px). */
const THUMBNAIL_PX = 256;
/** A picture that takes longer than this to shrink gets no thumbnail. */
const THUMBNAIL_TIMEOUT_S = 10;

/**
 * A small WebP of a picture the bot fetched and checked (probe.ts, `keepBody`): what its messages show
 * instead of the member's URL, whose host can serve other bytes later. Decoded by libvips on its own
 * threads, never the event loop's, bounded to the provider's pixel limit, the EXIF orientation applied
 * and the metadata dropped. Rejects when the bytes do not decode (the job goes on without a thumbnail).
 */
export async function thumbnailOf(picture: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  sharp.cache(false); // each picture is new: nothing to keep decoded
  return sharp(picture, { limitInputPixels: IMAGE_LIMITS.maxDimension ** 2, sequentialRead: true, failOn: 'error' })
    .rotate()
    .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .timeout({ seconds: THUMBNAIL_TIMEOUT_S })
    .toBuffer();
}
