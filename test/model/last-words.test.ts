import { describe, expect, it } from 'vitest';
import { LastWords } from '../../src/model/last-words.js';

const oomLine = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
const stack = Array.from({ length: 60 }, (_, i) => ` ${i + 1}: 0xf5144d v8::internal::Builtin_HandleApiCall(int, unsigned long*, v8::internal::Isolate*) [/usr/bin/node]`).join('\n');

describe('a dying model process: what its stderr said', () => {
  it('keeps the out-of-memory line when a native stack trace longer than the tail follows it', () => {
    const w = new LastWords();
    w.push(`<--- Last few GCs --->\n\n${oomLine}\n----- Native stack trace -----\n\n`);
    expect(stack.length).toBeGreaterThan(4096);
    for (let i = 0; i < stack.length; i += 512) w.push(stack.slice(i, i + 512));
    expect(w.outOfMemory).toBe(oomLine);
    expect(w.summary()).toBe(oomLine);
  });

  it('finds the line when it arrives split across two chunks', () => {
    const w = new LastWords();
    w.push('FATAL ERROR: Reached heap li');
    w.push('mit Allocation failed - JavaScript heap out of memory\n');
    expect(w.outOfMemory).toBe(oomLine);
  });

  it('without it, says the last three lines, bounded', () => {
    const w = new LastWords();
    w.push('one\ntwo\nthree\nfour\n');
    expect(w.outOfMemory).toBeUndefined();
    expect(w.summary()).toBe('two | three | four');
    w.push('x'.repeat(10_000));
    expect(w.summary().length).toBe(500);
  });
});
