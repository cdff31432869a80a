import { RateBudgetClosedError, detach, joinQueue, type Clock, type UpstreamBudget, type Waiter } from './rate-budget.js';

/** Epoch milliseconds: the one time that every process on a machine reads alike (and machines, kept in step by NTP). */
const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The shared schedule (src/store/budget.ts): reserves `lenUs` of it, unless it already reaches past `nowUs + horizonUs`. */
export interface BudgetSlices {
  reserve(nowUs: number, lenUs: number, horizonUs: number): Promise<{ startUs: number } | { nextUs: number }>;
}

export interface SharedRateBudgetOptions {
  /** The whole bot's limit, in calls per second (UPSTREAM_MAX_RPS). */
  perSecond: number;
  slices: BudgetSlices;
  /** Must be the same time in every process: epoch milliseconds (the default, wallClock). */
  clock?: Clock;
  /** A reservation failed (the store did not answer); it is tried again shortly. */
  onError?: (err: unknown) => void;
}

/** A reservation is at most this much of the budget (0.2 s: 2 calls at 10/s, 4 at 20/s). */
const SLICE_SECONDS = 0.2;
/** After a failed reservation, the next is tried this much later. */
const ERROR_RETRY_US = 250_000;
/**
 * A slice starts this far past the time of asking at least, and further when the store's round trips
 * are slower (1.5 times the slowest recent one): it must still be whole when the answer arrives, or
 * its one call no longer fits in it.
 */
const MIN_LEAD_US = 2_000;
const FIRST_LEAD_US = 20_000;
const MAX_LEAD_US = 100_000;
/** A slice's tail, at least and at most: room for a call whose timer fires late (see `tailUs`). */
const MIN_TAIL_US = 2_000;
const MAX_TAIL_US = 20_000;

/**
 * The upstream budget shared by every process on one store (SHARDS, several machines). The store
 * keeps one schedule of calls; a process reserves slices of it for itself (one statement, at most
 * SLICE_SECONDS' worth, only for callers that are waiting) and grants its calls from them locally,
 * first come first served, with one timer. A busy process reserves its next slice before the
 * current one runs out, so it waits on the store once per slice, not per call; an idle one reserves
 * nothing, and everything it does not use goes to the busy ones. A slice is asked for from a little
 * past the time of asking (the lead, learned from the store's round trips): one asked for from the
 * time of asking would be partly past when the answer arrives, and a one-call slice would hold no call.
 * For the same reason a slice holds a tail beyond its calls' intervals: timers fire late, and a call
 * granted a few ms into its slice must still end inside it.
 *
 * Why no 1 s window holds more than `perSecond` calls, across all processes: with i = ⌈10⁶ / perSecond⌉ µs,
 * a process grants a call at time t only inside one of its own slices [s, e), with t + i ≤ e, and
 * at least i after its own previous grant. The store hands out disjoint slices in order (a later
 * slice starts at or after every earlier one's end), so any two grants, of one process or of two,
 * are at least i apart, and perSecond + 1 grants span at least perSecond · i ≥ 1 s: a half-open
 * 1 s window holds at most perSecond. As a token bucket this is capacity 1 refilling at perSecond,
 * which allows C + R − 1 = perSecond calls in such a window (the lone process's RateBudget is the same
 * bucket); any larger burst would have to be paid for with a lower rate. It needs the processes'
 * clocks to agree: machines a few ms apart may bunch calls by that much.
 *
 * No reservation is made while the schedule already reaches more than two slices ahead (the
 * horizon), or one slice for a process that still holds calls: a caller in an idle process gets in
 * before the busy one's next slice, and waits about two slices at most.
 */
export class SharedRateBudget implements UpstreamBudget {
  readonly perSecond: number;
  private readonly intervalUs: number;
  private readonly sliceCalls: number;
  private readonly horizonUs: number;
  /**
   * Room at the end of each slice for a call whose timer fires late: 1.5 times the latest lateness,
   * decaying, within MIN_TAIL_US–MAX_TAIL_US and a quarter interval. It costs its length of the budget
   * for every slice not followed by another of this process's.
   */
  private tailUs = MIN_TAIL_US;
  private readonly maxTailUs: number;
  private readonly clock: Clock;
  private readonly queue: Waiter[] = [];
  /** This process's reserved slices of the schedule (epoch µs), in order. */
  private slices: { start: number; end: number }[] = [];
  /** This process's last grant (epoch µs). */
  private last = Number.NEGATIVE_INFINITY;
  /** How far past the time of asking a reservation starts (the store's round trip, and some). */
  private leadUs = FIRST_LEAD_US;
  private reserving = false;
  /** No reservation before this: the schedule is full up to the horizon, or the store failed. */
  private quietUntil = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(private readonly o: SharedRateBudgetOptions) {
    if (!(o.perSecond > 0) || !Number.isFinite(o.perSecond)) throw new RangeError('perSecond must be a positive number');
    this.perSecond = o.perSecond;
    this.clock = o.clock ?? wallClock;
    this.intervalUs = Math.ceil(1e6 / o.perSecond);
    this.sliceCalls = Math.max(1, Math.round(o.perSecond * SLICE_SECONDS));
    this.horizonUs = 2 * this.sliceCalls * this.intervalUs; // even: its half is whole
    this.maxTailUs = Math.max(MIN_TAIL_US, Math.min(MAX_TAIL_US, Math.floor(this.intervalUs / 4)));
  }

