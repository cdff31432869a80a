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

const [{ default: sharp }, { makeThumbnail }] = await Promise.all([import('sharp'), import('./picture.js')]);

// libvips' operation cache would keep decoded textures the process never asks for again (each model's images are new).
sharp.cache(false);

// The glTF libraries load with the first model task: a process that only shrinks pictures never pays for them
// (about 0.35 s of CPU and 45 MB). Node loads a module once; later imports are the same module.
let modelTasks = false;
function pipeline(): Promise<typeof import('./pipeline.js')> {
  modelTasks = true;
  return import('./pipeline.js');
}

/** One handler per task kind. */
const handlers: { [K in ModelTask['kind']]: (task: Extract<ModelTask, { kind: K }>) => Promise<TaskResults[K]> } = {
  process: async (task) => (await pipeline()).processModel(task),
  stl: async (task) => (await pipeline()).exportStl(task),
  obj: async (task) => (await pipeline()).exportObj(task),
  thumbnail: makeThumbnail,
};

/** A task's error as the bot sees it; the model libraries' own errors can only come once a model task loaded them. */
async function failed(err: unknown): Promise<WorkerReply> {
  const message = err instanceof Error ? err.message : String(err);
  if (modelTasks) {
    try {
      const { CorruptModelError } = await import('./pipeline.js');
      const { TooComplexError } = await import('./limits.js');
      if (err instanceof CorruptModelError) return { ok: false, failure: 'corrupt', message };
      if (err instanceof TooComplexError) return { ok: false, failure: 'too_complex', message, exceeded: err.exceeded };
    } catch {
      // The libraries did not load (out of memory while loading them): the error says what happened.
    }
  }
  const failure: TaskFailure = isOutOfMemory(err) ? 'memory' : 'error';
  return { ok: false, failure, message };
}

async function run(task: ModelTask): Promise<WorkerReply> {
  try {
    const handler = handlers[task.kind] as (t: ModelTask) => Promise<TaskResults[ModelTask['kind']]>;
    const result = await handler(task);
    return { ok: true, result: { ...result, processPeakRssBytes: process.resourceUsage().maxRSS * 1024 } };
  } catch (err) {
    return failed(err);
  }
}

handle = ({ id, task }) => void run(task).then((reply) => send({ id, reply }));
for (const m of tasks.splice(0)) handle(m);
send({ ready: true });
