/** Time source and timers, injectable so that tests can drive time by hand. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class RateBudgetClosedError extends Error {
  override name = 'RateBudgetClosedError';
  constructor() {
    super('rate budget closed');
  }
}

export interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A caller joins the back of `queue`; if `signal` aborts, it leaves it rejected, and `left` runs. */
export function joinQueue(queue: Waiter[], signal: AbortSignal | undefined, left: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject };
    if (signal) {
      waiter.signal = signal;
      waiter.onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal.reason);
        left();
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    queue.push(waiter);
  });
}

/** A waiter that is served or rejected no longer listens to its signal. */
export function detach(w: Waiter): void {
  if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
}

/**
 * What an upstream call waits on: one token per call. This process's own token bucket
 * (RateBudget, for a lone process) or a slice of the budget that every process shares through
 * the store (SharedRateBudget, with SHARDS).
 */
export interface UpstreamBudget {
  /** The limit it keeps, in calls per second (for the whole bot, when shared). */
  readonly perSecond: number;
  /** Callers waiting for a token in this process. */
  readonly pending: number;
  /** Resolves when the caller may make one call. Rejects if the budget is closed or the signal aborts. */
  take(signal?: AbortSignal): Promise<void>;
  /** Rejects every waiter and every later take(). Idempotent. */
  close(): void;
}

export interface RateBudgetOptions {
  /** How many calls may go at once after a quiet period. Default 1: calls are evenly spaced. */
  burst?: number;
}

/**
 * A token bucket shared by every upstream call (submits and gets alike).
 * Callers are served strictly first come, first served; waiting is done with a
 * single timer, never by polling.
 */
export class RateBudget implements UpstreamBudget {
  readonly perSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly queue: Waiter[] = [];
  private timer: unknown = null;
  private closed = false;

  constructor(
    perSecond = 10,
    private readonly clock: Clock = systemClock,
    options: RateBudgetOptions = {},
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError('perSecond must be a positive number');
    this.perSecond = perSecond;
    this.burst = Math.max(1, options.burst ?? 1);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Callers waiting for a token. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when the caller may make one call. Rejects if the budget is closed or the signal aborts. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new RateBudgetClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const served = joinQueue(this.queue, signal, () => {
      if (this.queue.length === 0) this.cancelTimer();
    });
    this.schedule();
    return served;
  }

  /** Rejects every waiter and every later take(). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer();
    const waiters = this.queue.splice(0);
    for (const w of waiters) {
      detach(w);
      w.reject(new RateBudgetClosedError());
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0 || this.closed) return;
    this.refill();
    const missing = 1 - this.tokens;
    const ms = missing <= 1e-9 ? 0 : Math.ceil((missing * 1000) / this.perSecond);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.drain();
    }, ms);
  }

  private drain(): void {
    if (this.closed) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      const w = this.queue.shift()!;
      detach(w);
      w.resolve();
    }
    this.schedule();
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
