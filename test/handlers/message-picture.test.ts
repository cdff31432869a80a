import { Attachment, Collection, Embed, type Message } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { pictureOnMessage } from '../../src/handlers/message-picture.js';

// discord.js builds these from Discord's payloads; its types keep the constructors private.
const AttachmentOf = Attachment as unknown as new (data: Record<string, unknown>) => Attachment;
const EmbedOf = Embed as unknown as new (data: Record<string, unknown>) => Embed;
let n = 0;
const attachment = (filename: string, content_type?: string) =>
  new AttachmentOf({ id: String(++n), filename, size: 1000, url: `https://cdn.example/${filename}`, proxy_url: `https://media.example/${filename}`, content_type, width: 100, height: 100 });

function message(o: { attachments?: Attachment[]; embeds?: Record<string, unknown>[]; content?: string; stickers?: number }): Pick<Message, 'attachments' | 'embeds' | 'content' | 'stickers'> {
  return {
    attachments: new Collection((o.attachments ?? []).map((a) => [a.id, a])),
    embeds: (o.embeds ?? []).map((e) => new EmbedOf(e)),
    content: o.content ?? '',
    stickers: new Collection(Array.from({ length: o.stickers ?? 0 }, (_, i) => [String(i), {}])) as never,
  };
}

describe('the picture on a message (Apps → Make 3D model)', () => {
  it('takes the first JPEG or PNG attachment, by type or else by name', () => {
    const pick = pictureOnMessage(message({ attachments: [attachment('clip.mp4', 'video/mp4'), attachment('photo.JPG'), attachment('b.png', 'image/png')] }));
    expect(pick).toMatchObject({ ok: true, picture: { kind: 'attachment', attachment: { name: 'photo.JPG' } } });
  });

  it('then an image embed, or a rich embed’s image; a link whose type it cannot tell is tried', () => {
    expect(pictureOnMessage(message({ embeds: [{ type: 'rich', image: { url: 'https://x.example/a.jpeg' } }] }))).toMatchObject({
      ok: true,
      picture: { kind: 'url', url: 'https://x.example/a.jpeg', source: 'url' },
    });
    expect(pictureOnMessage(message({ embeds: [{ type: 'image', url: 'https://x.example/pic?id=3', thumbnail: { url: 'https://x.example/pic?id=3' } }] }))).toMatchObject({
      ok: true,
      picture: { url: 'https://x.example/pic?id=3' },
    });
  });

  it('otherwise says what the message has, each kind once, in order', () => {
    const pick = pictureOnMessage(
      message({
        attachments: [attachment('a.gif', 'image/gif'), attachment('b.webp', 'image/webp'), attachment('c.gif', 'image/gif'), attachment('notes.pdf', 'application/pdf')],
        embeds: [{ type: 'gifv', url: 'https://tenor.example/x' }, { type: 'article', url: 'https://news.example/' }],
        stickers: 1,
      }),
    );
    expect(pick).toEqual({ ok: false, found: ['gif', 'webp', 'file', 'link', 'sticker'] });
    expect(pictureOnMessage(message({ content: 'see https://example.com' }))).toEqual({ ok: false, found: ['link'] });
    expect(pictureOnMessage(message({ content: 'just words' }))).toEqual({ ok: false, found: [] });
  });
});
