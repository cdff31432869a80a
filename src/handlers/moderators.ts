import { PermissionFlagsBits, type ButtonInteraction, type ChatInputCommandInteraction, type User } from 'discord.js';
import { t } from '../i18n/index.js';
import { UserFacingError } from '../discord/user-facing-error.js';
import type { Services } from './services.js';

/** What every moderator tool shares: the permission gate, range checks, and the change log. */
type AnyInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** True only in a server, for a member whose permissions (as Discord computed them for this interaction) include Manage Server. */
export function isModerator(interaction: Pick<AnyInteraction, 'guildId' | 'memberPermissions'>): boolean {
  return interaction.guildId !== null && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) === true;
}

/** Refuses (ephemerally, through the router) anyone who is not a moderator of this server. */
export function assertModerator(interaction: Pick<AnyInteraction, 'guildId' | 'memberPermissions' | 'locale'>): asserts interaction is typeof interaction & { guildId: string } {
  if (interaction.guildId === null) throw new UserFacingError(t(interaction.locale, 'admin.refused.guildOnly'), true);
  if (!isModerator(interaction)) throw new UserFacingError(t(interaction.locale, 'admin.refused.permission'), true);
}

/** Refuses a number outside [min, max], naming the allowed range. */
export function checkRange(locale: string, option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserFacingError(t(locale, 'admin.outOfRange', { option, min, max, value }), true);
  }
  return value;
}

/** Allowed ranges, from the operator's caps. */
export function ranges(q: Services['config']['quota']) {
  return {
    daily: { min: 0, max: q.guildDaily },
    roleDaily: { min: 0, max: q.guildDaily },
    cooldown: { min: q.cooldownS, max: 86_400 },
    concurrency: { min: 1, max: q.maxConcurrent },
    grant: { min: 1, max: Math.max(1, q.guildDaily) },
    days: { min: 1, max: 90 },
  };
}

export const mention = (u: Pick<User, 'id'>) => `<@${u.id}>`;

export async function recordChange(
  s: Services,
  i: ChatInputCommandInteraction | ButtonInteraction,
  action: string,
  targetId: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const guildId = i.guildId!;
  const moderatorId = i.user.id;
  await s.stores.audit.recordAction({ guildId, moderatorId, action, targetId, details, at: s.clock() });
  s.log.info({ guildId, moderatorId, action, targetId, ...details }, 'admin change');
}

/** The member option, refused when the user is not in this server (or is a bot). */
export function requireMember(i: ChatInputCommandInteraction, name = 'member'): User {
  const user = i.options.getUser(name, true);
  if (!i.options.getMember(name)) throw new UserFacingError(t(i.locale, 'admin.unknownMember', { user: mention(user) }), true);
  if (user.bot) throw new UserFacingError(t(i.locale, 'admin.notForBots', { user: mention(user) }), true);
  return user;
}

export function requireRole(i: ChatInputCommandInteraction): { id: string; mention: string } {
  const role = i.options.getRole('role');
  if (!role) throw new UserFacingError(t(i.locale, 'admin.unknownRole'), true);
  if (role.id === i.guildId) throw new UserFacingError(t(i.locale, 'admin.everyoneRole'), true);
  return { id: role.id, mention: `<@&${role.id}>` };
}

/** The numbers a moderator's member-targeted change reports back. */
export async function remainingToday(s: Services, guildId: string, userId: string, roleIds: string[]): Promise<number> {
  return (await s.quota.status({ guildId, userId, roleIds })).remainingToday;
}
