/**
 * What the bot exports, against what is written about it: every query of the Grafana dashboard
 * names a metric the bot really exports, and the README's table lists every bot metric with its
 * real type and labels.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { registry } from '../../src/metrics/index.js';

const root = new URL('../../', import.meta.url);
const metrics = await registry.getMetricsAsJSON();

/** The series names a scrape can hold: a histogram's name gives _bucket, _sum and _count. */
const exported = new Set(
  metrics.flatMap((m) => (String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])),
);
/** The bot's own metrics (the default process metrics are prom-client's). */
const own = metrics.filter((m) => !m.name.startsWith('model3d_process_') && !m.name.startsWith('model3d_nodejs_'));

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(new URL('docs/grafana-dashboard.json', root), 'utf8')) as { panels: Panel[] };

describe('docs/grafana-dashboard.json', () => {
  it.each(dashboard.panels.map((p) => [p.title, p] as const))('%s: every metric its queries name is exported', (_title, panel) => {
    const names = (panel.targets ?? []).flatMap((t) => t.expr.match(/\bmodel3d_[a-z0-9_]+/g) ?? []);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(exported, name).toContain(name);
  });

  it('has the panels operators asked for', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const name of ['model3d_jobs_in_flight', 'model3d_upstream_calls_total', 'model3d_upstream_budget_limit_per_second', 'model3d_interaction_ack_seconds_bucket', 'model3d_deliveries_total', 'model3d_model_processing_seconds_bucket']) {
      expect(exprs).toContain(name);
    }
  });
});

describe('the README lists every bot metric', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  /** `| \`name\` | type | \`a\`, \`b\` | …` rows. */
  const rows = new Map(
    [...readme.matchAll(/^\| `(model3d_[a-z0-9_]+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => [m[1]!, { type: m[2]!, labels: [...m[3]!.matchAll(/`(\w+)`/g)].map((l) => l[1]!) }]),
  );
  it.each(own.map((m) => [m.name, String(m.type)] as const))('%s', (name, type) => {
    const { labelNames } = registry.getSingleMetric(name) as unknown as { labelNames: string[] };
    expect(rows.get(name), `README row for ${name}`).toEqual({ type, labels: labelNames });
  });

  it('no label could hold an id', () => {
    for (const m of own) {
      const { labelNames } = registry.getSingleMetric(m.name) as unknown as { labelNames: string[] };
      for (const label of labelNames) expect(label).not.toMatch(/user|guild|channel|job|task|interaction|message|id$/);
    }
  });
});