  get pending(): number {
    return this.queue.length;
  }

  take(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new RateBudgetClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const served = joinQueue(this.queue, signal, () => this.pump());
    this.pump();
    return served;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.setTimer(null);
    for (const w of this.queue.splice(0)) {
      detach(w);
      w.reject(new RateBudgetClosedError());
    }
  }

  /** Grants what can be granted now, reserves for the callers still waiting, and sets the one timer. */
  private pump(): void {
    if (this.closed) return;
    const now = Math.floor(this.clock.now() * 1000);
    while (this.queue.length > 0 && this.nextGrant(now) === now) {
      this.last = now;
      const w = this.queue.shift()!;
      detach(w);
      w.resolve();
    }
    const from = Math.max(now, this.last + this.intervalUs);
    this.slices = this.slices.filter((s) => Math.max(s.start, from) + this.intervalUs <= s.end);
    const need = this.queue.length - this.remaining(from);
    if (need > 0 && !this.reserving && now >= this.quietUntil) this.reserve(now, Math.min(need, this.sliceCalls));
    let wake = this.queue.length > 0 ? this.nextGrant(now) ?? Number.POSITIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (need > 0 && !this.reserving) wake = Math.min(wake, this.quietUntil);
    this.setTimer(Number.isFinite(wake) ? wake : null);
  }

  /** The earliest time from `now` at which a grant fits in one of this process's slices. */
  private nextGrant(now: number): number | null {
    for (const s of this.slices) {
      const at = Math.max(s.start, now, this.last + this.intervalUs);
      if (at + this.intervalUs <= s.end) return at;
    }
    return null;
  }

  /** How many grants the reserved slices still hold, from `from` on. */
  private remaining(from: number): number {
    let n = 0;
    for (const s of this.slices) {
      const at = Math.max(s.start, from);
      if (at + this.intervalUs > s.end) continue;
      const k = Math.floor((s.end - at) / this.intervalUs);
      n += k;
      from = at + k * this.intervalUs;
    }
    return n;
  }

  private reserve(now: number, calls: number): void {
    this.reserving = true;
    const len = calls * this.intervalUs + this.tailUs;
    // A process that still holds calls asks only within half the horizon; one that holds none, within all
    // of it. So a caller of an idle process is served before the busy one's next slice, whoever wakes first.
    const holding = this.remaining(Math.max(now, this.last + this.intervalUs)) > 0;
    this.o.slices
      .reserve(now + this.leadUs, len, holding ? this.horizonUs / 2 : this.horizonUs)
      .then(
        (r) => {
          const answered = Math.floor(this.clock.now() * 1000);
          const lead = this.leadUs;
          this.leadUs = Math.min(MAX_LEAD_US, Math.max(MIN_LEAD_US, Math.round(0.9 * lead), Math.round(1.5 * (answered - now))));
          if ('startUs' in r) {
            const from = Math.max(answered, this.last + this.intervalUs);
            const before = this.remaining(from);
            this.add(r.startUs, r.startUs + len);
            // The schedule now reaches at least this far: asking again (holding calls) before then would be refused.
            this.quietUntil = r.startUs + len - this.horizonUs / 2;
            // A slice that holds no call is asked for again at once when it came too late for its lead (the lead
            // has grown since); otherwise (it overlaps this process's own: a store that lost its schedule) not at once.
            const late = r.startUs < answered && this.leadUs > lead;
            if (this.remaining(from) === before && !late) this.quietUntil = Math.max(this.quietUntil, from + this.intervalUs);
          } else {
            this.quietUntil = r.nextUs - (holding ? this.horizonUs / 2 : this.horizonUs);
          }
        },
        (err: unknown) => {
          this.quietUntil = Math.floor(this.clock.now() * 1000) + ERROR_RETRY_US;
          this.o.onError?.(err);
        },
      )
      .finally(() => {
        this.reserving = false;
        this.pump();
      });
  }

  private add(start: number, end: number): void {
    const tail = this.slices[this.slices.length - 1];
    if (tail && tail.end === start) tail.end = end;
    else {
      this.slices.push({ start, end });
      this.slices.sort((a, b) => a.start - b.start);
    }
  }

  private setTimer(atUs: number | null): void {
    if (atUs === this.timerAt && this.timer !== null) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (atUs === null || this.closed) return;
    const ms = Math.max(0, Math.ceil((atUs - this.clock.now() * 1000) / 1000));
    this.timerAt = atUs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      const lateUs = Math.floor(this.clock.now() * 1000) - atUs;
      this.tailUs = Math.min(this.maxTailUs, Math.max(MIN_TAIL_US, Math.round(0.9 * this.tailUs), Math.round(1.5 * lateUs)));
      this.pump();
    }, ms);
  }
}
