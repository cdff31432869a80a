// The shape of the tree in figures (issue 17): rooms, import circles between modules and between
// folders, and the largest files. Only the circle rules are used, so it runs on any checkout:
//   node scripts/arch-figures.mjs            this checkout
//   node scripts/arch-figures.mjs /tmp/old   another one (e.g. `git worktree add /tmp/old <commit>`)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cruise } from 'dependency-cruiser';

const root = process.argv[2] ?? process.cwd();
process.chdir(root);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}
const lines = (f) => readFileSync(f, 'utf8').split('\n').length - 1;
const sources = [...files('src'), ...files('commands')];
const roomOf = (f) => (f.startsWith('commands/') ? 'commands' : /^src\/[^/]+\.ts$/.test(f) ? 'src/*.ts' : f.split('/').slice(0, 2).join('/'));

const rooms = new Map();
for (const f of sources) {
  const r = rooms.get(roomOf(f)) ?? { files: 0, lines: 0 };
  r.files++;
  r.lines += lines(f);
  rooms.set(roomOf(f), r);
}

const ruleSet = {
  forbidden: [
    { name: 'module-circle', severity: 'error', from: { path: '^(src|commands)/' }, to: { circular: true } },
    { name: 'folder-circle', severity: 'error', scope: 'folder', from: { path: '^(src|commands)/' }, to: { circular: true } },
  ],
};
const { output } = await cruise(['src', 'commands'], {
  validate: true,
  ruleSet,
  doNotFollow: { path: 'node_modules' },
  exclude: { path: '(^|/)node_modules/|\\.d\\.ts$' },
  tsPreCompilationDeps: true,
  // Packages are found through their `exports`, as Node finds them.
  enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  tsConfig: { fileName: 'tsconfig.json' },
  outputType: 'json',
});
const result = typeof output === 'string' ? JSON.parse(output) : output;
const violations = result.summary.violations;
const moduleCircles = violations.filter((v) => v.rule.name === 'module-circle');
const folderCircles = violations.filter((v) => v.rule.name === 'folder-circle');

// Arrows between rooms, and the pairs of rooms that import each other.
const arrows = new Set();
for (const m of result.modules) {
  if (!/^(src|commands)\//.test(m.source)) continue;
  for (const d of m.dependencies) {
    if (!/^(src|commands)\//.test(d.resolved)) continue;
    const a = roomOf(m.source);
    const b = roomOf(d.resolved);
    if (a !== b) arrows.add(`${a} -> ${b}`);
  }
}
const mutual = [...arrows].filter((x) => {
  const [a, b] = x.split(' -> ');
  return a < b && arrows.has(`${b} -> ${a}`);
});

console.log(`checkout: ${relative(process.env.INIT_CWD ?? root, root) || '.'}`);
console.log(`\nrooms (${rooms.size}):`);
for (const [r, v] of [...rooms].sort()) console.log(`  ${r.padEnd(16)} ${String(v.files).padStart(3)} files ${String(v.lines).padStart(6)} lines`);
console.log(`\narrows between rooms: ${arrows.size}; pairs of rooms importing each other: ${mutual.length}`);
for (const x of mutual) console.log(`  ${x.replace(' -> ', ' <-> ')}`);
console.log(`\nmodule circles (each edge on a loop): ${moduleCircles.length}`);
for (const v of moduleCircles) console.log(`  ${v.from} -> ${v.to}`);
console.log(`folder circles (each edge on a loop): ${folderCircles.length}`);
for (const v of folderCircles) console.log(`  ${v.from} -> ${v.to}`);
console.log('\nlargest files:');
for (const f of sources.sort((a, b) => lines(b) - lines(a)).slice(0, 12)) console.log(`  ${String(lines(f)).padStart(5)} ${f}`);
