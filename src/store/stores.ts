import type { Db } from './db.js';
import { AuditStore } from './audit.js';
import { BudgetStore } from './budget.js';
import { ExportStore } from './exports.js';
import { GalleryStore } from './gallery.js';
import { HistoryStore } from './history.js';
import { JobStore } from './jobs.js';
import { AuditOutbox } from './outbox.js';
import { QuotaStore } from './quota.js';
import { ReportStore } from './reports.js';

/** Every store module on one database: the one way the rest of the bot reaches the tables. */
export interface Stores {
  jobs: JobStore;
  quota: QuotaStore;
  audit: AuditStore;
  history: HistoryStore;
  gallery: GalleryStore;
  reports: ReportStore;
  outbox: AuditOutbox;
  exports: ExportStore;
  /** The upstream rate budget shared by every process on this store. */
  budget: BudgetStore;
}

export interface StoreOptions {
  /** The lease owner this process claims as (see src/config/shards.ts). */
  owner?: string;
  /** How far apart progress edits of one message stay (the messenger's pacing). */
  progressEditGapMs?: number;
}

export function createStores(db: Db, o: StoreOptions = {}): Stores {
  return {
    jobs: new JobStore(db, o.owner, o.progressEditGapMs),
    quota: new QuotaStore(db),
    audit: new AuditStore(db),
    history: new HistoryStore(db),
    gallery: new GalleryStore(db),
    reports: new ReportStore(db),
    outbox: new AuditOutbox(db),
    exports: new ExportStore(db),
    budget: new BudgetStore(db),
  };
}
