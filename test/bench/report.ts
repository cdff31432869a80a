/**
 * `npm run bench` — the performance report: every metric of issue 11 against its target, one table
 * on stdout, the same figures in bench-results.json. Never fails on a missed target (exit 0);
 * exits 1 only if a measurement itself could not run.
 *
 *   npm run bench                 # full (≤ 10 min on 2 cores)
 *   npm run bench -- --quick      # smaller loads (≤ 2 min)
 *   npm run bench -- --only P5,P6 # some sections
 *   npm run bench -- --markdown   # also print the table as Markdown (for the README)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { formatMarkdown, formatTable, type BenchContext, type Row } from './lib/report.js';
import { repoRoot, runWorker } from './lib/child.js';
import { sections, type SectionDef } from './sections.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const markdown = args.includes('--markdown');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1] ?? '').split(',').map((s) => s.trim().toUpperCase()) : null;

const started = Date.now();
const ctx: BenchContext = {
  quick,
  log: (msg) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`),
};

// The bot sections run `npm start`, which builds dist/ when sources changed; build once up front.
execFileSync(process.execPath, [join(repoRoot, 'scripts/ensure-built.mjs')], { stdio: 'inherit' });

const selected = sections.filter((s) => !only || s.ids.some((id) => only.includes(id)));
const label = (s: SectionDef) => s.ids.join('/');
const rowsOf = new Map<SectionDef, Row[]>();
const failures: string[] = [];
const failed = (s: SectionDef, err: unknown): Row[] => {
  failures.push(`${label(s)}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return [{ id: s.ids[0]!, metric: s.name, value: 'measurement failed (see stderr)', target: '—', pass: false }];
};
const timed = async (s: SectionDef, run: () => Promise<Row[]>) => {
  const t = Date.now();
  ctx.log(`${label(s)}: ${s.name}`);
  rowsOf.set(s, await run().catch((err: unknown) => failed(s, err)));
  ctx.log(`${label(s)}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
};
/** A section in its own process (children/section.ts), its progress lines relayed. */
const inChild = (s: SectionDef) => async () =>
  (await runWorker<{ rows: Row[] }>('section.ts', { id: s.ids[0], quick }, {
    timeoutMs: 20 * 60_000,
    onLine: (line) => line.startsWith('{"log"') && ctx.log((JSON.parse(line) as { log: string }).log),
  })).rows;

const besideOf = (s: SectionDef) => selected.filter((b) => b.beside !== undefined && s.ids.includes(b.beside));
const deferred = new Set(selected.flatMap(besideOf));
for (const s of selected) {
  if (deferred.has(s)) continue;
  await Promise.all([timed(s, () => s.run(ctx)), ...besideOf(s).map((b) => timed(b, inChild(b)))]);
}
const rows = selected.flatMap((s) => rowsOf.get(s) ?? []);

const elapsedS = (Date.now() - started) / 1000;
const meta = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  elapsedS: Number(elapsedS.toFixed(1)),
};
writeFileSync(join(repoRoot, 'bench-results.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);

console.log(`\nmodel3d-bot performance report — ${meta.date}, ${meta.mode}, node ${meta.node}, ${meta.cpus} cores, load ${meta.loadavg.join(' ')}, ${elapsedS.toFixed(0)} s\n`);
console.log(formatTable(rows));
console.log('\n✓ target met  ✗ missed  … pending or no target.  Figures: bench-results.json');
if (markdown) console.log(`\n${formatMarkdown(rows)}`);
for (const f of failures) console.error(`\nmeasurement failed: ${f}`);
process.exit(failures.length ? 1 : 0);
