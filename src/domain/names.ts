/** The `title` option's limit, in characters. */
export const TITLE_MAX = 60;
/** Without a title, files keep the names they always had (model.glb). */
const DEFAULT_FILE_BASE = 'model';
const FILE_BASE_MAX = 48;
/** Names Windows will not open a file by, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A member's title as the bot keeps it: control and format characters (newlines, bidi
 * overrides, zero-width joiners) removed, runs of spaces folded, at most TITLE_MAX characters.
 * Null when nothing is left.
 */
export function cleanTitle(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const text = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (!text) return null;
  return [...text].slice(0, TITLE_MAX).join('').trim() || null;
}

/**
 * A file name's stem made from a title: ASCII letters, digits, `-` and `_` only (accents are
 * dropped, spaces become `-`), so that no path, control or look-alike character reaches a file
 * name. A title with nothing ASCII in it (say, 茶壶) falls back to `model`.
 */
export function fileBase(title: string | null | undefined): string {
  if (!title) return DEFAULT_FILE_BASE;
  const ascii = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\s./\\:]+/gu, '-')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, FILE_BASE_MAX)
    .replace(/[-_]+$/g, '')
    .toLowerCase();
  if (!ascii || RESERVED.test(ascii)) return DEFAULT_FILE_BASE;
  return ascii;
}

/** The GLB's attachment name for a job: `teapot.glb` for the title "Teapot", else `model.glb`. */
export function modelFileName(job: { title: string | null }): string {
  return `${fileBase(job.title)}.glb`;
}
