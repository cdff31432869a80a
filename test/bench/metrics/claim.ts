/**
 * P5: the poller's claim of due checks on a database with 1,000,000 finished jobs and 1,000 active
 * ones: the real statement (JobStore's own, not a copy), its time per call through the store interface and its plan.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../../src/store/sqlite.js';
import { migrations } from '../../../src/store/migrations.js';
import { JobStore } from '../../../src/store/jobs.js';
import type { BenchContext, Row } from '../lib/report.js';
import { fmtMs, fmtRatio, percentile } from '../lib/stats.js';
import { PROGRESS_EDIT_GAP_MS } from '../../../src/discord/deliver.js';

const HISTORY = 1_000_000;
const ACTIVE = 1_000;
const cacheDir = fileURLToPath(new URL('../../../node_modules/.cache/model3d-bench/', import.meta.url));

/** Builds (once, then cached by schema version) a database with `HISTORY` finished jobs and `ACTIVE` active ones. */
function historyDb(ctx: BenchContext, history = HISTORY): string {
  const version = Math.max(...migrations.map((m) => m.version));
  const path = join(cacheDir, `history-${history}-${ACTIVE}-schema${version}.sqlite`);
  if (existsSync(path)) return path;
  ctx.log(`P5: building a database of ${history.toLocaleString('en-US')} finished jobs (cached in ${cacheDir})`);
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const store = openSqlite(tmp);
  const db = store.raw;
  const day = 86_400_000;
  const start = Date.now() - 365 * day;
  // Finished jobs over the past year: 9 in 10 succeeded, the rest failed; all delivered.
  db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
    INSERT INTO jobs (interaction_id, interaction_token, application_id, guild_id, channel_id, user_id, message_id,
      image_url, image_source, quality, cost, state, task_id, created_at, updated_at, submitted_at, started_at,
      finished_at, deadline_at, poll_count, total_tokens, render_version, delivered_version, delivery_route)
    SELECT 'h' || i, 'token-' || i, '100000000000000001', 'g' || (i % 2500), 'c' || (i % 5000), 'u' || (i % 50000), 'm' || i,
      'https://cdn.example.com/' || i || '.png', 'attachment', CASE WHEN i % 3 THEN 'standard' ELSE 'detailed' END,
      1, CASE WHEN i % 10 THEN 'succeeded' ELSE 'failed' END, 'task-h' || i,
      @start + i * 31, @start + i * 31 + 80000, @start + i * 31 + 500, @start + i * 31 + 2500,
      @start + i * 31 + 80000, @start + i * 31 + 1800000, 8, 35000, 4, 4, 'webhook'
    FROM n WHERE @count > 0`).run({ count: history, start });
  const now = Date.now();
  db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
    INSERT INTO jobs (interaction_id, interaction_token, application_id, guild_id, channel_id, user_id, message_id,
      image_url, image_source, quality, cost, state, task_id, created_at, updated_at, submitted_at, deadline_at,
      next_check_at, render_version, delivered_version)
    SELECT 'a' || i, 'token-a' || i, '100000000000000001', 'g' || (i % 2500), 'c' || (i % 5000), 'u' || i, 'm-a' || i,
      'https://cdn.example.com/a' || i || '.png', 'attachment', 'standard', 1,
      CASE WHEN i % 2 THEN 'queued' ELSE 'running' END, 'task-a' || i,
      @now - 60000, @now - 60000, @now - 59000, @now + 1740000, @now + (i % 100) * 1000, 2, 2
    FROM n`).run({ count: ACTIVE, now });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  renameSync(tmp, path);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  return path;
}

/** Median time per call over `rounds` rounds of `per` calls (ms). */
async function timePerCall(fn: () => Promise<void>, rounds: number, per: number): Promise<number> {
  for (let i = 0; i < per; i++) await fn(); // warm
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < per; i++) await fn();
    samples.push((performance.now() - t) / per);
  }
  return percentile(samples, 50);
}

