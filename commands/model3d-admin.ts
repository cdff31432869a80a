import {
  ApplicationCommandOptionType as O,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { executeAdmin } from '../src/handlers/admin.js';
import { handleAuditButton } from '../src/handlers/audit-buttons.js';
import { AUDIT_PREFIX } from '../src/audit/record.js';

const member = (description: string, required = true) =>
  ({ type: O.User, name: 'member', description, required }) as const;
const days = (description: string) =>
  ({ type: O.Integer, name: 'days', description, required: false, min_value: 1, max_value: 90 }) as const;

/**
 * Moderator tools. Discord hides the command from members without Manage Server
 * (default_member_permissions = 32); the handler checks the permission again on every use.
 * Upper bounds that depend on the operator's caps are checked at run time, with the allowed range in the refusal.
 */
export const definition = {
  name: 'model3d-admin',
  type: ApplicationCommandType.ChatInput,
  description: 'Moderators: see and steer 3D model usage, limits and spend in this server',
  default_member_permissions: '32',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: O.Subcommand,
      name: 'usage',
      description: "Server totals and top members, or one member's recent jobs",
      options: [member('Show this member’s recent jobs instead of the server totals', false), days('How many days back, today included (default 7)')],
    },
    {
      type: O.SubcommandGroup,
      name: 'limits',
      description: 'Daily allowances, cooldown and jobs at a time',
      options: [
        { type: O.Subcommand, name: 'show', description: 'Show the limits that apply in this server' },
        {
          type: O.Subcommand,
          name: 'set',
          description: "Change this server's limits for members (within the operator's caps)",
          options: [
            { type: O.Integer, name: 'daily', description: 'Credits each member may use per day', required: false, min_value: 0 },
            { type: O.Integer, name: 'cooldown', description: 'Seconds a member must wait between two models', required: false, min_value: 0 },
            { type: O.Integer, name: 'concurrency', description: 'Models one member may have in progress at a time', required: false, min_value: 1 },
          ],
        },
        { type: O.Subcommand, name: 'clear', description: "Go back to the operator's default member allowance, cooldown and concurrency" },
        {
          type: O.Subcommand,
          name: 'role',
          description: 'Give members with a role their own daily allowance (the highest of their roles wins)',
          options: [
            { type: O.Role, name: 'role', description: 'The role', required: true },
            { type: O.Integer, name: 'daily', description: 'Credits per day for members with this role', required: true, min_value: 0 },
          ],
        },
        {
          type: O.Subcommand,
          name: 'role-clear',
          description: 'Remove the daily allowance of a role',
          options: [{ type: O.Role, name: 'role', description: 'The role', required: true }],
        },
      ],
    },
    {
      type: O.Subcommand,
      name: 'grant',
      description: 'Give a member extra credits for today',
      options: [
        member('Who gets the credits'),
        { type: O.Integer, name: 'credits', description: 'How many extra credits', required: true, min_value: 1 },
      ],
    },
    {
      type: O.Subcommand,
      name: 'reset',
      description: 'Give a member back all the credits they used today',
      options: [member('Whose credits to reset')],
    },
    {
      type: O.Subcommand,
      name: 'block',
      description: 'Stop a member from making 3D models in this server',
      options: [
        member('Who to block'),
        { type: O.String, name: 'reason', description: 'Shown to the member when they try', required: false, max_length: 200 },
      ],
    },
    {
      type: O.Subcommand,
      name: 'unblock',
      description: 'Let a blocked member make 3D models again',
      options: [member('Who to unblock')],
    },
    { type: O.Subcommand, name: 'balance', description: "The provider account's balance (when available) and the spend the bot recorded" },
    {
      type: O.Subcommand,
      name: 'export',
      description: "Download this server's jobs as a CSV file, one row per job",
      options: [days('How many days back, today included (default 30)')],
    },
    {
      type: O.SubcommandGroup,
      name: 'gallery',
      description: 'A community gallery: a forum post (or a message) per shared model',
      options: [
        {
          type: O.Subcommand,
          name: 'set',
          description: 'Post shared models in this forum (preferred) or text channel',
          options: [
            {
              type: O.Channel,
              name: 'channel',
              description: 'A forum channel (one post per model) or a text channel (one message per model)',
              required: true,
              channel_types: [ChannelType.GuildForum, ChannelType.GuildText, ChannelType.GuildAnnouncement],
            },
            {
              type: O.String,
              name: 'mode',
              description: 'opt-in (default): members press Share to gallery; all: every finished model is posted',
              required: false,
              choices: [
                { name: 'opt-in', value: 'opt-in' },
                { name: 'all', value: 'all' },
              ],
            },
          ],
        },
        { type: O.Subcommand, name: 'off', description: 'Stop posting models to the gallery (posts already made stay)' },
      ],
    },
    {
      type: O.SubcommandGroup,
      name: 'audit-channel',
      description: 'A channel where every job is recorded, with buttons to remove a result or block a member',
      options: [
        {
          type: O.Subcommand,
          name: 'set',
          description: 'Record every job in this channel',
          options: [
            {
              type: O.Channel,
              name: 'channel',
              description: 'A text channel the bot can post in (moderators only, ideally)',
              required: true,
              channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
            },
          ],
        },
        { type: O.Subcommand, name: 'off', description: 'Stop recording jobs in a channel' },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export async function execute(interaction: ChatInputCommandInteraction, services: Services): Promise<void> {
  await executeAdmin(interaction, services);
}

/** Buttons on audit-channel records: `audit:refund:<jobId>` and `audit:block:<userId>`. */
export const componentPrefix = AUDIT_PREFIX;

export async function handleComponent(interaction: ButtonInteraction, services: Services): Promise<void> {
  await handleAuditButton(interaction, services);
}
