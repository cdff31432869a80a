import { describe, expect, it } from 'vitest';
import type { BotProcess } from '../e2e/harness.js';
import { BotLog } from './lib/bot-log.js';

/** Stands in for the harness's BotProcess: its output lines as they arrive, and whether it runs. */
function fakeBot() {
  const bot = { output: [] as string[], running: true, tail: () => '' };
  return { bot, log: new BotLog(bot as unknown as BotProcess) };
}
const line = (msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 30, msg, pid: 1, ...extra });

describe('BotLog (the bench reads the bot log once per line)', () => {
  it('counts lines that arrive after earlier reads, and skips output that is not a log line', () => {
    const { bot, log } = fakeBot();
    bot.output.push(line('result delivered'), 'npm notice', '{not json', line('progress shown'));
    expect(log.count('result delivered')).toBe(1);
    bot.output.push(line('result delivered'), line('result delivered'));
    expect(log.count('result delivered')).toBe(3);
    expect(log.count('progress shown')).toBe(1);
    expect(log.lines()).toHaveLength(4);
  });

  it('finds only lines from the given index on, including ones that come later', async () => {
    const { bot, log } = fakeBot();
    bot.output.push(line('processing model', { jobId: 1 }));
    const from = log.lines().length;
    const found = log.find((l) => l.msg === 'processing model', 5000, from);
    setTimeout(() => bot.output.push(line('other'), line('processing model', { jobId: 2 })), 20);
    expect((await found).jobId).toBe(2);
  });

  it('fails when the bot exits while waiting', async () => {
    const { bot, log } = fakeBot();
    setTimeout(() => (bot.running = false), 20);
    await expect(log.until('results', 5000, () => false)).rejects.toThrow(/bot exited while waiting for results/);
  });
});
