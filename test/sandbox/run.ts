// `npm run sandbox`: the real bot against a fake Discord and the DMXAPI simulator, one scripted /model3d,
// printed as a timeline of the actual traffic. No network, no credentials. See README.md beside this file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotProcess, World, samplePng } from '../e2e/harness.js';
import { SUBMIT_TOKENS, type SimCall } from '../fakes/dmxapi/index.js';
import type { ChatInputOptions, FakeMessage } from '../fakes/discord/index.js';
import { ansi, compactLogLine, discordEvent, dmxapiEvent, formatBytes, formatEvent, plain, shortUrl, type TimelineEvent } from './format.js';
import { USAGE, parseOptions, type SandboxOptions } from './options.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Events are printed in time order once they are this old (the two fakes report at slightly different moments). */
const SETTLE_MS = 120;

const style = process.stdout.isTTY && !process.env.NO_COLOR ? ansi : plain;
const say = (s = '') => process.stdout.write(`${s}\n`);

async function withDeadline<T>(what: string, deadline: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const left = Math.max(0, deadline - Date.now());
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), left);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until<T>(what: string, deadline: number, probe: () => T | undefined | null | false, bot: BotProcess): Promise<T> {
  for (;;) {
    const v = probe();
    if (v) return v;
    if (!bot.running) throw new Error(`the bot exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function main(opts: SandboxOptions): Promise<number> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;

  // Simulator calls are reported by its onCall hook as they are answered; Discord requests are polled.
  const taskStatus = new Map<number, string>();
  let onSimCall: (call: SimCall) => void = () => undefined;
  const world = await World.start({
    timeline: { pendingMs: opts.pendingMs, runningMs: opts.runningMs },
    // Fewer, more readable status checks than the e2e tests' 200 ms.
    env: { POLL_INTERVAL_MS: '1000', LOG_LEVEL: 'debug' },
    onDmxapiCall: (call) => onSimCall(call),
    // The Tripo-like model: the whole story of download, stats, shrink and attach.
    model: 'tripo',
  });
  onSimCall = (call) => {
    if (call.kind === 'get' && call.taskId) taskStatus.set(call.seq, world.dmxapi.statusOf(call.taskId));
  };
  const { discord, dmxapi } = world;
  let bot: BotProcess | undefined;
  try {
    say(`Sandbox: fake Discord ${discord.baseUrl}, DMXAPI simulator ${dmxapi.baseUrl}`);
    say(`Task timeline: PENDING ${opts.pendingMs / 1000} s, RUNNING ${opts.runningMs / 1000} s. Starting the bot (npm start)…`);
    bot = new BotProcess(world.env);
    const b = bot;
    await withDeadline('the bot to connect', Math.min(deadline, Date.now() + 30_000), b.waitForLog('connected to Discord', 30_000));
    say(`Bot connected to the fake gateway after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    say('');

    const member = { username: 'member', global_name: 'Member' };
    const users = new Map<string, string>([[discord.botUser.id, discord.botUser.username]]);
    const image = discord.hostFile(samplePng(), { filename: 'sample.png', contentType: 'image/png', width: 256, height: 256 });
    const options: NonNullable<ChatInputOptions['options']> = opts.useUrl ? { url: image.url, quality: opts.quality } : { image, quality: opts.quality };
    const payload = discord.build.chatInput({ name: 'model3d', options, user: member });
    const invoker = (payload as { member?: { user?: { id: string; username: string } } }).member?.user;
    if (invoker) users.set(invoker.id, invoker.username);

    // The timeline: everything after the interaction is dispatched.
    let discordSeen = discord.requests.length;
    let simSeen = dmxapi.calls.length;
    const pending: TimelineEvent[] = [];
    let t0 = Date.now();
    let interactionId = '';
    const collect = () => {
      for (; discordSeen < discord.requests.length; discordSeen++) {
        const r = discord.requests[discordSeen]!;
        const ev = discordEvent(r, { at: r.startedAt, users, ackLatencyMs: discord.interaction(interactionId)?.ackLatencyMs });
        if (ev) pending.push(ev);
      }
      // A call is in `calls` from its arrival; take it once answered, in order.
      for (; simSeen < dmxapi.calls.length; simSeen++) {
        const c = dmxapi.calls[simSeen]!;
        if (c.status === 0 || (c.kind === 'get' && c.taskId && c.status === 200 && !taskStatus.has(c.seq))) break;
        pending.push(dmxapiEvent(c, { taskStatus: taskStatus.get(c.seq), submitTokens: SUBMIT_TOKENS }));
      }
    };
    const flush = (all = false) => {
      collect();
      pending.sort((a, b2) => a.at - b2.at);
      while (pending.length > 0 && (all || pending[0]!.at < Date.now() - SETTLE_MS)) say(formatEvent(pending.shift()!, t0, style));
    };
    const ticker = setInterval(() => flush(), 50);

    try {
      const rec = discord.sendInteraction(payload);
      t0 = rec.sentAt;
      interactionId = rec.id;
      const shown = opts.useUrl ? `url:${shortUrl(image.url)}` : `image:${image.filename}`;
      say(formatEvent({ at: t0, lines: [`/model3d ${shown} quality:${opts.quality}  (sent by @${member.username})`] }, t0, style));

      // Done when the reply carries the GLB and the download button.
      const final = await until(
        'the reply with the model attached and its download button',
        deadline,
        () => {
          const m = discord.originalMessage(rec.token);
          const hasGlb = m?.attachments.some((a) => a.filename === 'model.glb');
          const hasButton = JSON.stringify(m?.components ?? []).includes('"url"');
          return hasGlb && hasButton ? m : undefined;
        },
        b,
      );
      const deliveredAt = Date.now();
      await new Promise((r) => setTimeout(r, 400)); // let the last requests land
      flush(true);
      say('');
      say(style.good(`Delivered ${((deliveredAt - t0) / 1000).toFixed(1)} s after the command, with ${dmxapi.submitCount()} submit and ${dmxapi.getCount()} status check(s).`));
      saveResults(final, opts.out, discord.fileBytes.bind(discord));
    } finally {
      clearInterval(ticker);
      flush(true);
    }

    const stopAt = Date.now();
    await b.signal('SIGTERM');
    const exit = await withDeadline('the bot to stop after SIGTERM', Math.min(deadline + 3000, Date.now() + 10_000), b.exited);
    say(`Bot stopped on SIGTERM in ${((Date.now() - stopAt) / 1000).toFixed(1)} s (exit ${exit.code ?? exit.signal}).`);
    if (exit.code !== 0) throw new Error(`the bot exited with ${exit.code ?? exit.signal} after SIGTERM`);
    return 0;
  } catch (err) {
    say('');
    say(style.bad(`Sandbox failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
    if (bot) {
      say('--- last bot log lines ---');
      for (const line of bot.output.slice(-30)) say(compactLogLine(line));
    }
    return 1;
  } finally {
    await bot?.kill();
    await world.close();
  }
}

function saveResults(final: FakeMessage, out: string, fileBytes: (url: string) => Buffer | undefined): void {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  say('Saved the delivered files:');
  for (const name of ['preview.webp', 'model.glb']) {
    const att = final.attachments.find((a) => a.filename === name);
    const bytes = att && fileBytes(att.url);
    if (!bytes) throw new Error(`the final message has no ${name} attachment`);
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const shown = relative(process.cwd(), path);
    say(`  ${shown.startsWith('..') ? path : shown}  (${formatBytes(bytes.length)})`);
  }
}

let opts: SandboxOptions | null;
try {
  opts = parseOptions(process.argv.slice(2), root);
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}
if (opts === null) {
  say(USAGE);
  process.exit(0);
}
process.once('SIGINT', () => {
  // The harness kills the bot's process group on exit.
  say('\nInterrupted.');
  process.exit(130);
});
const code = await main(opts);
process.exit(code);
