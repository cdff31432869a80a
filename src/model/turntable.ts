// The turntable artifact: the loaded model rendered turning once (src/render), written beside the job's
// other files. Runs in the model process, before the fit ladder changes the document, so it shows the
// provider's model as delivered.
import { join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import { renderTurntable } from '../render/turntable.js';
import { TURNTABLE_KIND, TURNTABLE_NAME } from '../domain/files.js';
import type { Artifact } from '../domain/model-info.js';

/** Carried in the process task; null when TURNTABLE=off. */
export interface TurntableSettings {
  size: number;
  timeoutMs: number;
}

export const TURNTABLE_FRAMES = 36;

export async function renderTurntableArtifact(
  doc: Document,
  outDir: string,
  settings: TurntableSettings,
  write: (path: string, data: Uint8Array) => Promise<void>,
): Promise<Artifact> {
  const gif = await renderTurntable(doc, { size: settings.size, frames: TURNTABLE_FRAMES, timeoutMs: settings.timeoutMs });
  const file = join(outDir, TURNTABLE_NAME);
  await write(file, gif);
  return { kind: TURNTABLE_KIND, file, bytes: gif.length };
}
