import type { BotProcess, LogLine } from '../../e2e/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The bot's log, parsed once per line. The harness's `bot.logs()` parses every line on each call;
 * with thousands of jobs and a probe every few ms that costs the bench process (which also runs the
 * fake Discord whose clock measures ack latency) tens of ms per probe.
 */
export class BotLog {
  private readonly parsed: LogLine[] = [];
  private readonly counts = new Map<string, number>();
  private scanned = 0;

  constructor(private readonly bot: BotProcess) {}

  /** Every structured line so far. */
  lines(): readonly LogLine[] {
    const out = this.bot.output;
    while (this.scanned < out.length) {
      const line = out[this.scanned++]!;
      if (!line.startsWith('{')) continue;
      try {
        const l = JSON.parse(line) as LogLine;
        this.parsed.push(l);
        this.counts.set(l.msg, (this.counts.get(l.msg) ?? 0) + 1);
      } catch {
        // not a log line
      }
    }
    return this.parsed;
  }

  /** How many lines had this message. */
  count(msg: string): number {
    this.lines();
    return this.counts.get(msg) ?? 0;
  }

  /** Resolves once `probe` holds (checked every `everyMs`); fails if the bot exits or after `timeoutMs`. */
  async until(what: string, timeoutMs: number, probe: () => boolean, everyMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (!this.bot.running) throw new Error(`bot exited while waiting for ${what}\n${this.bot.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.bot.tail()}`);
      await sleep(everyMs);
    }
  }

  /** The first line (from index `from`) that matches, once there is one. */
  async find(match: (l: LogLine) => boolean, timeoutMs: number, from = 0): Promise<LogLine> {
    let found: LogLine | undefined;
    let i = from;
    await this.until('a log line', timeoutMs, () => {
      const all = this.lines();
      for (; i < all.length && !found; i++) if (match(all[i]!)) found = all[i];
      return found !== undefined;
    });
    return found!;
  }
}
