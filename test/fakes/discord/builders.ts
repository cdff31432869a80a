import { interactionToken, snowflake } from './snowflake.js';
import type { FakeAttachment, FakeChannel, FakeGuild, FakeMessage, FakeRole, FakeUser, Json } from './types.js';

/** Option types (ApplicationCommandOptionType). */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

const TAG = Symbol('fakeOption');

export interface TaggedOption {
  [TAG]: true;
  type: number;
  value: unknown;
  focused?: boolean;
}

function tag(type: number, value: unknown): TaggedOption {
  return { [TAG]: true, type, value };
}

/** Explicitly typed option values for `build.chatInput({ options: { ... } })`. */
export const opt = {
  string: (v: string) => tag(OptionType.String, v),
  integer: (v: number) => tag(OptionType.Integer, v),
  number: (v: number) => tag(OptionType.Number, v),
  boolean: (v: boolean) => tag(OptionType.Boolean, v),
  /** A user (object, or id of a known user). */
  user: (u: Partial<FakeUser> & { id: string }) => tag(OptionType.User, u),
  role: (r: Partial<FakeRole> & { id: string }) => tag(OptionType.Role, r),
  channel: (c: Partial<FakeChannel> & { id: string }) => tag(OptionType.Channel, c),
  mentionable: (m: (Partial<FakeUser> & { id: string }) | (Partial<FakeRole> & { id: string; permissions: string })) => tag(OptionType.Mentionable, m),
  /** An attachment as returned by `fake.hostFile(...)`. */
  attachment: (a: FakeAttachment) => tag(OptionType.Attachment, a),
};

export type OptionValue = string | number | boolean | FakeAttachment | TaggedOption;

export interface InvokerOptions {
  /** Guild id (default: first guild); `null` = DM with the bot. */
  guildId?: string | null;
  /** Channel id (default: the guild's first text channel, or a DM channel). */
  channelId?: string;
  user?: Partial<FakeUser>;
  /** Member permissions (bitfield string), default: typical member permissions. */
  memberPermissions?: string;
  roles?: string[];
  appPermissions?: string;
  locale?: string;
  guildLocale?: string;
  /** Bytes; default from the guild's premium tier (10 MiB unboosted). */
  attachmentSizeLimit?: number;
  /** 0 guild, 1 bot DM, 2 private channel. */
  context?: 0 | 1 | 2;
  /** Installation context: 0 guild install (default), 1 user install. */
  integrationType?: 0 | 1;
  /** Override anything in the final payload. */
  extra?: Json;
}

export interface ChatInputOptions extends InvokerOptions {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** Option values by name (types inferred; use `opt.*` to force), or raw API options. */
  options?: Record<string, OptionValue> | Json[];
  commandId?: string;
}

export interface MessageCommandOptions extends InvokerOptions {
  name: string;
  /** The message the command is used on: a stored message, or the parts that differ from a member's plain message. */
  target: Partial<FakeMessage>;
  commandId?: string;
}

export interface ButtonOptions extends InvokerOptions {
  customId: string;
  /** The message the button is on (a stored message, or a partial). Default: a new bot message. */
  message?: Partial<FakeMessage> & { id: string };
}

export interface BuilderContext {
  applicationId: string;
  botUser: FakeUser;
  guilds: FakeGuild[];
  commandIdFor(name: string, guildId: string | null, type?: number): string;
  dmChannelFor(user: FakeUser): FakeChannel;
  findMessage(id: string): FakeMessage | undefined;
  findUser(id: string): FakeUser | undefined;
}

const P = (n: number) => 1n << BigInt(n);
/** Typical @everyone member permissions in a channel. */
export const DEFAULT_MEMBER_PERMISSIONS = (
  P(0) | P(6) | P(10) | P(11) | P(14) | P(15) | P(16) | P(18) | P(19) | P(20) | P(21) | P(25) | P(26) | P(31) | P(35) | P(36) | P(38) | P(39) | P(41) | P(46)
).toString();
/** Typical bot permissions in a channel (view, send, embed, attach, history, external emojis, ...). */
export const DEFAULT_APP_PERMISSIONS = (P(6) | P(10) | P(11) | P(13) | P(14) | P(15) | P(16) | P(18) | P(38) | P(46) | P(49)).toString();
/** DM app permissions as Discord sends them. */
export const DM_APP_PERMISSIONS = (P(6) | P(10) | P(11) | P(14) | P(15) | P(16) | P(18) | P(31) | P(38) | P(46)).toString();

const SIZE_LIMITS = [10, 10, 50, 100].map((m) => m * 1024 * 1024);

let userCounter = 0;

