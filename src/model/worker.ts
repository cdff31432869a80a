import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { CorruptModelError, exportObj, exportStl, processModel } from './pipeline.js';
import type { ModelTask, TaskResults, WorkerReply } from './tasks.js';

// libvips' operation cache belongs to the whole process and outlives this worker: up to 50 MB of
// decoded textures the bot would never ask for again (each model's images are new).
sharp.cache(false);

/** One handler per task kind. The worker takes one task at a time and answers each with one message. */
const handlers: { [K in ModelTask['kind']]: (task: Extract<ModelTask, { kind: K }>) => Promise<TaskResults[K]> } = {
  process: processModel,
  stl: exportStl,
  obj: exportObj,
};

async function run(task: ModelTask): Promise<WorkerReply> {
  try {
    const handler = handlers[task.kind] as (t: ModelTask) => Promise<TaskResults[ModelTask['kind']]>;
    return { ok: true, result: await handler(task) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: err instanceof CorruptModelError ? 'corrupt' : 'error', message };
  }
}

parentPort!.on('message', (task: ModelTask) => {
  void run(task).then((reply) => parentPort!.postMessage(reply));
});
