import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { ExportStore } from '../../src/store/exports.js';
import { GalleryStore } from '../../src/store/gallery.js';
import { JobStore } from '../../src/store/jobs.js';
import type { Job } from '../../src/domain/job.js';
import { AuditOutbox } from '../../src/store/outbox.js';
import { QuotaStore } from '../../src/store/quota.js';
import { AuditStore } from '../../src/store/audit.js';
import { BudgetStore } from '../../src/store/budget.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

/** A due time the schedule's interpolating quantile once produced (PostgreSQL refused it, SQLite kept it). */
const FRACTION = 1_796_350_440_961.5;
/** The last instant a JS Date can hold: large, but every digit survives. */
const LARGE = 8.64e15;
/** Past Number.MAX_SAFE_INTEGER: its neighbours round to it, so it cannot be stored honestly. */
const UNSAFE = 2 ** 53 + 2;

const refusal = (param: string, v: number) =>
  `SQL parameter @${param} must be a whole number from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}; got ${v}`;

interface Stores {
  db: Db;
  jobs: JobStore;
  quota: QuotaStore;
  audit: AuditStore;
  gallery: GalleryStore;
  exports: ExportStore;
  outbox: AuditOutbox;
  budget: BudgetStore;
  /** A new job row, submitted (queued, its message due) unless told otherwise. */
  job(o?: { submitted?: boolean }): Promise<Job>;
  /** One column of one row, read back as the app's Db returns it. */
  read(table: string, column: string, where: string, params: Record<string, unknown>): Promise<unknown>;
}

/**
 * A column, the public store method that writes it (and the parameter that carries the value), and
 * how the value is read back. `roundTrip` writes `v` into the column and returns what the store keeps.
 */
interface Case {
  column: string;
  param: string;
  roundTrip(s: Stores, v: number): Promise<unknown>;
}

const jobColumn = (s: Stores, id: number, column: string) => s.read('jobs', column, 'id = @id', { id });