export function makeUser(partial: Partial<FakeUser> = {}): FakeUser {
  userCounter++;
  const username = partial.username ?? `tester${userCounter}`;
  return {
    id: snowflake(),
    username,
    discriminator: '0',
    global_name: username.charAt(0).toUpperCase() + username.slice(1),
    avatar: null,
    avatar_decoration_data: null,
    collectibles: null,
    display_name_styles: null,
    primary_guild: null,
    clan: null,
    public_flags: 0,
    flags: 0,
    ...partial,
  };
}

export function makeMember(user: FakeUser | null, roles: string[], permissions?: string): Json {
  const m: Json = {
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    deaf: false,
    flags: 0,
    joined_at: new Date(Date.now() - 86_400_000 * 30).toISOString(),
    mute: false,
    nick: null,
    pending: false,
    premium_since: null,
    roles,
    unusual_dm_activity_until: null,
  };
  if (user) m.user = user;
  if (permissions !== undefined) m.permissions = permissions;
  return m;
}

function isAttachment(v: unknown): v is FakeAttachment {
  return typeof v === 'object' && v !== null && 'url' in v && 'filename' in v && 'size' in v;
}

function isTagged(v: unknown): v is TaggedOption {
  return typeof v === 'object' && v !== null && TAG in v;
}

/** A message as Discord returns it: `extra` on top of an empty message by `author`. */
function plainMessage(channelId: string, author: FakeUser, extra: Partial<FakeMessage>): Json {
  return {
    id: snowflake(),
    channel_id: channelId,
    type: 0,
    content: '',
    author,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
    ...extra,
  };
}

export class Builders {
  /** The default invoking user (same for every interaction unless overridden). */
  readonly defaultUser: FakeUser;

  constructor(private readonly ctx: BuilderContext) {
    this.defaultUser = makeUser({ username: 'tester' });
  }

  user(partial: Partial<FakeUser> = {}): FakeUser {
    return makeUser(partial);
  }

  /** A CHAT_INPUT application command interaction (type 2, data.type 1). */
  chatInput(o: ChatInputOptions): Json {
    const base = this.base(2, o);
    const guildId = (base.guild_id as string | undefined) ?? null;
    const resolved: Record<string, Record<string, unknown>> = {};
    let options = Array.isArray(o.options) ? o.options : this.toApiOptions(o.options ?? {}, resolved, guildId);
    if (o.subcommand) options = [{ name: o.subcommand, type: OptionType.Subcommand, options }];
    if (o.subcommandGroup) options = [{ name: o.subcommandGroup, type: OptionType.SubcommandGroup, options }];
    const data: Json = {
      id: o.commandId ?? this.ctx.commandIdFor(o.name, guildId),
      name: o.name,
      type: 1,
    };
    if (options.length) data.options = options;
    if (Object.keys(resolved).length) data.resolved = resolved;
    if (guildId) data.guild_id = guildId;
    return { ...base, data, ...(o.extra ?? {}) };
  }

  /**
   * A MESSAGE command from a message's Apps menu (type 2, data.type 3): `data.target_id` and the
   * whole message in `data.resolved.messages`, as Discord sends them.
   */
  messageCommand(o: MessageCommandOptions): Json {
    const base = this.base(2, o);
    const guildId = (base.guild_id as string | undefined) ?? null;
    const stored = o.target.id ? this.ctx.findMessage(o.target.id) : undefined;
    const message: Json = stored
      ? structuredClone(stored)
      : plainMessage(String(base.channel_id), makeUser({ username: 'poster' }), o.target);
    const data: Json = {
      id: o.commandId ?? this.ctx.commandIdFor(o.name, guildId, 3),
      name: o.name,
      type: 3,
      target_id: message.id,
      resolved: { messages: { [String(message.id)]: message } },
    };
    if (guildId) data.guild_id = guildId;
    return { ...base, data, ...(o.extra ?? {}) };
  }

  /** A button press (type 3 MESSAGE_COMPONENT, component_type 2). */
  button(o: ButtonOptions): Json {
    const base = this.base(3, o);
    const stored = o.message ? this.ctx.findMessage(o.message.id) : undefined;
    const message: Json = stored
      ? structuredClone(stored)
      : plainMessage(String(base.channel_id), this.ctx.botUser, {
          components: [{ type: 1, id: 1, components: [{ type: 2, id: 2, style: 1, label: 'Button', custom_id: o.customId }] }],
          application_id: this.ctx.applicationId,
          webhook_id: this.ctx.applicationId,
          ...(o.message ?? {}),
        });
    return { ...base, data: { custom_id: o.customId, component_type: 2 }, message, ...(o.extra ?? {}) };
  }

