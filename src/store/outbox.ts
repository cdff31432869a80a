import type { Db } from './db.js';

/**
 * Jobs whose audit-channel record is behind. Processes that do not run the audit reporter
 * queue the jobs they change here; the one that does (shard 0) takes them in order.
 */
export class AuditOutbox {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      queue: db.prepare('INSERT INTO audit_outbox (job_id, queued_at) VALUES (?, ?) ON CONFLICT (job_id) DO NOTHING'),
      take: db.prepare(`
        DELETE FROM audit_outbox WHERE job_id IN (SELECT job_id FROM audit_outbox ORDER BY queued_at LIMIT ?)
        RETURNING job_id`),
    };
  }

  queue(jobId: number, at: number): void {
    this.s.queue.run(jobId, at);
  }

  /** Removes and returns up to `limit` queued job ids, the longest queued first in the batch taken. */
  take(limit: number): number[] {
    return this.s.take.pluck().all(limit) as number[];
  }
}
