import type { ButtonInteraction, ChatInputCommandInteraction, MessageContextMenuCommandInteraction } from 'discord.js';

/** What an interaction says about the member who sent it: their name here and their roles. */
type AnyInteraction = ChatInputCommandInteraction | MessageContextMenuCommandInteraction | ButtonInteraction;

/** How the member is called in this server (nickname, else global name, else username). */
export function displayNameOf(i: AnyInteraction): string {
  if (i.inCachedGuild()) return i.member.displayName;
  const nick = (i.member as { nick?: string | null } | null)?.nick;
  return nick || i.user.globalName || i.user.username;
}

/** The member's role ids, cached or raw. Includes @everyone when discord.js has the member cached. */
export function roleIdsOf(interaction: AnyInteraction): string[] {
  if (interaction.inCachedGuild()) return [...interaction.member.roles.cache.keys()];
  const roles = (interaction.member as { roles?: unknown } | null)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** Role ids of the member option, from the resolved member (raw or cached). */
export function memberRoleIds(i: ChatInputCommandInteraction, name = 'member'): string[] {
  const m = i.options.getMember(name) as { roles?: unknown } | null;
  if (!m) return [];
  const roles = m.roles as { cache?: Map<string, unknown> } | string[] | undefined;
  if (Array.isArray(roles)) return roles;
  return roles?.cache ? [...roles.cache.keys()] : [];
}
