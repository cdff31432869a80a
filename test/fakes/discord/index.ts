export { FakeDiscord, type FakeDiscordOptions, type RequestMatch, type WaitOptions } from './fake-discord.js';
export { Builders, opt, OptionType, DEFAULT_APP_PERMISSIONS, DEFAULT_MEMBER_PERMISSIONS, type ButtonOptions, type ChatInputOptions, type InvokerOptions } from './builders.js';
export { Faults, type FaultHandle, type FaultMatch, type FaultRule } from './faults.js';
export { FakeGateway, type DisconnectOptions, type GatewayStats } from './gateway.js';
export type { GuildSpec } from './guilds.js';
export { MessageFlags, type HostFileOptions } from './store.js';
export { guildIdOnShard, shardOf, snowflake, snowflakeTime } from './snowflake.js';
export type * from './types.js';
