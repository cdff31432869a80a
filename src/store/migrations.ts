/** Numbered schema migrations, applied in order at start-up. Never edit one that has shipped; add a new one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'jobs',
    sql: `
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        interaction_id TEXT NOT NULL UNIQUE,
        interaction_token TEXT NOT NULL,
        application_id TEXT NOT NULL,
        guild_id TEXT,
        channel_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        locale TEXT NOT NULL DEFAULT 'en-US',
        message_id TEXT,
        image_url TEXT NOT NULL,
        image_source TEXT NOT NULL CHECK (image_source IN ('attachment', 'url')),
        image_name TEXT,
        quality TEXT NOT NULL CHECK (quality IN ('standard', 'detailed')),
        cost INTEGER NOT NULL DEFAULT 1,
        attachment_size_limit INTEGER NOT NULL DEFAULT 10485760,
        state TEXT NOT NULL,
        task_id TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        submitted_at INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        deadline_at INTEGER NOT NULL,
        poll_count INTEGER NOT NULL DEFAULT 0,
        poll_failures INTEGER NOT NULL DEFAULT 0,
        next_check_at INTEGER,
        model_url TEXT,
        preview_url TEXT,
        result_expires_at INTEGER,
        model_file TEXT,
        model_bytes INTEGER,
        preview_file TEXT,
        error_code TEXT,
        error_message TEXT,
        total_tokens INTEGER,
        render_version INTEGER NOT NULL DEFAULT 0,
        delivered_version INTEGER NOT NULL DEFAULT 0,
        last_edit_at INTEGER,
        next_delivery_at INTEGER,
        delivery_attempts INTEGER NOT NULL DEFAULT 0,
        delivery_route TEXT,
        delivery_error TEXT,
        reply_gone INTEGER NOT NULL DEFAULT 0
      );
      -- The poller's claim: due checks of active jobs.
      CREATE INDEX jobs_due_checks ON jobs (next_check_at) WHERE state IN ('queued', 'running');
      -- The delivery pass: messages that are behind the job's state.
      CREATE INDEX jobs_due_deliveries ON jobs (next_delivery_at) WHERE render_version > delivered_version;
      -- Schedule history: recent finished jobs per quality.
      CREATE INDEX jobs_finished ON jobs (quality, state, finished_at);
      CREATE INDEX jobs_user ON jobs (user_id, created_at);
      CREATE INDEX jobs_guild ON jobs (guild_id, created_at);
    `,
  },
  {
    version: 2,
    name: 'quota and moderation',
    sql: `
      -- The quota ledger besides the jobs table: one row per grant, reset or moderator refund.
      -- credits > 0 gives credits back to the member for the day that contains applies_at.
      CREATE TABLE quota_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('grant', 'reset', 'refund')),
        credits INTEGER NOT NULL,
        job_id INTEGER REFERENCES jobs (id),
        moderator_id TEXT NOT NULL,
        note TEXT,
        applies_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX quota_ledger_user ON quota_ledger (user_id, applies_at);
      CREATE UNIQUE INDEX quota_ledger_one_refund ON quota_ledger (job_id) WHERE kind = 'refund';
      -- Per-server overrides (NULL = the operator's default) and the audit channel.
      CREATE TABLE guild_settings (
        guild_id TEXT PRIMARY KEY,
        user_daily INTEGER,
        cooldown_s INTEGER,
        max_concurrent INTEGER,
        audit_channel_id TEXT,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE guild_role_allowances (
        guild_id TEXT NOT NULL,
        role_id TEXT NOT NULL,
        daily INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (guild_id, role_id)
      );
      CREATE TABLE guild_blocks (
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        reason TEXT,
        moderator_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, user_id)
      );
      -- The audit channel's record of each job, edited as the job changes.
      CREATE TABLE audit_messages (
        job_id INTEGER PRIMARY KEY REFERENCES jobs (id),
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX audit_messages_message ON audit_messages (message_id);
      -- Every moderator change, with who made it.
      CREATE TABLE admin_actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT NOT NULL,
        moderator_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_id TEXT,
        details TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL
      );
      CREATE INDEX admin_actions_guild ON admin_actions (guild_id, created_at);
      -- The global daily limit sums all jobs of a day.
      CREATE INDEX jobs_created ON jobs (created_at);
    `,
  },
  {
    version: 3,
    name: 'stored files by age',
    sql: `
      -- Retention: finished jobs that still hold downloaded files, oldest first.
      CREATE INDEX jobs_stored_files ON jobs (finished_at)
        WHERE model_file IS NOT NULL OR preview_file IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'token clearing and refused result downloads',
    sql: `
      -- Clearing tokens past their life ('' = cleared): only rows that still hold one.
      CREATE INDEX jobs_live_tokens ON jobs (created_at) WHERE interaction_token <> '';
      -- Why the result files were not downloaded when the address guard refused their link
      -- ('private_address', 'bad_scheme', 'too_many_redirects'); NULL otherwise.
      ALTER TABLE jobs ADD COLUMN files_refused TEXT;
    `,
  },
  {
    version: 5,
    name: 'model post-processing',
    sql: `
      -- The provider's GLB as downloaded (kept for exports, re-sends and bigger limits);
      -- model_file becomes the copy that fits the upload limit.
      ALTER TABLE jobs ADD COLUMN original_file TEXT;
      ALTER TABLE jobs ADD COLUMN original_bytes INTEGER;
      -- NULL: nothing to process; 'pending' (the result message waits for it), 'done' or 'failed'.
      ALTER TABLE jobs ADD COLUMN processing_state TEXT
        CHECK (processing_state IS NULL OR processing_state IN ('pending', 'done', 'failed'));
      ALTER TABLE jobs ADD COLUMN processing_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN next_process_at INTEGER;
      -- JSON: stats, validator counts, the fit steps with sizes, extra artifacts, or why it failed.
      ALTER TABLE jobs ADD COLUMN model_info TEXT;
      CREATE INDEX jobs_due_processing ON jobs (next_process_at) WHERE processing_state = 'pending';
      DROP INDEX jobs_stored_files;
      CREATE INDEX jobs_stored_files ON jobs (finished_at)
        WHERE model_file IS NOT NULL OR preview_file IS NOT NULL OR original_file IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'result actions, titles and the gallery',
    sql: `
      -- A member's own name for the model (embed title, file names) and how they were called then.
      ALTER TABLE jobs ADD COLUMN title TEXT;
      ALTER TABLE jobs ADD COLUMN requester_name TEXT;
      -- A job started from a result's button: which result, and which button (retry or detailed).
      ALTER TABLE jobs ADD COLUMN parent_job_id INTEGER REFERENCES jobs (id);
      ALTER TABLE jobs ADD COLUMN origin TEXT CHECK (origin IN ('retry', 'detailed'));
      -- The requester (or a moderator) deleted the result with its Delete button.
      ALTER TABLE jobs ADD COLUMN deleted_at INTEGER;
      ALTER TABLE jobs ADD COLUMN deleted_by TEXT;
      -- One job at a time per result and button: a second press while it runs starts nothing.
      CREATE UNIQUE INDEX jobs_one_child_in_flight ON jobs (parent_job_id, origin)
        WHERE parent_job_id IS NOT NULL AND state IN ('submitting', 'queued', 'running');
      CREATE TABLE gallery_settings (
        guild_id TEXT PRIMARY KEY,
        channel_id TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('opt-in', 'all')),
        set_at INTEGER NOT NULL,
        set_by TEXT NOT NULL
      );
      -- A job is shared at most once: the row is claimed before anything is posted.
      CREATE TABLE gallery_posts (
        job_id INTEGER PRIMARY KEY REFERENCES jobs (id),
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        thread_id TEXT,
        message_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('posting', 'posted', 'failed', 'removed')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'lease owners and the audit outbox',
    sql: `
      -- Who holds a job's status-check lease (or, while 'submitting', who is submitting it) and
      -- its delivery lease: '<shard ids>/<shard count>:<boot id>'. NULL = nobody.
      -- A check lease ends at next_check_at (only its holder moves it). A delivery lease ends at
      -- delivery_lease_until: state changes move next_delivery_at while a delivery is in flight.
      ALTER TABLE jobs ADD COLUMN check_owner TEXT;
      ALTER TABLE jobs ADD COLUMN delivery_owner TEXT;
      ALTER TABLE jobs ADD COLUMN delivery_lease_until INTEGER;
      -- Jobs whose audit-channel record is behind; written by every process, read by the one
      -- that runs the audit reporter (the process holding shard 0).
      CREATE TABLE audit_outbox (
        job_id INTEGER PRIMARY KEY REFERENCES jobs (id),
        queued_at INTEGER NOT NULL
      );
    `,
  },
];