const TIME_COLUMNS: Case[] = [
  { column: 'jobs.created_at', param: 'createdAt', roundTrip: async (s, v) => (await s.jobs.insert(newJob({ createdAt: v, deadlineAt: 0 }))).createdAt },
  { column: 'jobs.deadline_at', param: 'deadlineAt', roundTrip: async (s, v) => (await s.jobs.insert(newJob({ createdAt: 0, deadlineAt: v }))).deadlineAt },
  {
    column: 'jobs.updated_at',
    param: 'at',
    roundTrip: async (s, v) => (await s.jobs.setFiles((await s.job()).id, { modelFile: null, modelBytes: null, previewFile: null }, v))?.updatedAt,
  },
  {
    column: 'jobs.submitted_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job({ submitted: false });
      return (await s.jobs.markSubmitted(j.id, `t${j.id}`, 1, v, 0))?.submittedAt;
    },
  },
  {
    column: 'jobs.next_check_at',
    param: 'nextCheckAt',
    // The schedule's own write: the next check after a status check.
    roundTrip: async (s, v) => (await s.jobs.recordCheck((await s.job()).id, 'queued', 0, v))?.nextCheckAt,
  },
  {
    column: 'jobs.started_at',
    param: 'at',
    roundTrip: async (s, v) => (await s.jobs.recordCheck((await s.job()).id, 'running', v, 0))?.startedAt,
  },
  {
    column: 'jobs.finished_at',
    param: 'at',
    roundTrip: async (s, v) => (await s.jobs.finish((await s.job()).id, { state: 'succeeded', at: v }))?.finishedAt,
  },
  {
    column: 'jobs.result_expires_at',
    param: 'resultExpiresAt',
    roundTrip: async (s, v) => (await s.jobs.finish((await s.job()).id, { state: 'succeeded', at: 0, resultExpiresAt: v }))?.resultExpiresAt,
  },
  {
    column: 'jobs.last_edit_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      return (await s.jobs.markDelivered(j.id, j.renderVersion, 'webhook', v))?.lastEditAt;
    },
  },
  {
    column: 'jobs.next_delivery_at',
    param: 'nextAt',
    roundTrip: async (s, v) => (await s.jobs.recordDeliveryFailure((await s.job()).id, 'network', 0, v))?.nextDeliveryAt,
  },
  {
    column: 'jobs.delivery_lease_until',
    param: 'leaseUntil',
    roundTrip: async (s, v) => {
      const j = await s.job();
      expect((await s.jobs.claimDueDeliveries(0, v, 10)).map((c) => c.id)).toContain(j.id);
      return jobColumn(s, j.id, 'delivery_lease_until');
    },
  },
  {
    column: 'jobs.next_process_at',
    param: 'leaseUntil',
    roundTrip: async (s, v) => {
      const j = await s.job();
      const downloaded = { previewFile: null, originalFile: 'original.glb', originalBytes: 1, processingState: 'pending', modelInfo: null } as const;
      await s.jobs.setDownloads(j.id, downloaded, 0);
      expect((await s.jobs.claimDueProcessing(0, v, 10)).map((c) => c.id)).toContain(j.id);
      return jobColumn(s, j.id, 'next_process_at');
    },
  },
  {
    column: 'jobs.deleted_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.jobs.finish(j.id, { state: 'succeeded', at: 0 });
      return (await s.jobs.markDeleted(j.id, 'moderator', v))?.deletedAt;
    },
  },
  {
    column: 'quota_ledger.applies_at',
    param: 'appliesAt',
    roundTrip: async (s, v) => (await s.quota.addLedger(ledger({ appliesAt: v }))).appliesAt,
  },
  {
    column: 'quota_ledger.created_at',
    param: 'createdAt',
    roundTrip: async (s, v) => (await s.quota.addLedger(ledger({ createdAt: v }))).createdAt,
  },
  {
    column: 'guild_settings.updated_at',
    param: 'updatedAt',
    roundTrip: async (s, v) => (await s.quota.updateSettings('g1', { userDaily: 3 }, 'moderator', v)).updatedAt,
  },
  {
    column: 'guild_role_allowances.updated_at',
    param: 'at',
    roundTrip: async (s, v) => {
      await s.quota.setRoleAllowance('g1', 'r1', 3, 'moderator', v);
      return s.read('guild_role_allowances', 'updated_at', 'role_id = @roleId', { roleId: 'r1' });
    },
  },
  {
    column: 'guild_blocks.created_at',
    param: 'createdAt',
    roundTrip: async (s, v) => {
      await s.quota.addBlock({ guildId: 'g1', userId: 'u1', reason: null, moderatorId: 'moderator', createdAt: v });
      return (await s.quota.block('g1', 'u1'))?.createdAt;
    },
  },
  {
    column: 'audit_messages.updated_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.audit.setAuditMessage({ jobId: j.id, guildId: 'g1', channelId: 'c1', messageId: 'm1' }, v);
      return s.read('audit_messages', 'updated_at', 'job_id = @id', { id: j.id });
    },
  },
  {
    column: 'admin_actions.created_at',
    param: 'at',
    roundTrip: async (s, v) => {
      await s.audit.recordAction({ guildId: 'g1', moderatorId: 'moderator', action: 'grant', targetId: null, details: {}, at: v });
      return (await s.audit.recentActions('g1'))[0]?.at;
    },
  },
  {
    column: 'gallery_settings.set_at',
    param: 'at',
    roundTrip: async (s, v) => {
      await s.gallery.set('g1', 'c1', 'all', 'moderator', v);
      return (await s.gallery.settings('g1'))?.setAt;
    },
  },
  {
    column: 'gallery_posts.created_at',
    param: 'at',
    roundTrip: async (s, v) => (await s.gallery.claim((await s.job()).id, 'g1', 'c1', v))?.createdAt,
  },
  {
    column: 'gallery_posts.updated_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.gallery.claim(j.id, 'g1', 'c1', 0);
      await s.gallery.markPosted(j.id, { threadId: null, messageId: 'm1' }, v);
      return (await s.gallery.post(j.id))?.updatedAt;
    },
  },
  {
    column: 'audit_outbox.queued_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.outbox.queue(j.id, v);
      return s.read('audit_outbox', 'queued_at', 'job_id = @id', { id: j.id });
    },
  },
  {
    column: 'member_exports.started_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      const r = await s.exports.begin({ userId: 'u1', jobId: j.id, kind: 'stl', at: v, perHour: 10, staleBefore: Number.MAX_SAFE_INTEGER });
      return r.ok ? s.read('member_exports', 'started_at', 'id = @id', { id: r.id }) : undefined;
    },
  },
  {
    column: 'member_exports.finished_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      const r = await s.exports.begin({ userId: 'u2', jobId: j.id, kind: 'stl', at: 0, perHour: 10, staleBefore: 1 });
      if (!r.ok) return undefined;
      await s.exports.finish(r.id, v);
      return s.read('member_exports', 'finished_at', 'id = @id', { id: r.id });
    },
  },
  {
    column: 'job_export_failures.failed_at',
    param: 'at',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.exports.recordFailure(j.id, 'obj', 'timeout', v);
      return s.read('job_export_failures', 'failed_at', 'job_id = @id', { id: j.id });
    },
  },
];

