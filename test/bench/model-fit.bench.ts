// `npm run bench`: fitting a 35 MB, 50,000-triangle, 3 × 2048 px model under 10 MiB, in a model process.
// Prints the figures (time, the worker process's peak RSS, the main thread's event-loop p99); never fails a build.
import { bench, describe } from 'vitest';
import { benchModelFit } from './model-fit.js';

describe('model post-processing', () => {
  bench(
    'fit a 35 MB Tripo-like model under 10 MiB (fresh process, warm worker)',
    async () => {
      const f = await benchModelFit();
      console.log(
        `model fit: ${(f.sourceBytes / 1e6).toFixed(1)} MB, ${f.triangles} triangles, ${f.texturePx} px → ` +
          `${f.fittedBytes === null ? 'did not fit' : `${(f.fittedBytes / 1e6).toFixed(2)} MB`} [${f.steps.join(', ')}] ` +
          `in ${f.ms} ms; peak RSS ${f.peakRssMb} MB; main-thread event-loop p99 ${f.mainLoopP99Ms} ms`,
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0 },
  );
});
