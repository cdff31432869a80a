// Fitting a Tripo-like 35 MB, 50,000-triangle, 3 × 2048 px model under Discord's 10 MiB, measured in a
// fresh process whose pool starts a fresh model process (its peak RSS is the model process's own). Exported for the
// overall bench report; `model-fit.bench.ts` prints it under `npm run bench`. Never part of `npm test`.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tripoGlb, type TripoVariant } from '../fakes/dmxapi/tripo.js';
import { buildGlb } from '../fakes/dmxapi/glb.js';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The Tripo-like model with 2048 px PNG maps grainy enough to weigh about 35 MB. */
export const MODEL_35MB: TripoVariant = { px: 2048, format: 'png', grain: 48 };

export interface ModelFitFigures {
  sourceBytes: number;
  triangles: number;
  texturePx: number;
  budgetBytes: number;
  fittedBytes: number | null;
  steps: string[];
  /** Wall time of the processing task on a warm worker (validation, stats, ladder, output validation). */
  ms: number;
  /** Peak RSS of the model process that did the work. */
  peakRssMb: number;
  /** Peak RSS of the process that ran the pool (the bot's side, which only waits). */
  hostPeakRssMb: number;
  /** p99 event-loop delay of that process's main thread during the task. */
  mainLoopP99Ms: number;
}

/** Builds (or takes from the cache) the 35 MB model and fits it under `limitBytes` less a 100 KB preview. */
export async function benchModelFit(limitBytes = 10 * 1024 * 1024): Promise<ModelFitFigures> {
  const picture = readFileSync(join(root, 'test/fixtures/sample.png'));
  const glb = await tripoGlb(picture, MODEL_35MB);
  const tmp = tempDir('model3d-bench-fit-');
  try {
    const input = join(tmp.dir, 'original.glb');
    const warmup = join(tmp.dir, 'warmup.glb');
    writeFileSync(input, glb);
    writeFileSync(warmup, buildGlb());
    mkdirSync(join(tmp.dir, 'out'), { recursive: true });
    const { modelBudget } = await import('../../src/model/processor.js');
    const budget = modelBudget(limitBytes, 100 * 1024);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(root, 'test/bench/model-fit-child.ts'), input, warmup, join(tmp.dir, 'out'), String(budget)],
      { cwd: root, maxBuffer: 1024 * 1024 },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as ModelFitFigures;
  } finally {
    tmp.cleanup();
  }
}
