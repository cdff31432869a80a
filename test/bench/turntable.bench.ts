// Turntable rendering, as `npm run bench` figures (never pass/fail). The same measurement runs standalone:
// `npx tsx test/bench/turntable-figures.ts`. Targets on the 2-core machine: ≤ 3 s (20k), ≤ 10 s (200k).
import { bench, describe } from 'vitest';
import { renderTurntable } from '../../src/render/turntable.js';
import { benchModel } from './turntable-figures.js';

const small = await benchModel(20_000);
const large = await benchModel(200_000);

describe('turntable: 36 frames at 320 px, 2048 px texture', () => {
  bench('20,000 triangles', async () => {
    await renderTurntable(small, { size: 320, frames: 36 });
  }, { iterations: 3, time: 0, warmupIterations: 0 });
  bench('200,000 triangles', async () => {
    await renderTurntable(large, { size: 320, frames: 36 });
  }, { iterations: 2, time: 0, warmupIterations: 0 });
});
