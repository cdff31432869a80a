import type { Config } from '../config/index.js';
import { PROXY_SECRET_HEADER } from './proxy.js';
import { Client, GatewayIntentBits, LimitedCollection, Options, type CacheFactory, type CacheWithLimitsOptions, type User } from 'discord.js';

/**
 * What discord.js keeps in memory. The bot answers interactions, whose payloads carry the member,
 * the user and their permissions; it reads no messages and no presences. It keeps guilds, their
 * channels and their roles (a member's roles are resolved through the guild's role cache, which
 * role allowances need), its own member and its own user, and nothing else: with 2,500 servers and
 * thousands of members passing through, the other caches only grow.
 */
const limits: CacheWithLimitsOptions = {
  ApplicationCommandManager: 0,
  ApplicationEmojiManager: 0,
  AutoModerationRuleManager: 0,
  BaseGuildEmojiManager: 0,
  DMMessageManager: 0,
  EntitlementManager: 0,
  GuildBanManager: 0,
  GuildEmojiManager: 0,
  GuildForumThreadManager: 0,
  GuildInviteManager: 0,
  GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
  GuildMessageManager: 0,
  GuildScheduledEventManager: 0,
  GuildStickerManager: 0,
  GuildTextThreadManager: 0,
  MessageManager: 0,
  PresenceManager: 0,
  ReactionManager: 0,
  ReactionUserManager: 0,
  StageInstanceManager: 0,
  ThreadManager: 0,
  ThreadMemberManager: 0,
  UserManager: { maxSize: 0, keepOverLimit: (user: User) => user.id === user.client.user?.id },
  VoiceStateManager: 0,
};

/**
 * One empty cache shared by every manager that keeps nothing: a LimitedCollection of size 0 never
 * stores (its `set` drops the entry), so sharing it changes nothing but memory. discord.js makes one
 * per guild and per channel otherwise (some 20 empty maps a server, 4 KB; 10 MB at 2,500 servers).
 */
const nothing = new LimitedCollection({ maxSize: 0 });
const withLimits = Options.cacheWithLimits(limits);
const cacheLimits: CacheFactory = (managerType, holds, manager) =>
  (limits[manager.name as keyof CacheWithLimitsOptions] ?? limits[managerType.name as keyof CacheWithLimitsOptions]) === 0
    ? (nothing as ReturnType<CacheFactory>)
    : withLimits(managerType, holds, manager);

/**
 * The gateway client: Guilds is the only intent a slash-command bot needs (no privileged intents).
 * The shards are always given, so that discord.js never reads them from the SHARDS variable itself.
 */
export function createDiscordClient(
  discord: Pick<Config['discord'], 'apiUrl' | 'proxySecret'>,
  shards: { shards: number[]; shardCount: number } = { shards: [0], shardCount: 1 },
): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { ...restOptions(discord), timeout: 15_000, retries: 2 },
    makeCache: cacheLimits,
    ...shards,
  });
}

/** Where every REST client of the bot sends its requests, with the shared proxy's secret when one is set. */
export function restOptions(discord: Pick<Config['discord'], 'apiUrl' | 'proxySecret'>): { api: string; headers: Record<string, string> } {
  return { api: discord.apiUrl, headers: discord.proxySecret ? { [PROXY_SECRET_HEADER]: discord.proxySecret } : {} };
}