function plan(db: Database.Database, sql: string, params: Record<string, unknown>): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
}
const claimParams = { now: 0, leaseUntil: 0, limit: 0, busy: '[]', owner: '0/1:bench' };

/** An index search on jobs, and no full scan of jobs (a scan of json_each, the in-flight list, is fine). */
function searchesIndex(lines: string[], index: string): boolean {
  return lines.some((l) => l.startsWith('SEARCH jobs USING INDEX ' + index)) && !lines.some((l) => /^SCAN jobs\b/.test(l));
}

interface Timing {
  claimMs: number;
  batchMs: number;
  idleMs: number;
}

/** The claim as the poller runs it, on one database: 10 due (a usual pass), 50 due (a full batch), none due. */
async function timeClaims(path: string, rounds: number): Promise<Timing & { plans: string[][] }> {
  const store = openSqlite(path);
  const db = store.raw;
  try {
    const jobs = new JobStore(store, undefined, PROGRESS_EDIT_GAP_MS);
    // The store's own statements (private by design; read here, never copied).
    const q = (jobs as unknown as { q: Record<string, string> }).q;
    const plans = [
      plan(db, q.claimChecks!, claimParams),
      plan(db, q.claimDeliveries!, claimParams),
      plan(db, q.recentDurations!, { quality: 'standard', limit: 20 }),
    ];
    const nthDue = db.prepare(`SELECT next_check_at FROM jobs WHERE state IN ('queued', 'running') ORDER BY next_check_at LIMIT 1 OFFSET ?`).pluck();
    // Claims are rolled back so that every call sees the same rows.
    const claimAt = (now: number) => async () => {
      db.exec('BEGIN');
      await jobs.claimDueChecks(now, now + 120_000, 50);
      db.exec('ROLLBACK');
    };
    const claimMs = await timePerCall(claimAt(nthDue.get(9) as number), rounds, 200);
    const batchMs = await timePerCall(claimAt(nthDue.get(60) as number), rounds, 100);
    const idleMs = await timePerCall(async () => void (await jobs.claimDueChecks(0, 120_000, 50)), rounds, 500);
    return { claimMs, batchMs, idleMs, plans };
  } finally {
    await store.close();
  }
}

export async function claimSection(ctx: BenchContext): Promise<Row[]> {
  const rounds = ctx.quick ? 5 : 15;
  const big = await timeClaims(historyDb(ctx), rounds);
  // Baseline in the same run: the same claims on a database with the active jobs and no history.
  const base = await timeClaims(historyDb(ctx, 0), rounds);
  const [claimPlan, deliveryPlan, historyPlan] = big.plans as [string[], string[], string[]];
  const r = big.claimMs / base.claimMs;
  return [
    {
      id: 'P5',
      metric: 'claim due checks at 1,000,000 jobs (10 due; rolled back), ÷ same claim with no history',
      value: `${fmtMs(big.claimMs)}/call (${fmtRatio(r)}); 50 due: ${fmtMs(big.batchMs)} (${fmtRatio(big.batchMs / base.batchMs)}); none due: ${fmtMs(big.idleMs)}`,
      target: '≤ 1 ms',
      pass: big.claimMs <= 1,
      data: { ...big, plans: undefined, baseline: { ...base, plans: undefined }, ratio: r, history: HISTORY, active: ACTIVE },
    },
    {
      id: 'P5',
      metric: 'EXPLAIN QUERY PLAN of the claim (checks; deliveries; history)',
      value: [claimPlan, deliveryPlan, historyPlan].map((p) => p.filter((l) => /jobs/.test(l) && !/PRIMARY KEY/.test(l)).join(', ')).join('; '),
      target: 'index search, no scan',
      pass: searchesIndex(claimPlan, 'jobs_due_checks') && searchesIndex(deliveryPlan, 'jobs_due_deliveries') && searchesIndex(historyPlan, 'jobs_finished'),
      data: { claimPlan, deliveryPlan, historyPlan },
    },
  ];
}
