import { randomHex, snowflake } from './snowflake.js';
import { imageSize } from './media.js';
import type { FakeAttachment, FakeChannel, FakeMessage, FakeUser, HostedFile, InteractionRecord, Json, UploadedFile } from './types.js';

export const MessageFlags = {
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsComponentsV2: 1 << 15,
} as const;

/** Flags a bot may set on a message it sends. */
const SETTABLE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

export interface HostFileOptions {
  filename?: string;
  contentType?: string;
  /** Folder in the URL, like the CDN's channel id. */
  channelId?: string;
  width?: number | null;
  height?: number | null;
  /** Mark as ephemeral (served under /ephemeral-attachments/). */
  ephemeral?: boolean;
  /** The host swaps the file once it has been fetched: the first GET gets `bytes`, every later one these. */
  thenServe?: Buffer | Uint8Array;
}

/** In-memory state of the fake: channels, messages, interactions, hosted files, commands. */
export class Store {
  readonly channels = new Map<string, FakeChannel>();
  private readonly messages = new Map<string, Map<string, FakeMessage>>();
  /** Ids of deleted messages (they answer 10008). */
  readonly deleted = new Set<string>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly files = new Map<string, HostedFile>();
  readonly globalCommands = new Map<string, Json[]>();
  readonly guildCommands = new Map<string, Json[]>();
  readonly dmChannels = new Map<string, string>();
  /** Listeners called after every state change (used by waitFor). */
  readonly listeners = new Set<() => void>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly botUser: FakeUser,
  ) {}

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  addChannel(channel: FakeChannel): FakeChannel {
    this.channels.set(channel.id, channel);
    if (!this.messages.has(channel.id)) this.messages.set(channel.id, new Map());
    return channel;
  }

  /** Removes a channel (or thread) and its messages; they answer 10003 / 10008 afterwards. */
  removeChannel(channelId: string): FakeChannel | undefined {
    const ch = this.channels.get(channelId);
    this.channels.delete(channelId);
    for (const id of this.messages.get(channelId)?.keys() ?? []) this.deleted.add(id);
    this.messages.delete(channelId);
    this.changed();
    return ch;
  }

  dmChannelFor(user: FakeUser): FakeChannel {
    const existing = this.dmChannels.get(user.id);
    if (existing) {
      const ch = this.channels.get(existing);
      if (ch) return ch;
    }
    const ch = this.addChannel({ id: snowflake(), type: 1, last_message_id: null, flags: 0, recipients: [user] });
    this.dmChannels.set(user.id, ch.id);
    return ch;
  }

  /** Stores bytes and returns a Discord-attachment-shaped object whose URL serves them. */
  hostFile(bytes: Buffer | Uint8Array, opts: HostFileOptions = {}): FakeAttachment {
    const buf = Buffer.from(bytes);
    const id = snowflake();
    const filename = opts.filename ?? 'file.bin';
    const contentType = opts.contentType ?? guessContentType(filename);
    const folder = opts.ephemeral ? 'ephemeral-attachments' : 'attachments';
    const path = `/${folder}/${opts.channelId ?? '0'}/${id}/${encodeURIComponent(filename)}`;
    const dims = opts.width !== undefined || opts.height !== undefined ? { width: opts.width ?? null, height: opts.height ?? null } : imageSize(buf);
    const now = Math.floor(Date.now() / 1000);
    const sig = `?ex=${(now + 86_400).toString(16)}&is=${now.toString(16)}&hm=${randomHex(32)}&`;
    const url = `${this.baseUrl()}${path}${sig}`;
    const file: HostedFile = {
      id,
      path,
      url,
      filename,
      contentType,
      bytes: buf,
      width: dims?.width ?? null,
      height: dims?.height ?? null,
      ...(opts.thenServe ? { thenServe: Buffer.from(opts.thenServe) } : {}),
    };
    this.files.set(path, file);
    this.files.set(`/media${path}`, file);
    const att: FakeAttachment = {
      id,
      filename,
      size: buf.length,
      url,
      proxy_url: `${this.baseUrl()}/media${path}${sig}`,
      content_type: contentType,
    };
    if (dims) {
      att.width = dims.width;
      att.height = dims.height;
      att.placeholder = 'AAAAAA==';
      att.placeholder_version = 1;
    }
    if (opts.ephemeral) att.ephemeral = true;
    return att;
  }

  messagesIn(channelId: string): FakeMessage[] {
    return [...(this.messages.get(channelId)?.values() ?? [])];
  }

  allMessages(): FakeMessage[] {
    return [...this.messages.values()].flatMap((m) => [...m.values()]);
  }

  findMessage(messageId: string): FakeMessage | undefined {
    for (const m of this.messages.values()) {
      const msg = m.get(messageId);
      if (msg) return msg;
    }
    return undefined;
  }

  getMessage(channelId: string, messageId: string): FakeMessage | undefined {
    return this.messages.get(channelId)?.get(messageId);
  }

  deleteMessage(channelId: string, messageId: string): boolean {
    const ok = this.messages.get(channelId)?.delete(messageId) ?? false;
    this.deleted.add(messageId);
    this.changed();
    return ok;
  }

  /** Creates a message from a Discord message-create body (+ uploaded files). */
  createMessage(channelId: string, body: Json, files: UploadedFile[], extra: Partial<FakeMessage> = {}): FakeMessage {
    const channel = this.channels.get(channelId);
    const ephemeral = ((Number(body.flags ?? 0) | Number(extra.flags ?? 0)) & MessageFlags.Ephemeral) !== 0;
    const msg: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      type: 0,
      content: typeof body.content === 'string' ? body.content : '',
      author: { ...this.botUser },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: this.attachmentsFor(channelId, [], body.attachments, files, ephemeral, false),
      embeds: Array.isArray(body.embeds) ? body.embeds.map(storedEmbed) : [],
      components: Array.isArray(body.components) ? storedComponents(body.components) : [],
      pinned: false,
      flags: Number(body.flags ?? 0) & SETTABLE_FLAGS,
      ...extra,
    };
    if (extra.flags !== undefined) msg.flags = (Number(body.flags ?? 0) & SETTABLE_FLAGS) | extra.flags;
    if (body.message_reference && typeof body.message_reference === 'object') {
      // A reply (type 19) names the message it answers, with its channel and guild.
      const ref = body.message_reference as Json;
      msg.type = 19;
      msg.message_reference = { type: 0, channel_id: channelId, ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}), ...ref };
    }
    if (body.poll) msg.poll = body.poll;
    if (channel?.guild_id) msg.guild_id = channel.guild_id;
    let map = this.messages.get(channelId);
    if (!map) {
      map = new Map();
      this.messages.set(channelId, map);
    }
    map.set(msg.id, msg);
    if (channel) channel.last_message_id = msg.id;
    this.changed();
    return msg;
  }

  /** Applies an edit body to a message with Discord's semantics (fields present are replaced; `attachments` keeps only the listed ones). */
  editMessage(msg: FakeMessage, body: Json, files: UploadedFile[]): FakeMessage {
    const wasLoading = (msg.flags & MessageFlags.Loading) !== 0;
    if ('content' in body) msg.content = typeof body.content === 'string' ? body.content : '';
    if ('embeds' in body) msg.embeds = Array.isArray(body.embeds) ? body.embeds.map(storedEmbed) : [];
    if ('components' in body) msg.components = Array.isArray(body.components) ? storedComponents(body.components) : [];
    if ('flags' in body && body.flags !== null && body.flags !== undefined) {
      // Only SUPPRESS_EMBEDS / IS_COMPONENTS_V2 can be changed by an edit; ephemeral stays as it was.
      const mutable = MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2;
      msg.flags = (msg.flags & ~mutable) | (Number(body.flags) & mutable);
    }
    if ('attachments' in body || files.length > 0) {
      msg.attachments = this.attachmentsFor(msg.channel_id, msg.attachments, 'attachments' in body ? body.attachments : undefined, files, (msg.flags & MessageFlags.Ephemeral) !== 0, true);
    }
    if (wasLoading) {
      msg.flags &= ~MessageFlags.Loading;
    } else {
      msg.edited_timestamp = new Date().toISOString();
    }
    this.changed();
    return msg;
  }

  private attachmentsFor(channelId: string, existing: FakeAttachment[], listed: unknown, files: UploadedFile[], ephemeral: boolean, isEdit: boolean): FakeAttachment[] {
    const list = Array.isArray(listed) ? (listed as Json[]) : undefined;
    const result: FakeAttachment[] = [];
    const newIndexes = new Set(files.map((_, i) => String(i)));
    if (isEdit) {
      if (list) {
        for (const a of list) {
          const id = String(a.id);
          if (newIndexes.has(id)) continue;
          const keep = existing.find((e) => e.id === id);
          if (keep) result.push(keep);
        }
      } else {
        result.push(...existing);
      }
    }
    files.forEach((f, i) => {
      const meta = list?.find((a) => String(a.id) === String(i)) ?? {};
      const filename = typeof meta.filename === 'string' && meta.filename ? meta.filename : f.filename;
      const att = this.hostFile(f.bytes, { filename, contentType: f.contentType || undefined, channelId, ephemeral });
      if (typeof meta.description === 'string') att.description = meta.description;
      if (typeof meta.title === 'string') att.title = meta.title;
      result.push(att);
    });
    return result;
  }

  registerInteraction(rec: InteractionRecord): void {
    this.interactions.set(rec.id, rec);
    this.interactionsByToken.set(rec.token, rec);
    this.changed();
  }
}

