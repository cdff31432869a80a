import type { Db } from './db.js';

export type ExportKindName = 'stl' | 'obj';

/** Why a member may not start an export now. */
export type ExportRefusal = { limit: 'in_flight' } | { limit: 'hourly'; max: number; retryAt: number };

const HOUR_MS = 3_600_000;

/**
 * Members' STL/OBJ exports: one in flight per member and an hourly cap, decided in one transaction
 * (so two presses, on any process, never both start), and each job's failed exports with why.
 */
export class ExportStore {
  private readonly q = {
    inFlight: `SELECT COUNT(*) AS n FROM member_exports WHERE user_id = @userId AND finished_at IS NULL AND started_at >= @staleBefore`,
    lastHour: `SELECT COUNT(*) AS n, MIN(started_at) AS first FROM member_exports WHERE user_id = @userId AND started_at + ${HOUR_MS} > @at`,
    insert: `INSERT INTO member_exports (user_id, job_id, kind, started_at) VALUES (@userId, @jobId, @kind, @at) RETURNING id`,
    finish: `UPDATE member_exports SET finished_at = @at WHERE id = @id`,
    failure: `SELECT reason FROM job_export_failures WHERE job_id = @jobId AND kind = @kind`,
    recordFailure: `
      INSERT INTO job_export_failures (job_id, kind, reason, failed_at) VALUES (@jobId, @kind, @reason, @at)
      ON CONFLICT (job_id, kind) DO NOTHING`,
  };

  constructor(private readonly db: Db) {}

  /**
   * Starts one export for the member unless one is in flight (started after `staleBefore`, not
   * finished) or `perHour` were started in the last hour; returns the row's id, or the refusal.
   */
  begin(
    o: { userId: string; jobId: number; kind: ExportKindName; at: number; perHour: number; staleBefore: number },
  ): Promise<{ ok: true; id: number } | { ok: false; refusal: ExportRefusal }> {
    return this.db.transaction(async () => {
      const busy = await this.db.get<{ n: number }>(this.q.inFlight, { userId: o.userId, staleBefore: o.staleBefore });
      if (Number(busy?.n ?? 0) > 0) return { ok: false as const, refusal: { limit: 'in_flight' as const } };
      const hour = await this.db.get<{ n: number; first: number | null }>(this.q.lastHour, { userId: o.userId, at: o.at });
      if (Number(hour?.n ?? 0) >= o.perHour) {
        return { ok: false as const, refusal: { limit: 'hourly' as const, max: o.perHour, retryAt: Number(hour!.first) + HOUR_MS } };
      }
      const row = await this.db.get<{ id: number }>(this.q.insert, { userId: o.userId, jobId: o.jobId, kind: o.kind, at: o.at });
      return { ok: true as const, id: Number(row!.id) };
    });
  }

  async finish(id: number, at: number): Promise<void> {
    await this.db.run(this.q.finish, { id, at });
  }

  /** Why this export of the job failed before, or null. */
  async failure(jobId: number, kind: ExportKindName): Promise<string | null> {
    return (await this.db.get<{ reason: string }>(this.q.failure, { jobId, kind }))?.reason ?? null;
  }

  async recordFailure(jobId: number, kind: ExportKindName, reason: string, at: number): Promise<void> {
    await this.db.run(this.q.recordFailure, { jobId, kind, reason, at });
  }
}
