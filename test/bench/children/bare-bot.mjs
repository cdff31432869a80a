// The baseline for P1: the least a discord.js bot can do, deferring every slash command at once.
// Same library, same fake Discord, same bursts: the bot's own ack latency is reported against this.
import { Client, Events, GatewayIntentBits } from 'discord.js';

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_URL } });
client.on(Events.InteractionCreate, (i) => {
  if (i.isChatInputCommand()) i.deferReply({ withResponse: true }).catch(() => undefined);
});
client.once(Events.ClientReady, () => console.log(JSON.stringify({ msg: 'connected to Discord', pid: process.pid })));
process.once('SIGTERM', () => void client.destroy().then(() => process.exit(0)));
await client.login(process.env.DISCORD_TOKEN);