export function guessContentType(filename: string): string {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const map: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    glb: 'model/gltf-binary',
    gltf: 'model/gltf+json',
    obj: 'text/plain',
    txt: 'text/plain; charset=utf-8',
    json: 'application/json',
    zip: 'application/zip',
  };
  return map[ext] ?? 'application/octet-stream';
}

/** An embed as Discord returns it: `type: 'rich'`, and every field with its `inline` flag. */
function storedEmbed(e: unknown): Json {
  const embed: Json = { type: 'rich', ...(e as Json) };
  if (Array.isArray(embed.fields)) embed.fields = (embed.fields as Json[]).map((f) => ({ inline: false, ...f }));
  return embed;
}

/** Components as Discord returns them: each gets a numeric `id` (1, 2, ... in order) unless it has one. */
function storedComponents(components: unknown[]): Json[] {
  let next = 1;
  const used = new Set<number>();
  const collect = (list: unknown[]) => {
    for (const c of list as Json[]) {
      if (typeof c.id === 'number') used.add(c.id);
      if (Array.isArray(c.components)) collect(c.components);
    }
  };
  collect(components);
  const assign = (list: unknown[]): Json[] =>
    (list as Json[]).map((c) => {
      const out: Json = { ...c };
      if (typeof out.id !== 'number') {
        while (used.has(next)) next++;
        out.id = next++;
      }
      if (Array.isArray(c.components)) out.components = assign(c.components);
      return out;
    });
  return assign(components);
}
