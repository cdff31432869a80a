import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartQueue } from '../../src/jobs/start-queue.js';

/** Lets every pending callback and microtask run: several turns of the real event loop. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** A job's start, logged when its turn comes. */
function job(q: StartQueue, id: string, events: string[]): Promise<void> {
  return q.turn(id).then(() => void events.push(`start ${id}`));
}

describe('the start queue: acknowledgements first', () => {
  afterEach(() => vi.useRealTimers());

  it('starts a lone job at once, without a turn of the event loop', async () => {
    let pauses = 0;
    const q = new StartQueue({ pause: async () => void pauses++ });
    const acked = q.arrived('a');
    acked();
    let started = false;
    const turn = q.turn('a').then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(true);
    expect(pauses).toBe(0);
    await turn;
    // A job that reaches its work before its own first response settled does not wait for itself.
    q.arrived('b');
    await q.turn('b');
    expect(q.waitingForAck).toBe(0);
    expect(pauses).toBe(0);
  });

  it('in a burst, every acknowledgement under way goes before the first job starts', async () => {
    const q = new StartQueue();
    const events: string[] = [];
    const ack = Object.fromEntries(['a', 'b', 'c'].map((id) => [id, q.arrived(id)]));
    const ackNow = (id: string) => {
      events.push(`ack ${id}`);
      ack[id]!();
    };
    ackNow('a');
    const jobs = [job(q, 'a', events)];
    await settle();
    ackNow('c');
    jobs.push(job(q, 'c', events));
    await settle();
    ackNow('b');
    jobs.push(job(q, 'b', events));
    await Promise.all(jobs);
    expect(events).toEqual(['ack a', 'ack c', 'ack b', 'start a', 'start c', 'start b']);
  });

  it('lets the event loop turn between two starts, and counts what arrived meanwhile', async () => {
    const events: string[] = [];
    let late: (() => void) | null = null;
    const q = new StartQueue({
      pause: async () => {
        await new Promise((r) => setImmediate(r));
        events.push('turn');
        // A gateway frame read during the turn after the first start: it arrives before the next start.
        if (events.includes('start a') && !late) {
          late = q.arrived('late');
          events.push('arrived late');
        }
      },
    });
    const first = q.arrived('x');
    const jobs = [job(q, 'a', events), job(q, 'b', events)];
    await settle();
    expect(events).toEqual(['turn']);
    events.push('ack x');
    first();
    await jobs[0];
    await settle();
    expect(events).toEqual(['turn', 'ack x', 'start a', 'turn', 'arrived late']);
    events.push('ack late');
    late!();
    await Promise.all(jobs);
    expect(events.slice(-2)).toEqual(['ack late', 'start b']);
  });

  it('does not hold a waiting job back for interactions that arrive after it reached the head', async () => {
    const q = new StartQueue();
    const events: string[] = [];
    const ackB = q.arrived('b');
    q.arrived('a');
    const a = job(q, 'a', events);
    await settle();
    // A steady stream: one more arrives, and is still pending, when the head's barrier clears.
    const ackC = q.arrived('c');
    events.push('ack b');
    ackB();
    await a;
    expect(events).toEqual(['ack b', 'start a']);
    const b = job(q, 'b', events);
    await settle();
    events.push('ack c');
    ackC();
    await b;
    expect(events).toEqual(['ack b', 'start a', 'ack c', 'start b']);
  });

  it("lets jobs go once a pending acknowledgement is past Discord's window", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const q = new StartQueue({ ackWindowMs: 3000 });
    const events: string[] = [];
    q.arrived('stuck');
    const a = job(q, 'a', events);
    await settle();
    vi.advanceTimersByTime(2999);
    await settle();
    expect(events).toEqual([]);
    expect(q.waitingForAck).toBe(1);
    vi.advanceTimersByTime(1);
    await a;
    expect(events).toEqual(['start a']);
    expect(q.waitingForAck).toBe(0);
  });
});
