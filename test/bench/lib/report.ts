/**
 * One row of the performance report. `pass` is null when the row has no target (a figure shown
 * beside others) or when its measurement is still pending (a hook nobody filled in yet).
 */
export interface Row {
  id: string;
  metric: string;
  /** Human-readable value, e.g. "12.3 ms (0.8× bare discord.js)". */
  value: string;
  target: string;
  pass: boolean | null;
  /** Raw figures for bench-results.json (numbers, so two runs can be compared). */
  data?: Record<string, unknown>;
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Writes a progress line to stderr (the table goes to stdout). */
  log(msg: string): void;
}

export type Section = (ctx: BenchContext) => Promise<Row[]>;

export function mark(pass: boolean | null): string {
  return pass === null ? '…' : pass ? '✓' : '✗';
}

/** A plain-text table with aligned columns (wide characters count as one; fine for a terminal). */
export function formatTable(rows: Row[]): string {
  const head = ['#', 'metric', 'value', 'target', ''];
  const body = rows.map((r) => [r.id, r.metric, r.value, r.target, mark(r.pass)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

/** The same table as Markdown, for the README. */
export function formatMarkdown(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| # | Metric | Value | Target | |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.id} | ${esc(r.metric)} | ${esc(r.value)} | ${esc(r.target)} | ${mark(r.pass)} |`),
  ].join('\n');
}
