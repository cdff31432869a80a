import type { Db } from './db.js';
import { sqlDialect } from './dialect.js';

/**
 * Jobs whose audit-channel record is behind. Processes that do not run the audit reporter
 * queue the jobs they change here; the one that does (shard 0) takes them in order.
 */
export class AuditOutbox {
  private readonly q;

  constructor(private readonly db: Db) {
    const d = sqlDialect(db.dialect);
    this.q = {
      queue: 'INSERT INTO audit_outbox (job_id, queued_at) VALUES (@jobId, @at) ON CONFLICT (job_id) DO NOTHING',
      take: `
        DELETE FROM audit_outbox WHERE job_id IN (
          SELECT job_id FROM audit_outbox ORDER BY queued_at LIMIT @limit ${d.skipLocked})
        RETURNING job_id`,
    };
  }

  async queue(jobId: number, at: number): Promise<void> {
    await this.db.run(this.q.queue, { jobId, at });
  }

  /** Removes and returns up to `limit` queued job ids, the longest queued first in the batch taken. */
  async take(limit: number): Promise<number[]> {
    return (await this.db.all<{ job_id: number }>(this.q.take, { limit })).map((r) => r.job_id);
  }
}
