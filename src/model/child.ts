// The model process (started by pool.ts through spawn.ts): it takes one task at a time over its IPC
// channel and answers each with one message. It lives only as long as the bot wants it: it exits when
// the channel closes (the bot stopped it, or the bot died), and ignores the terminal's and the group's
// SIGINT/SIGTERM, so that a task in flight is only ever stopped by the bot itself.
import type { FromChild, ModelTask, TaskFailure, TaskResults, ToChild, WorkerReply } from './tasks.js';
import { isOutOfMemory } from './tasks.js';

const send = (m: FromChild) => process.send!(m);
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

// The listener is in place before the heavy libraries load; the bot sends a task once told "ready".
const tasks: ToChild[] = [];
let handle: ((m: ToChild) => void) | undefined;
process.on('message', (m: ToChild) => (handle ? handle(m) : tasks.push(m)));

const [{ default: sharp }, { CorruptModelError, exportObj, exportStl, makeThumbnail, processModel }, { TooComplexError }] = await Promise.all([
  import('sharp'),
  import('./pipeline.js'),
  import('./limits.js'),
]);

// libvips' operation cache would keep decoded textures the process never asks for again (each model's images are new).
sharp.cache(false);

/** One handler per task kind. */
const handlers: { [K in ModelTask['kind']]: (task: Extract<ModelTask, { kind: K }>) => Promise<TaskResults[K]> } = {
  process: processModel,
  stl: exportStl,
  obj: exportObj,
  thumbnail: makeThumbnail,
};

function failureOf(err: unknown): TaskFailure {
  if (err instanceof CorruptModelError) return 'corrupt';
  if (err instanceof TooComplexError) return 'too_complex';
  return isOutOfMemory(err) ? 'memory' : 'error';
}

async function run(task: ModelTask): Promise<WorkerReply> {
  try {
    const handler = handlers[task.kind] as (t: ModelTask) => Promise<TaskResults[ModelTask['kind']]>;
    const result = await handler(task);
    return { ok: true, result: { ...result, processPeakRssBytes: process.resourceUsage().maxRSS * 1024 } };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: failureOf(err), message, ...(err instanceof TooComplexError ? { exceeded: err.exceeded } : {}) };
  }
}

handle = ({ id, task }) => void run(task).then((reply) => send({ id, reply }));
for (const m of tasks.splice(0)) handle(m);
send({ ready: true });
