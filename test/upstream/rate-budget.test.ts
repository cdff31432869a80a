import { describe, expect, it } from 'vitest';
import { RateBudget, RateBudgetClosedError, type Clock } from '../../src/upstream/index.js';

/** A clock driven by hand: timers fire only in advance(). */
class ManualClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('RateBudget', () => {
  it('spaces a burst of 30 at 10/s over 2.9 s, in FIFO order, with one timer at a time', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(10, clock);
    const order: number[] = [];
    for (let i = 0; i < 30; i++) void budget.take().then(() => order.push(i));
    await flush();
    expect(order).toEqual([0]);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1000);
    expect(order).toHaveLength(11);
    await clock.advance(1799);
    expect(order).toHaveLength(28);
    await clock.advance(101);
    expect(order).toHaveLength(30); // the 30th at t = 2900 ms: at least ~2 s for the burst
    expect(order).toEqual([...Array(30).keys()]);
    expect(clock.pendingTimers).toBe(0);
    expect(budget.pending).toBe(0);
  });

  it('lets an idle caller through at once and honours a larger burst', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(10, clock, { burst: 5 });
    let done = 0;
    for (let i = 0; i < 7; i++) void budget.take().then(() => done++);
    await flush();
    expect(done).toBe(5);
    await clock.advance(200);
    expect(done).toBe(7);
    await clock.advance(10_000);
    let more = 0;
    for (let i = 0; i < 5; i++) void budget.take().then(() => more++);
    await flush();
    expect(more).toBe(5); // refilled to the burst, not beyond
  });

  it('rejects waiters on close and aborts single waiters', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(1, clock);
    await budget.take();
    const ac = new AbortController();
    const aborted = budget.take(ac.signal);
    const waiting = budget.take();
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await clock.advance(1000);
    await expect(waiting).resolves.toBeUndefined(); // took the aborted one's turn
    const last = budget.take();
    budget.close();
    await expect(last).rejects.toBeInstanceOf(RateBudgetClosedError);
    await expect(budget.take()).rejects.toBeInstanceOf(RateBudgetClosedError);
    expect(clock.pendingTimers).toBe(0);
  });

  it('really waits with the system clock (generous bound)', async () => {
    const budget = new RateBudget(100);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => budget.take()));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(270); // 29 gaps of 10 ms
    budget.close();
  });
});
