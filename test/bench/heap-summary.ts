/**
 * What grew in a heap between two V8 heap snapshots, by constructor: count, shallow size and retained
 * size (each class's instances that no other instance of the same class dominates, so nothing is counted
 * twice), from the snapshot's own graph (dominators by Cooper, Harvey and Kennedy; weak edges retain nothing).
 *
 *   BENCH_HEAP_SNAPSHOTS=1 BENCH_BOT_NODE_OPTIONS='--heapsnapshot-signal=SIGUSR2 --max-semi-space-size=1' npm run bench -- --only P4
 *   npx tsx test/bench/heap-summary.ts Heap.…001.heapsnapshot Heap.…002.heapsnapshot [rows]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; root_index?: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ClassFigures {
  count: number;
  shallow: number;
  retained: number;
}

const CLASS_OF_TYPE: Record<string, string> = {
  hidden: '(system)',
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  closure: '(closure)',
  regexp: 'RegExp',
  number: '(number)',
  symbol: '(symbol)',
  bigint: '(bigint)',
  'object shape': '(object shape)',
};

export function summarise(path: string): Map<string, ClassFigures> {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const N = nf.length;
  const E = ef.length;
  const n = s.nodes.length / N;
  const [iType, iName, iSelf, iEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [eType, eTo] = ['type', 'to_node'].map((f) => ef.indexOf(f)) as [number, number];
  const weak = edgeTypes.indexOf('weak');

  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i]! + s.nodes[i * N + iEdges]!;
  const succ = (i: number, visit: (j: number) => void) => {
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e++) {
      if (s.edges[e * E + eType] === weak) continue;
      visit(s.edges[e * E + eTo]! / N);
    }
  };

  // Reverse postorder from the root (node 0), iteratively.
  const order = new Int32Array(n).fill(-1);
  const post: number[] = [];
  const stack: number[] = [0];
  const next = new Uint32Array(n);
  const seen = new Uint8Array(n);
  seen[0] = 1;
  for (let i = 0; i < n; i++) next[i] = firstEdge[i]!;
  while (stack.length) {
    const v = stack[stack.length - 1]!;
    let pushed = false;
    while (next[v]! < firstEdge[v + 1]!) {
      const e = next[v]!++;
      if (s.edges[e * E + eType] === weak) continue;
      const w = s.edges[e * E + eTo]! / N;
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) if (seen[i]) succ(i, (j) => seen[j] && preds[j]!.push(i));

  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = post.length - 1; k >= 0; k--) {
      const v = post[k]!;
      if (v === 0) continue;
      let d = -1;
      for (const p of preds[v]!) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }

  const retained = new Float64Array(n);
  for (let i = 0; i < n; i++) retained[i] = s.nodes[i * N + iSelf]!;
  for (const v of post) if (v !== 0 && idom[v]! >= 0) retained[idom[v]!] = retained[idom[v]!]! + retained[v]!;

  const classOf = (i: number) => {
    const type = nodeTypes[s.nodes[i * N + iType]!]!;
    return type === 'object' || type === 'native' ? s.strings[s.nodes[i * N + iName]!]! : (CLASS_OF_TYPE[type] ?? `(${type})`);
  };
  const out = new Map<string, ClassFigures>();
  for (let i = 1; i < n; i++) {
    if (!seen[i]) continue;
    const c = classOf(i);
    const f = out.get(c) ?? { count: 0, shallow: 0, retained: 0 };
    f.count++;
    f.shallow += s.nodes[i * N + iSelf]!;
    // Count a retained size only at the top of a same-class chain of dominators.
    let d = idom[i]!;
    while (d > 0 && classOf(d) !== c) d = idom[d]!;
    if (d <= 0) f.retained += retained[i]!;
    out.set(c, f);
  }
  return out;
}

if (process.argv[1]?.endsWith('heap-summary.ts')) {
  const [beforePath, afterPath, rowsArg] = process.argv.slice(2);
  if (!beforePath || !afterPath) throw new Error('usage: heap-summary.ts before.heapsnapshot after.heapsnapshot [rows]');
  const before = summarise(beforePath);
  const after = summarise(afterPath);
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  const total = (m: Map<string, ClassFigures>) => [...m.values()].reduce((a, f) => a + f.shallow, 0);
  console.log(`heap: ${kb(total(before))} → ${kb(total(after))}`);
  const rows = [...new Set([...before.keys(), ...after.keys()])]
    .map((c) => {
      const b = before.get(c) ?? { count: 0, shallow: 0, retained: 0 };
      const a = after.get(c) ?? { count: 0, shallow: 0, retained: 0 };
      return { c, b, a, grew: a.retained - b.retained };
    })
    .sort((x, y) => y.grew - x.grew)
    .slice(0, Number(rowsArg ?? 25));
  console.log('constructor | count before → after | shallow before → after | retained before → after (growth)');
  for (const r of rows) {
    console.log(`${r.c.slice(0, 60)} | ${r.b.count} → ${r.a.count} | ${kb(r.b.shallow)} → ${kb(r.a.shallow)} | ${kb(r.b.retained)} → ${kb(r.a.retained)} (${r.grew >= 0 ? '+' : ''}${kb(r.grew)})`);
  }
}