  private base(type: number, o: InvokerOptions): Json {
    const id = snowflake();
    const guild = o.guildId === null ? undefined : o.guildId !== undefined ? this.ctx.guilds.find((g) => g.id === o.guildId) : this.ctx.guilds[0];
    const user: FakeUser = o.user ? { ...this.defaultUser, ...o.user } : this.defaultUser;
    const integrationType = o.integrationType ?? 0;
    const payload: Json = {
      id,
      application_id: this.ctx.applicationId,
      type,
      token: interactionToken(id),
      version: 1,
      locale: o.locale ?? 'en-US',
      entitlements: [],
      entitlement_sku_ids: [],
      attachment_size_limit: o.attachmentSizeLimit ?? SIZE_LIMITS[Number(guild?.premium_tier ?? 0)] ?? SIZE_LIMITS[0],
    };
    if (guild) {
      const textChannel = guild.channels.find((c) => c.id === o.channelId) ?? guild.channels.find((c) => c.type === 0) ?? guild.channels[0];
      const channel = textChannel ? { ...textChannel, guild_id: guild.id, permissions: o.memberPermissions ?? DEFAULT_MEMBER_PERMISSIONS } : { id: o.channelId ?? snowflake(), type: 0, guild_id: guild.id };
      if (o.channelId) channel.id = o.channelId;
      payload.guild_id = guild.id;
      payload.guild = { id: guild.id, locale: guild.preferred_locale, features: guild.features ?? [] };
      payload.guild_locale = o.guildLocale ?? guild.preferred_locale;
      payload.channel_id = channel.id;
      payload.channel = channel;
      payload.member = makeMember(user, o.roles ?? [], o.memberPermissions ?? DEFAULT_MEMBER_PERMISSIONS);
      payload.app_permissions = o.appPermissions ?? DEFAULT_APP_PERMISSIONS;
      payload.context = o.context ?? 0;
      payload.authorizing_integration_owners = integrationType === 1 ? { '1': user.id } : { '0': guild.id };
    } else {
      const dm = this.ctx.dmChannelFor(user);
      const channelId = o.channelId ?? dm.id;
      payload.channel_id = channelId;
      payload.channel = { id: channelId, type: 1, flags: 0, last_message_id: null, recipients: [user] };
      payload.user = user;
      payload.app_permissions = o.appPermissions ?? DM_APP_PERMISSIONS;
      payload.context = o.context ?? 1;
      payload.authorizing_integration_owners = integrationType === 1 ? { '1': user.id } : { '0': '0' };
    }
    return payload;
  }

  private toApiOptions(values: Record<string, OptionValue>, resolved: Record<string, Record<string, unknown>>, guildId: string | null): Json[] {
    const put = (kind: string, id: string, value: unknown) => {
      (resolved[kind] ??= {})[id] = value;
    };
    const out: Json[] = [];
    for (const [name, raw] of Object.entries(values)) {
      let type: number;
      let value: unknown;
      if (isTagged(raw)) {
        type = raw.type;
        value = raw.value;
      } else if (isAttachment(raw)) {
        type = OptionType.Attachment;
        value = raw;
      } else if (typeof raw === 'string') {
        type = OptionType.String;
        value = raw;
      } else if (typeof raw === 'boolean') {
        type = OptionType.Boolean;
        value = raw;
      } else {
        type = Number.isInteger(raw) ? OptionType.Integer : OptionType.Number;
        value = raw;
      }
      switch (type) {
        case OptionType.Attachment: {
          const a = value as FakeAttachment;
          put('attachments', a.id, a);
          out.push({ name, type, value: a.id });
          break;
        }
        case OptionType.User:
        case OptionType.Mentionable: {
          const v = value as Json & { id: string };
          if (type === OptionType.Mentionable && typeof v.permissions === 'string') {
            put('roles', v.id, this.role(v));
          } else {
            const u = { ...(this.ctx.findUser(v.id) ?? makeUser({ id: v.id })), ...v } as FakeUser;
            put('users', u.id, u);
            if (guildId) put('members', u.id, makeMember(null, [], DEFAULT_MEMBER_PERMISSIONS));
          }
          out.push({ name, type, value: v.id });
          break;
        }
        case OptionType.Role: {
          const r = this.role(value as Json & { id: string });
          put('roles', r.id, r);
          out.push({ name, type, value: r.id });
          break;
        }
        case OptionType.Channel: {
          const c = value as Json & { id: string };
          const known = this.ctx.guilds.flatMap((g) => g.channels.map((ch) => ({ ...ch, guild_id: g.id }))).find((ch) => ch.id === c.id);
          const ch = { type: 0, name: 'channel', parent_id: null, flags: 0, permissions: DEFAULT_MEMBER_PERMISSIONS, ...(known ?? {}), ...c };
          put('channels', ch.id, ch);
          out.push({ name, type, value: ch.id });
          break;
        }
        default:
          out.push({ name, type, value });
      }
    }
    return out;
  }

  private role(v: Json & { id: string }): FakeRole {
    const known = this.ctx.guilds.flatMap((g) => g.roles).find((r) => r.id === v.id);
    return {
      name: 'role',
      permissions: '0',
      position: 1,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      icon: null,
      unicode_emoji: null,
      flags: 0,
      ...(known ?? {}),
      ...v,
    } as FakeRole;
  }
}
