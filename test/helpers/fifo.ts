import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface FifoBarrier {
  /** Resolves once a reader has opened the pipe; rejects if `task` settles first (it never read its input). */
  openedBy(task: Promise<unknown>): Promise<void>;
  /**
   * Ends the pipe: the reader's read returns what was written, `bytes` (the file that was held) or
   * nothing (an empty file). Once; later calls wait for that.
   */
  release(bytes?: Uint8Array): Promise<void>;
}

/**
 * A named pipe in place of an input file, to hold a task while it reads that file (a model
 * worker): the read waits until the test releases it. Proves that a task is in flight, and keeps
 * it there, without timing anything.
 */
export function fifoBarrier(path: string): FifoBarrier {
  execFileSync('mkfifo', [path]);
  // Opening a pipe for writing waits for its reader.
  const writer = open(path, 'w');
  let isOpen = false;
  const opened = writer.then(() => {
    isOpen = true;
  });
  let released: Promise<void> | undefined;
  return {
    openedBy: (task) =>
      Promise.race([
        opened,
        task.then(
          (v) => Promise.reject(new Error(`the task ended (${String(v)}) before it opened ${path}`)),
          (err) => Promise.reject(new Error(`the task failed (${String(err)}) before it opened ${path}`)),
        ),
      ]),
    release: (bytes) =>
      (released ??= (async () => {
        // No reader came: be one, so that the open above returns (and write nothing: nobody reads it).
        const reader = isOpen;
        if (!reader) closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
        const handle = await writer;
        if (reader && bytes?.length) await handle.write(bytes);
        await handle.close();
      })()),
  };
}
