// Bench child for P7 (turntable): renders the generated models in this fresh process and prints their
// figures and the process's peak RSS as one JSON line.
import { measureTripoTurntable, measureTurntable } from '../turntable-figures.js';

const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as { triangles?: number[]; tripo?: boolean };
const figures = [];
for (const t of input.triangles ?? [20_000, 200_000]) figures.push({ ...(await measureTurntable(t)), model: `${t.toLocaleString('en-US')}-triangle bench model` });
if (input.tripo) figures.push({ ...(await measureTripoTurntable()), model: "simulator's Tripo-like model" });
console.log(JSON.stringify({ figures, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
