import { readFile } from 'node:fs/promises';
import { thumbnailOf } from '../images/thumbnail.js';
import { writeAtomic } from './atomic.js';
import type { ExportResult, ModelTask } from './tasks.js';

/** The checked picture's thumbnail, written beside it: libvips' memory stays in the model process, not the bot's. */
export async function makeThumbnail(task: Extract<ModelTask, { kind: 'thumbnail' }>): Promise<ExportResult> {
  const webp = await thumbnailOf(await readFile(task.input));
  await writeAtomic(task.output, webp);
  return { file: task.output, bytes: webp.length };
}
