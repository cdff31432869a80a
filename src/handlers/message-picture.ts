import type { Attachment, Embed, Message } from 'discord.js';
import type { MessageFind } from '../i18n/en.js';
import type { Picture } from '../jobs/start.js';
import { attachmentPicture } from './command-job.js';

/** The message's first usable picture, or what it holds instead (none of it a JPEG or PNG). */
export type MessagePick = { ok: true; picture: Picture } | { ok: false; found: MessageFind[] };

type Kind = 'jpeg-png' | 'unknown' | MessageFind;

const EXTENSIONS: Record<string, Kind> = {
  png: 'jpeg-png',
  jpg: 'jpeg-png',
  jpeg: 'jpeg-png',
  gif: 'gif',
  webp: 'webp',
  avif: 'otherImage',
  bmp: 'otherImage',
  svg: 'otherImage',
  mp4: 'video',
  webm: 'video',
  mov: 'video',
  mp3: 'audio',
  ogg: 'audio',
  wav: 'audio',
};

/** A picture's kind from its MIME type, else from the name or path's extension. */
function kindOf(contentType: string | null | undefined, nameOrUrl: string | null | undefined): Kind {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'image/png' || type === 'image/jpeg') return 'jpeg-png';
  if (type === 'image/gif') return 'gif';
  if (type === 'image/webp') return 'webp';
  if (type?.startsWith('image/')) return 'otherImage';
  if (type?.startsWith('video/')) return 'video';
  if (type?.startsWith('audio/')) return 'audio';
  if (type) return 'file';
  let path = nameOrUrl ?? '';
  try {
    path = new URL(path).pathname;
  } catch {
    // a file name, not a URL
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return ext === undefined ? 'unknown' : (EXTENSIONS[ext] ?? 'file');
}

function attachmentKind(a: Pick<Attachment, 'contentType' | 'name'>): Kind {
  const k = kindOf(a.contentType, a.name);
  return k === 'unknown' ? 'file' : k;
}

/** An embed's picture: a linked image (type `image`) or a rich embed's image. */
function embedPicture(e: Embed): { url: string; kind: Kind } | { url: null; kind: MessageFind } {
  const type = e.data.type;
  if (type === 'gifv') return { url: null, kind: 'gif' };
  if (type === 'video') return { url: null, kind: 'video' };
  const media = e.image ?? (type === 'image' ? e.thumbnail : null);
  const url = (type === 'image' ? (e.url ?? media?.url) : media?.url) ?? null;
  if (!url) return { url: null, kind: 'link' };
  const contentType = (media as { content_type?: string } | null)?.content_type ?? (media as { contentType?: string } | null)?.contentType;
  return { url, kind: kindOf(contentType, url) };
}

/**
 * The first JPEG or PNG on a message: its attachments first, then its image embeds. An embed's
 * picture whose type cannot be told from its link is tried (the start path checks the bytes).
 * Pure: it reads only what Discord sent with the interaction.
 */
export function pictureOnMessage(m: Pick<Message, 'attachments' | 'embeds' | 'content' | 'stickers'>): MessagePick {
  const found = new Set<MessageFind>();
  for (const a of m.attachments.values()) {
    const kind = attachmentKind(a);
    if (kind === 'jpeg-png') return { ok: true, picture: attachmentPicture(a) };
    if (kind !== 'unknown') found.add(kind);
  }
  for (const e of m.embeds) {
    const p = embedPicture(e);
    if (p.url !== null && (p.kind === 'jpeg-png' || p.kind === 'unknown')) {
      return { ok: true, picture: { kind: 'url', url: p.url, source: 'url', name: null } };
    }
    found.add(p.kind as MessageFind);
  }
  // A link Discord has not (yet) turned into an embed.
  if (m.embeds.length === 0 && /https?:\/\/\S+/i.test(m.content)) found.add('link');
  if (m.stickers.size > 0) found.add('sticker');
  return { ok: false, found: [...found] };
}
