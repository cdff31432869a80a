import { makeMember } from './builders.js';
import { snowflake } from './snowflake.js';
import type { FakeChannel, FakeGuild, FakeRole, FakeUser } from './types.js';

export interface GuildSpec {
  id?: string;
  name?: string;
  preferredLocale?: string;
  /** 0..3; sets attachment_size_limit of interactions from this guild. */
  premiumTier?: number;
  /**
   * Channels to create (default one text channel: `general`). `type: 15` is a forum channel
   * (`available_tags`, `flags` 16 = REQUIRE_TAG); any other field (e.g. `permission_overwrites`) is kept.
   */
  channels?: Array<{ id?: string; name?: string; type?: number; [field: string]: unknown }>;
  ownerId?: string;
  /** Extra roles besides @everyone and the bot's managed role. */
  roles?: number;
  /**
   * Extra members in the GUILD_CREATE besides the bot. (Without the privileged GUILD_MEMBERS intent
   * Discord sends only a few: the bot itself and members in voice channels.)
   */
  members?: number;
}

const EVERYONE_PERMISSIONS = '2248473465835073';

function role(partial: Partial<FakeRole> & { id: string; name: string }): FakeRole {
  return {
    permissions: '0',
    position: 0,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: false,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
    description: null,
    ...partial,
  };
}

/** A complete GUILD_CREATE-style guild object. */
export function makeGuild(spec: GuildSpec, index: number, bot: FakeUser): FakeGuild {
  const id = spec.id ?? snowflake();
  const categoryId = snowflake();
  const channels: FakeChannel[] = [
    { id: categoryId, type: 4, name: 'Text Channels', position: 0, parent_id: null, permission_overwrites: [], flags: 0, nsfw: false },
  ];
  const specs = spec.channels ?? [{ name: 'general' }];
  specs.forEach((c, i) => {
    const { id: _id, name: _name, type: _type, ...extra } = c;
    const forum = c.type === 15 || c.type === 16;
    channels.push({
      id: c.id ?? snowflake(),
      type: c.type ?? 0,
      name: c.name ?? `channel-${i}`,
      position: i,
      parent_id: categoryId,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      icon_emoji: null,
      theme_color: null,
      version: String(Date.now()),
      ...(forum
        ? {
            available_tags: [],
            default_reaction_emoji: null,
            default_sort_order: null,
            default_forum_layout: 0,
            default_thread_rate_limit_per_user: 0,
            default_auto_archive_duration: 4320,
          }
        : {}),
      ...extra,
    });
  });
  const botRoleId = snowflake();
  const ownerId = spec.ownerId ?? snowflake();
  const joinedAt = new Date().toISOString();
  const extraRoles = Array.from({ length: spec.roles ?? 0 }, (_, i) =>
    role({ id: snowflake(), name: `role-${i + 1}`, position: i + 2, permissions: '104324673', color: 0x3498db + i }),
  );
  const extraMembers = Array.from({ length: spec.members ?? 0 }, (_, i) => {
    const user = { id: snowflake(), username: `member${index}_${i}`, discriminator: '0', global_name: `Member ${i + 1}`, avatar: null, flags: 0, public_flags: 0, bot: false } as FakeUser;
    return makeMember(user, extraRoles.slice(0, 1 + (i % 2)).map((r) => r.id));
  });
  return {
    id,
    name: spec.name ?? `Test Guild ${index + 1}`,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: ownerId,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    mfa_level: 0,
    application_id: null,
    system_channel_id: channels[1]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    max_presences: null,
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    vanity_url_code: null,
    premium_tier: spec.premiumTier ?? 0,
    premium_subscription_count: [0, 2, 7, 14][spec.premiumTier ?? 0] ?? 0,
    premium_progress_bar_enabled: false,
    preferred_locale: spec.preferredLocale ?? 'en-US',
    nsfw_level: 0,
    nsfw: false,
    features: [],
    hub_type: null,
    incidents_data: null,
    latest_onboarding_question_id: null,
    home_header: null,
    inventory_settings: null,
    roles: [
      role({ id, name: '@everyone', permissions: EVERYONE_PERMISSIONS }),
      role({ id: botRoleId, name: bot.username, permissions: '414464723008', position: 1, managed: true, tags: { bot_id: bot.id } }),
      ...extraRoles,
    ],
    emojis: [],
    stickers: [],
    soundboard_sounds: [],
    // GUILD_CREATE-only fields
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: 2 + extraMembers.length,
    voice_states: [],
    members: [{ ...makeMember(bot, [botRoleId]), joined_at: joinedAt }, ...extraMembers],
    channels,
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    embedded_activities: [],
    activity_instances: [],
    application_command_counts: {},
    lazy: true,
    version: Date.now(),
  };
}
