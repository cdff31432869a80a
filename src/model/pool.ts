import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { LimitExceeded } from '../domain/model-info.js';
import { LastWords } from './last-words.js';
import { spawnModelChild } from './spawn.js';
import type { FromChild, ModelTask, TaskFailure, TaskResults, ToChild, WorkerReply } from './tasks.js';

/** A task that did not produce its result; `failure` says why in one word. */
export class ModelTaskError extends Error {
  override name = 'ModelTaskError';
  constructor(
    readonly failure: TaskFailure,
    message: string,
    /** For 'too_complex': the limit the model is over. */
    readonly exceeded?: LimitExceeded,
  ) {
    super(message);
  }
}

/** The queue of the task's lane is full: nothing was started. `retryAfterMs` estimates when there is room. */
export class ModelPoolBusyError extends ModelTaskError {
  override name = 'ModelPoolBusyError';
  constructor(
    readonly retryAfterMs: number,
    waiting: number,
  ) {
    super('busy', `the model queue is full (${waiting} tasks waiting); try again in about ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/** Why a model process was lost while it was wanted; the next task gets a fresh one. */
export type RestartReason = 'timeout' | 'memory' | 'crashed';

export interface PoolOptions {
  /** Results (kind 'process') that run at once, each in its own model process (MODEL_WORKERS). */
  size: number;
  timeoutMs: number;
  /** V8 heap limit of each model process, MB (--max-old-space-size). */
  memoryMb: number;
  /** OS bound on all the private memory of each model process, MB (see spawn.ts). Default: twice `memoryMb`, at least `memoryMb` + 1024. */
  processMemoryMb?: number;
  /** How long a process with no task is kept for the next one before it is stopped (default IDLE_WORKER_MS). */
  idleMs?: number;
  /** Exports (STL, OBJ) that run at once, in processes of their own beside the results' (default EXPORT_SLOTS). */
  exportSlots?: number;
  /** Tasks that may wait in each lane (results, exports) before the next is refused as busy (default QUEUE_LIMIT). */
  queueLimit?: number;
  /** Called each time a model process is lost (timed out, out of memory, crashed): a counter for the metrics. */
  onRestart?: (reason: RestartReason) => void;
}

/**
 * A process left idle this long is stopped. Results finishing seconds apart share one warm process;
 * after that its memory goes back to the system: a process holds some 80 MB with the glTF libraries
 * loaded, and far more once it has processed a real model. Starting the next one costs about a second of CPU.
 */
const IDLE_WORKER_MS = 5_000;
/** Exports run one at a time, never in a result's slot: a flood of STL/OBJ presses cannot hold results back. */
const EXPORT_SLOTS = 1;
/** Waiting tasks per lane. Results are claimed only as slots free up; exports come from presses. */
const QUEUE_LIMIT = 8;
/**
 * Pictures (thumbnails, one per job started) wait in a lane of their own, one at a time, never behind a
 * model: a burst of jobs queues one small task each (a path), so the lane takes far more.
 */
const PICTURE_QUEUE_LIMIT = 1_000;

/** A process is replaced after this many tasks, so that nothing it holds on to can pile up. */
const TASKS_PER_WORKER = 25;
/** What a task takes before any has been timed, for the first busy estimate. */
const FIRST_TASK_MS = 10_000;

type Lane = 'results' | 'exports' | 'pictures';

const LANES: Record<ModelTask['kind'], Lane> = { process: 'results', stl: 'exports', obj: 'exports', thumbnail: 'pictures' };

interface LaneState {
  slots: number;
  queueLimit: number;
  running: number;
  waiting: { go: () => void; stop: (err: ModelTaskError) => void }[];
  /** Moving average of how long this lane's tasks take, for the busy estimate. */
  typicalMs: number;
}

interface Slot {
  child: ChildProcess;
  tasks: number;
  /** Resolves when the process has loaded its libraries. */
  ready: Promise<void>;
  /** Why the bot is ending this process, when it is the bot's doing. */
  ending?: 'idle' | 'recycle' | 'close' | RestartReason;
  stderr: LastWords;
  idleTimer?: NodeJS.Timeout;
  /** The task in flight, if any: its id and how to answer it. */
  current?: number;
  answer?: (reply: WorkerReply) => void;
  /** Fails the task in flight, if any, when the process dies. */
  fail?: (err: ModelTaskError) => void;
}

/**
 * Runs model tasks off the bot's process: each in a child process (spawn.ts) with a heap limit, an
 * OS bound on all its memory and a time limit, its files passed as paths over IPC. A process that
 * runs over its time is killed; one that runs out of memory or crashes fails only its task; either
 * way the next task gets a fresh process. Processes start on the first task (none at start-up), stay
 * warm for the next task for `idleMs`, then exit, so their memory goes back to the system.
 *
 * Three lanes: results ('process') have `size` slots; exports have slots of their own (`exportSlots`),
 * so a press never takes a result's slot; pictures (thumbnails) have one, so a job's start never waits
 * behind a model. Tasks beyond a lane's slots wait their turn in order, up to `queueLimit` (pictures:
 * PICTURE_QUEUE_LIMIT); beyond that they are refused with ModelPoolBusyError.
 */
export class ModelPool {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Slot>();
  private readonly lanes: Record<Lane, LaneState>;
  private readonly processMemoryMb: number;
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: PoolOptions) {
    const queueLimit = o.queueLimit ?? QUEUE_LIMIT;
    const lane = (slots: number, limit = queueLimit): LaneState => ({ slots, queueLimit: limit, running: 0, waiting: [], typicalMs: FIRST_TASK_MS });
    this.lanes = { results: lane(o.size), exports: lane(o.exportSlots ?? EXPORT_SLOTS), pictures: lane(1, PICTURE_QUEUE_LIMIT) };
    this.processMemoryMb = o.processMemoryMb ?? Math.max(2 * o.memoryMb, o.memoryMb + 1024);
  }

  /** Result slots not taken by running or waiting results: how many finished jobs may be claimed now. */
  get free(): number {
    const r = this.lanes.results;
    return Math.max(0, r.slots - r.running - r.waiting.length);
  }

  /** Model processes alive now (running a task or kept warm for the next). */
  get workers(): number {
    return this.all.size;
  }

  async run<K extends ModelTask['kind']>(task: Extract<ModelTask, { kind: K }>): Promise<TaskResults[K]> {
    const lane = this.lanes[LANES[task.kind]];
    if (this.closed) throw new ModelTaskError('stopped', 'the model pool is closed');
    if (lane.running >= lane.slots) {
      if (lane.waiting.length >= lane.queueLimit) {
        // Every task ahead runs about as long as the lane's recent ones, `slots` at a time.
        const ahead = lane.running + lane.waiting.length;
        throw new ModelPoolBusyError(Math.ceil(ahead / lane.slots) * lane.typicalMs, lane.waiting.length);
      }
      await new Promise<void>((go, stop) => lane.waiting.push({ go, stop }));
    }
    lane.running++;
    const started = Date.now();
    try {
      if (this.closed) throw new ModelTaskError('stopped', 'the model pool is closed');
      const slot = this.idle.pop() ?? this.spawn();
      clearTimeout(slot.idleTimer);
      return (await this.runOn(slot, task)) as TaskResults[K];
    } finally {
      lane.typicalMs = Math.round(0.7 * lane.typicalMs + 0.3 * (Date.now() - started));
      lane.running--;
      lane.waiting.shift()?.go();
    }
  }

  private spawn(): Slot {
    const child = spawnModelChild({ heapMb: this.o.memoryMb, memoryMb: this.processMemoryMb });
    let readyNow!: () => void;
    let notReady!: (err: ModelTaskError) => void;
    const slot: Slot = {
      child,
      tasks: 0,
      stderr: new LastWords(),
      ready: new Promise<void>((resolve, reject) => {
        readyNow = resolve;
        notReady = reject;
      }),
    };
    slot.ready.catch(() => undefined);
    this.all.add(slot);
    child.stderr?.setEncoding('utf8').on('data', (c: string) => slot.stderr.push(c));
    child.on('message', (m: FromChild) => {
      if ('ready' in m) readyNow();
      else if (m.id === slot.current) slot.answer?.(m.reply);
    });
    let gone = false;
    const lost = (err: ModelTaskError) => {
      if (gone) return;
      gone = true;
      clearTimeout(slot.idleTimer);
      this.all.delete(slot);
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle.splice(i, 1);
      notReady(err);
      // Lost while the bot still wanted it: counted as a restart (timeouts are counted where they are decided).
      if (!slot.ending && (err.failure === 'memory' || err.failure === 'crashed')) this.o.onRestart?.(err.failure);
      slot.fail?.(err);
    };
    child.on('error', (err) => lost(new ModelTaskError('crashed', `the model process could not run: ${err.message}`)));
    // 'close', not 'exit': it comes once stderr is read to its end, so V8's last words (out of memory) are in.
    child.on('close', (code, signal) => lost(this.exitError(slot, code, signal)));
    this.setRef(slot, false);
    return slot;
  }

  /** Why a process ended, from what the bot asked of it and what it printed last. */
  private exitError(slot: Slot, code: number | null, signal: NodeJS.Signals | null): ModelTaskError {
    if (this.closed || slot.ending === 'close') return new ModelTaskError('stopped', 'the model pool was closed');
    if (slot.ending === 'timeout') return new ModelTaskError('timeout', `took longer than ${this.o.timeoutMs} ms`);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const last = slot.stderr.summary();
    // A SIGKILL the bot did not send is, on Linux, almost always the kernel's out-of-memory killer.
    const failure = slot.stderr.outOfMemory !== undefined || signal === 'SIGKILL' ? 'memory' : 'crashed';
    return new ModelTaskError(failure, `the model process exited (${how}) before answering${last ? `: ${last}` : ''}`);
  }

  /** An idle process never keeps the bot alive. */
  private setRef(slot: Slot, ref: boolean): void {
    const handles = [slot.child, slot.child.channel, slot.child.stderr as (Readable & { ref?: () => void; unref?: () => void }) | null];
    for (const h of handles) (ref ? h?.ref?.() : h?.unref?.());
  }

  private end(slot: Slot, why: NonNullable<Slot['ending']>): void {
    slot.ending ??= why;
    slot.child.kill('SIGKILL');
  }

  private runOn(slot: Slot, task: ModelTask): Promise<TaskResults[ModelTask['kind']]> {
    slot.tasks++;
    this.setRef(slot, true);
    return new Promise<TaskResults[ModelTask['kind']]>((resolve, reject) => {
      const id = this.nextId++;
      slot.current = id;
      const done = (fn: () => void) => {
        clearTimeout(timer);
        slot.current = undefined;
        slot.answer = undefined;
        slot.fail = undefined;
        fn();
      };
      const timer = setTimeout(() => {
        done(() => reject(new ModelTaskError('timeout', `took longer than ${this.o.timeoutMs} ms`)));
        this.o.onRestart?.('timeout');
        this.end(slot, 'timeout');
      }, this.o.timeoutMs);
      slot.answer = (reply) =>
        done(() => {
          this.setRef(slot, false);
          if (!reply.ok && reply.failure === 'memory') {
            // An allocation failed inside the process: what it holds is suspect; the next task gets a fresh one.
            this.o.onRestart?.('memory');
            this.end(slot, 'memory');
          } else if (slot.tasks >= TASKS_PER_WORKER || this.closed) this.end(slot, 'recycle');
          else this.keepIdle(slot);
          if (reply.ok) resolve(reply.result);
          else reject(new ModelTaskError(reply.failure, reply.message, reply.exceeded));
        });
      slot.fail = (err) => done(() => reject(err));
      const lostChannel = (err: Error | null) => err && slot.fail?.(new ModelTaskError('crashed', `the model process's channel closed: ${err.message}`));
      slot.ready.then(
        () => {
          if (!slot.answer) return;
          try {
            slot.child.send({ id, task } satisfies ToChild, lostChannel);
          } catch (err) {
            lostChannel(err as Error);
          }
        },
        () => undefined, // the exit handler has failed the task already
      );
    });
  }

  private keepIdle(slot: Slot): void {
    this.idle.push(slot);
    slot.idleTimer = setTimeout(() => this.end(slot, 'idle'), this.o.idleMs ?? IDLE_WORKER_MS);
    slot.idleTimer.unref();
  }

  /** Stops every process; a task in flight or waiting fails as 'stopped' (its job resumes after restart). */
  async close(): Promise<void> {
    this.closed = true;
    for (const lane of Object.values(this.lanes)) {
      for (const w of lane.waiting.splice(0)) w.stop(new ModelTaskError('stopped', 'the model pool is closed'));
    }
    const exits = [...this.all].map((s) => new Promise<void>((r) => (s.child.exitCode !== null || s.child.signalCode !== null ? r() : s.child.once('exit', () => r()))));
    for (const s of this.all) {
      // Held until it has exited, or an idle (unref'd) process would let the bot's loop end first.
      this.setRef(s, true);
      this.end(s, 'close');
    }
    await Promise.all(exits);
  }
}
