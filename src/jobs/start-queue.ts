import { setImmediate as nextTurnOfTheLoop } from 'node:timers/promises';

/** Discord's window for a first response: an acknowledgement still pending after it is lost anyway. */
export const ACK_WINDOW_MS = 3000;

export interface StartQueueOptions {
  /** How long an arrival counts as waiting for its acknowledgement at most (default: Discord's 3 s). */
  ackWindowMs?: number;
  /** Lets pending I/O in between two starts (default: the next turn of the event loop, after its poll phase). */
  pause?: () => Promise<unknown>;
}

/**
 * Acknowledgements first: in a burst of interactions, every acknowledgement already under way is
 * sent before the next job's own work (quota reads, picture probes, store writes, the submit) takes
 * the event loop from it.
 *
 * The router reports each interaction as it `arrived()` and again once its first response settled.
 * A job calls `turn()` before its work: alone (nothing queued, no acknowledgement pending) it goes at
 * once; otherwise jobs go one at a time, in order, each after a turn of the event loop (so gateway
 * frames already received are read and their interactions counted) and once every interaction that
 * arrived before it reached the head of the queue is acknowledged. Interactions arriving later do not
 * hold it back, so a steady stream of commands cannot starve the jobs; an acknowledgement pending
 * longer than Discord's window no longer holds anything.
 */
export class StartQueue {
  private readonly ackWindowMs: number;
  private readonly pause: () => Promise<unknown>;
  /** Interactions waiting for their first response, by id, with their arrival number. */
  private readonly pending = new Map<string, { n: number; timer: NodeJS.Timeout }>();
  private arrivals = 0;
  private readonly queue: (() => void)[] = [];
  private draining = false;
  /** The head's barrier and its wake-up, while it waits for acknowledgements. */
  private head: { barrier: number; go: () => void } | null = null;

  constructor(o: StartQueueOptions = {}) {
    this.ackWindowMs = o.ackWindowMs ?? ACK_WINDOW_MS;
    this.pause = o.pause ?? (() => nextTurnOfTheLoop());
  }

  /** An interaction arrived; the returned function (safe to call twice) marks it acknowledged. */
  arrived(id: string): () => void {
    const timer = setTimeout(() => this.acknowledged(id), this.ackWindowMs);
    timer.unref();
    this.pending.set(id, { n: ++this.arrivals, timer });
    return () => this.acknowledged(id);
  }

  /** How many interactions wait for their first response. */
  get waitingForAck(): number {
    return this.pending.size;
  }

  /**
   * Resolves when the job may start its work. `id` is the interaction the job belongs to: reaching
   * its work means its own acknowledgement is behind it (it never waits for itself).
   */
  turn(id?: string): Promise<void> {
    if (id !== undefined) this.acknowledged(id);
    if (!this.draining && this.pending.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      if (!this.draining) void this.drain();
    });
  }

  private acknowledged(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (this.head && !this.blocked(this.head.barrier)) this.head.go();
  }

  private blocked(barrier: number): boolean {
    for (const { n } of this.pending.values()) if (n <= barrier) return true;
    return false;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        await this.pause();
        const barrier = this.arrivals;
        if (this.blocked(barrier)) {
          await new Promise<void>((go) => (this.head = { barrier, go }));
          this.head = null;
        }
        this.queue.shift()!();
      }
    } finally {
      this.draining = false;
    }
  }
}