/** BIGINT sizes, counts and durations: the same rule as times. */
const SIZE_COLUMNS: Case[] = [
  {
    column: 'jobs.took_ms',
    param: 'tookMs',
    roundTrip: async (s, v) => {
      const j = await s.job();
      await s.jobs.finish(j.id, { state: 'succeeded', at: 0, tookMs: v });
      return s.read('jobs', 'took_ms', 'id = @id', { id: j.id });
    },
  },
  {
    // Epoch microseconds: the shared upstream budget's schedule (the first reservation creates the row).
    column: 'rate_budgets.next_us',
    param: 'now',
    roundTrip: async (s, v) => {
      await s.budget.reserve(v, 0, 0);
      return s.read('rate_budgets', 'next_us', 'name = @name', { name: 'upstream' });
    },
  },
  {
    column: 'jobs.attachment_size_limit',
    param: 'attachmentSizeLimit',
    roundTrip: async (s, v) => (await s.jobs.insert(newJob({ attachmentSizeLimit: v }))).attachmentSizeLimit,
  },
  {
    column: 'jobs.total_tokens',
    param: 'totalTokens',
    roundTrip: async (s, v) => {
      const j = await s.job({ submitted: false });
      return (await s.jobs.markSubmitted(j.id, `t${j.id}`, v, 0, 0))?.totalTokens;
    },
  },
  {
    column: 'jobs.model_bytes',
    param: 'modelBytes',
    roundTrip: async (s, v) => (await s.jobs.setFiles((await s.job()).id, { modelFile: 'model.glb', modelBytes: v, previewFile: null }, 0))?.modelBytes,
  },
  {
    column: 'jobs.original_bytes',
    param: 'originalBytes',
    roundTrip: async (s, v) => {
      const f = { previewFile: null, originalFile: 'original.glb', originalBytes: v, processingState: 'failed', modelInfo: null } as const;
      return (await s.jobs.setDownloads((await s.job()).id, f, 0))?.originalBytes;
    },
  },
];

function ledger(o: { appliesAt?: number; createdAt?: number }) {
  return { guildId: 'g1', userId: 'u1', kind: 'grant' as const, credits: 1, jobId: null, moderatorId: 'moderator', note: null, appliesAt: 0, createdAt: 0, ...o };
}

describe.each(BACKENDS)('whole numbers at the store boundary (%s)', (backend) => {
  let store: TestStore;
  let s: Stores;

  beforeEach(async () => {
    store = await openTestStore(backend);
    const db = store.db;
    const jobs = new JobStore(db);
    s = {
      db,
      jobs,
      quota: new QuotaStore(db),
      audit: new AuditStore(db),
      gallery: new GalleryStore(db),
      exports: new ExportStore(db),
      outbox: new AuditOutbox(db),
      budget: new BudgetStore(db),
      job: async ({ submitted = true } = {}) => {
        const j = await jobs.insert(newJob({ createdAt: 0, deadlineAt: 0 }));
        return submitted ? (await jobs.markSubmitted(j.id, `t${j.id}`, 1, 0, 0))! : j;
      },
      read: async (table, column, where, params) =>
        (await db.get<{ v: unknown }>(`SELECT ${column} AS v FROM ${table} WHERE ${where}`, params))?.v,
    };
  });
  afterEach(() => store.cleanup());

  it.each([...TIME_COLUMNS, ...SIZE_COLUMNS].map((c) => [c.column, c] as const))(
    '%s: a fraction and a number past 2^53 are refused by name; 8.64e15 comes back exactly',
    async (_, c) => {
      await expect(c.roundTrip(s, FRACTION)).rejects.toThrow(refusal(c.param, FRACTION));
      await expect(c.roundTrip(s, UNSAFE)).rejects.toThrow(refusal(c.param, UNSAFE));
      expect(await c.roundTrip(s, LARGE)).toBe(LARGE);
    },
  );

  it('covers every time column of the schema', async () => {
    const columns =
      backend === 'sqlite'
        ? await s.db.all<{ t: string; c: string }>(
            `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT IN ('schema_migrations', 'sqlite_sequence')`,
          )
        : await s.db.all<{ t: string; c: string }>(
            `SELECT table_name AS t, column_name AS c FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`,
          );
    const times = columns.map((r) => `${r.t}.${r.c}`).filter((c) => /_(at|until)$/.test(c));
    expect(times.sort()).toEqual(TIME_COLUMNS.map((c) => c.column).sort());
  });

  it('refuses a fractional id, limit or list member before the statement runs', async () => {
    const j = await s.job();
    await expect(s.jobs.get(j.id + 0.5)).rejects.toThrow(refusal('id', j.id + 0.5));
    await expect(s.jobs.claimDueChecks(0, 1000, 2.5)).rejects.toThrow(refusal('limit', 2.5));
    await expect(s.jobs.claimDueChecks(0, 1000, 10, [j.id, 0.5])).rejects.toThrow(refusal('busy', 0.5));
    await expect(s.db.get('SELECT 1 AS one WHERE 1 = @n', { n: Number.NaN })).rejects.toThrow(refusal('n', Number.NaN));
    // Nothing was claimed by the refused calls.
    expect((await s.jobs.claimDueChecks(0, 1000, 10)).map((c) => c.id)).toEqual([j.id]);
  });
});
