import { rename, writeFile } from 'node:fs/promises';

/** Writes next to the destination first, so a crash never leaves half a file under the final name. */
export async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
