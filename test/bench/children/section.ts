// Runs one report section in this process (see `beside` in ../sections.ts): progress lines as
// {"log"} JSON lines, then {"rows"} as the last line.
import { sections } from '../sections.js';

const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as { id: string; quick: boolean };
const section = sections.find((s) => s.ids[0] === input.id);
if (!section) throw new Error(`no section ${input.id}`);
const rows = await section.run({ quick: input.quick, log: (msg) => console.log(JSON.stringify({ log: msg })) });
console.log(JSON.stringify({ rows }));
process.exit(0);
