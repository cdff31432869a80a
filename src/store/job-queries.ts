import type { SqlDialect } from './dialect.js';
import { sqlList } from './sql.js';
import { ACTIVE_STATES, IN_FLIGHT_STATES, TERMINAL_STATES } from '../domain/job.js';

const TERMINAL = sqlList(TERMINAL_STATES);
const ACTIVE = sqlList(ACTIVE_STATES);
const IN_FLIGHT = sqlList(IN_FLIGHT_STATES);
/** The job's result was taken away: deleted, or removed and refunded by a moderator. */
const REMOVED = `(jobs.deleted_at IS NOT NULL
  OR EXISTS (SELECT 1 FROM quota_ledger l WHERE l.job_id = jobs.id AND l.kind = 'refund'))`;

/**
 * The SQL of the jobs table (JobStore runs it), written once for both dialects.
 *
 * Claims are leases: the claimed rows' due time (next_check_at / next_delivery_at) moves to
 * `leaseUntil`, so no other pass, in this process or any other, takes them before then. A holder
 * that dies lets the lease run out and the job is due again. On PostgreSQL the claim's subquery
 * locks the rows it picks with SKIP LOCKED: concurrent claimers neither wait nor overlap.
 *
 * `gap`: progress edits of one message stay this many ms apart; final edits are not held back.
 */
export function jobQueries(d: SqlDialect, gap: number) {
  const at = 'CAST(@at AS BIGINT)';
  const heldBy = (column: string) =>
    `(substr(${column}, 1, length(CAST(@predecessors AS TEXT))) = @predecessors AND ${column} <> @owner
      OR (CAST(@unowned AS INTEGER) = 1 AND ${column} IS NULL))`;
  return {
    insert: `
      INSERT INTO jobs (interaction_id, interaction_token, application_id, guild_id, channel_id, user_id, locale,
        message_id, image_url, image_source, image_name, quality, cost, attachment_size_limit, state,
        created_at, updated_at, deadline_at, title, requester_name, parent_job_id, origin, check_owner, views, source_message_id)
      VALUES (@interactionId, @interactionToken, @applicationId, @guildId, @channelId, @userId, @locale,
        @messageId, @imageUrl, @imageSource, @imageName, @quality, @cost, @attachmentSizeLimit, 'submitting',
        @createdAt, @createdAt, @deadlineAt, @title, @requesterName, @parentJobId, @origin, @owner, @views, @sourceMessageId)
      RETURNING *`,
    get: 'SELECT * FROM jobs WHERE id = @id',
    byViewToken: 'SELECT * FROM jobs WHERE view_token = @token',
    submitted: `
      UPDATE jobs SET state = 'queued', task_id = @taskId, total_tokens = @totalTokens, submitted_at = @at,
        updated_at = @at, next_check_at = @nextCheckAt, check_owner = NULL,
        render_version = render_version + 1,
        next_delivery_at = ${d.greatest(at, `COALESCE(last_edit_at + ${gap}, 0)`)}
      WHERE id = @id AND state = 'submitting' RETURNING *`,
    finish: `
      UPDATE jobs SET state = @state, finished_at = @at, updated_at = @at, next_check_at = NULL, check_owner = NULL,
        model_url = COALESCE(CAST(@modelUrl AS TEXT), model_url), preview_url = COALESCE(CAST(@previewUrl AS TEXT), preview_url),
        result_expires_at = COALESCE(CAST(@resultExpiresAt AS BIGINT), result_expires_at),
        error_code = @errorCode, error_message = @errorMessage, took_ms = @tookMs,
        render_version = render_version + 1,
        next_delivery_at = CASE WHEN processing_state = 'pending' THEN NULL ELSE ${at} END
      WHERE id = @id AND state NOT IN (${TERMINAL}) RETURNING *`,
    recoverSubmitting: `
      UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
        error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
        render_version = render_version + 1, next_delivery_at = @at
      WHERE state = 'submitting' AND ${heldBy('check_owner')} RETURNING *`,
    abandonSubmitting: `
      UPDATE jobs SET state = 'outcome_unknown', finished_at = @at, updated_at = @at, check_owner = NULL,
        error_code = 'OUTCOME_UNKNOWN', error_message = 'The bot stopped while submitting this job.',
        render_version = render_version + 1, next_delivery_at = @at
      WHERE state = 'submitting' AND deadline_at <= @at AND (check_owner IS NULL OR check_owner <> @owner)
      RETURNING *`,
    claimChecks: `
      UPDATE jobs SET next_check_at = @leaseUntil, check_owner = @owner
      WHERE id IN (
        SELECT id FROM jobs WHERE state IN (${ACTIVE}) AND next_check_at <= @now
          AND NOT (${d.inList('id', 'busy', 'BIGINT')})
        ORDER BY next_check_at LIMIT @limit ${d.skipLocked})
      RETURNING *`,
    recordCheck: `
      UPDATE jobs SET poll_count = poll_count + 1, poll_failures = 0, updated_at = @at, next_check_at = @nextCheckAt,
        state = @state, check_owner = NULL,
        started_at = CASE WHEN @state = 'running' THEN COALESCE(started_at, ${at}) ELSE started_at END,
        render_version = render_version + CASE WHEN state <> @state THEN 1 ELSE 0 END,
        next_delivery_at = CASE WHEN state <> @state
          THEN ${d.greatest(at, `COALESCE(last_edit_at + ${gap}, 0)`)} ELSE next_delivery_at END
      WHERE id = @id AND state IN (${ACTIVE}) RETURNING *`,
    recordCheckFailure: `
      UPDATE jobs SET poll_count = poll_count + 1, poll_failures = poll_failures + 1, updated_at = @at,
        next_check_at = @nextCheckAt, check_owner = NULL
      WHERE id = @id AND state IN (${ACTIVE}) RETURNING *`,
    recentDurations: `
      SELECT COALESCE(took_ms, finished_at - submitted_at) AS took FROM jobs
      WHERE quality = @quality AND state = 'succeeded' AND submitted_at IS NOT NULL AND finished_at IS NOT NULL
      ORDER BY finished_at DESC LIMIT @limit`,
    // The metrics gauge: jobs in flight by state, and results whose model is being processed.
    inFlightByState: `
      SELECT state, COUNT(*) AS n FROM jobs WHERE state IN (${IN_FLIGHT}) GROUP BY state
      UNION ALL SELECT 'processing' AS state, COUNT(*) AS n FROM jobs WHERE processing_state = 'pending'`,
    setMessageId: 'UPDATE jobs SET message_id = @messageId WHERE id = @id AND message_id IS NULL',
    setPictureFile: 'UPDATE jobs SET picture_file = @pictureFile, updated_at = @at WHERE id = @id AND deleted_at IS NULL RETURNING *',
    setFiles: `
      UPDATE jobs SET model_file = @modelFile, model_bytes = @modelBytes, preview_file = @previewFile,
        files_refused = @filesRefused, updated_at = @at WHERE id = @id RETURNING *`,
    claimDeliveries: `
      UPDATE jobs SET delivery_lease_until = @leaseUntil, delivery_owner = @owner
      WHERE id IN (
        SELECT id FROM jobs WHERE render_version > delivered_version AND next_delivery_at <= @now
          AND (processing_state IS NULL OR processing_state <> 'pending')
          AND (delivery_owner IS NULL OR delivery_lease_until <= @now)
          AND NOT (${d.inList('id', 'busy', 'BIGINT')})
        ORDER BY next_delivery_at LIMIT @limit ${d.skipLocked})
      RETURNING *`,
    renewDelivery: `
      UPDATE jobs SET delivery_lease_until = @leaseUntil
      WHERE id = @id AND delivery_owner = @owner AND render_version > delivered_version RETURNING id`,
    delivered: `
      UPDATE jobs SET delivered_version = ${d.greatest('delivered_version', 'CAST(@version AS INTEGER)')}, last_edit_at = @at,
        delivery_route = COALESCE(CAST(@route AS TEXT), delivery_route), delivery_error = NULL, delivery_attempts = 0,
        updated_at = @at, message_id = COALESCE(CAST(@messageId AS TEXT), message_id),
        channel_id = COALESCE(CAST(@channelId AS TEXT), channel_id),
        delivery_owner = NULL,
        reply_gone = CASE WHEN CAST(@messageId AS TEXT) IS NOT NULL THEN 0 ELSE reply_gone END,
        next_delivery_at = CASE
          WHEN render_version <= ${d.greatest('delivered_version', 'CAST(@version AS INTEGER)')} THEN NULL
          WHEN processing_state = 'pending' THEN NULL
          WHEN state IN (${TERMINAL}) THEN ${at}
          ELSE ${at} + ${gap} END
      WHERE id = @id RETURNING *`,
    deliveryFailed: `
      UPDATE jobs SET delivery_attempts = delivery_attempts + 1, delivery_error = @error,
        next_delivery_at = @nextAt, updated_at = @at, delivery_owner = NULL
      WHERE id = @id RETURNING *`,
    giveUpDelivery: `
      UPDATE jobs SET delivered_version = render_version, delivery_error = @error, next_delivery_at = NULL,
        delivery_owner = NULL, updated_at = @at WHERE id = @id RETURNING *`,
    replyGone: 'UPDATE jobs SET reply_gone = 1 WHERE id = @id',
    childInFlight: `
      SELECT * FROM jobs WHERE parent_job_id = @parentId AND origin = @origin AND state IN (${IN_FLIGHT})`,
    latestChild: `
      SELECT * FROM jobs WHERE parent_job_id = @parentId AND origin = @origin AND deleted_at IS NULL ORDER BY id DESC LIMIT 1`,
    markDeleted: `
      UPDATE jobs SET deleted_at = @at, deleted_by = @by, updated_at = @at,
        delivered_version = render_version, next_delivery_at = NULL
      WHERE id = @id AND deleted_at IS NULL AND state IN (${TERMINAL})
      RETURNING *`,
    clearTokens: "UPDATE jobs SET interaction_token = '' WHERE interaction_token <> '' AND created_at <= @createdBefore",
    withStoredFiles: `
      SELECT * FROM jobs WHERE (model_file IS NOT NULL OR preview_file IS NOT NULL OR original_file IS NOT NULL OR picture_file IS NOT NULL)
        AND finished_at < @before
      ORDER BY finished_at LIMIT @limit`,
    forgetFiles: `
      UPDATE jobs SET model_file = NULL, preview_file = NULL, original_file = NULL, picture_file = NULL, model_info = @modelInfo, updated_at = @at,
        -- Nothing is left to process: the model process under way (if any) finds the job taken.
        processing_state = CASE WHEN processing_state = 'pending' THEN 'failed' ELSE processing_state END, next_process_at = NULL
      WHERE id = @id`,
    setDownloads: `
      UPDATE jobs SET preview_file = @previewFile, original_file = @originalFile, original_bytes = @originalBytes,
        model_bytes = @originalBytes, processing_state = @processingState, model_info = @modelInfo,
        files_refused = @filesRefused,
        next_process_at = CASE WHEN CAST(@processingState AS TEXT) = 'pending' THEN ${at} ELSE NULL END, updated_at = @at
      WHERE id = @id RETURNING *`,
    claimProcessing: `
      UPDATE jobs SET next_process_at = @leaseUntil, processing_attempts = processing_attempts + 1
      WHERE id IN (
        SELECT id FROM jobs WHERE processing_state = 'pending' AND next_process_at <= @now
          AND NOT (${d.inList('id', 'busy', 'BIGINT')})
        ORDER BY next_process_at LIMIT @limit ${d.skipLocked})
      RETURNING *`,
    recordProcessing: `
      UPDATE jobs SET processing_state = @state, model_file = @modelFile,
        model_bytes = COALESCE(CAST(@modelBytes AS BIGINT), model_bytes),
        model_info = @modelInfo, next_process_at = NULL, updated_at = @at,
        view_token = COALESCE(view_token, CAST(@viewToken AS TEXT)),
        render_version = render_version + 1, next_delivery_at = @at
      WHERE id = @id AND processing_state = 'pending' AND NOT ${REMOVED} RETURNING *`,
    isRemoved: `SELECT id FROM jobs WHERE id = @id AND ${REMOVED}`,
    existingIds: `SELECT id FROM jobs WHERE ${d.inList('id', 'ids', 'BIGINT')}`,
    // Each MIN is one step along its partial index (the same indexes the claims use).
    nextDue: `
      SELECT (SELECT MIN(next_check_at) FROM jobs WHERE state IN (${ACTIVE})
          AND NOT (${d.inList('id', 'checking', 'BIGINT')})) AS checks,
        -- A delivery another process holds is due when its lease ends, not before.
        (SELECT MIN(CASE WHEN delivery_owner IS NOT NULL AND delivery_lease_until > next_delivery_at
              THEN delivery_lease_until ELSE next_delivery_at END) FROM jobs WHERE render_version > delivered_version
          AND (processing_state IS NULL OR processing_state <> 'pending')
          AND NOT (${d.inList('id', 'delivering', 'BIGINT')})) AS deliveries,
        (SELECT MIN(next_process_at) FROM jobs WHERE processing_state = 'pending'
          AND NOT (${d.inList('id', 'processing', 'BIGINT')})) AS processing`,
    resumeProcessing: `UPDATE jobs SET next_process_at = @now WHERE processing_state = 'pending'`,
    resumeChecks: `
      UPDATE jobs SET next_check_at = @now, check_owner = NULL
      WHERE state IN (${ACTIVE}) AND ${heldBy('check_owner')}`,
    resumeDeliveries: `
      UPDATE jobs SET next_delivery_at = ${d.least('COALESCE(next_delivery_at, CAST(@now AS BIGINT))', 'CAST(@now AS BIGINT)')},
        delivery_owner = NULL
      WHERE render_version > delivered_version AND (processing_state IS NULL OR processing_state <> 'pending')
        AND ${heldBy('delivery_owner')}`,
  };
}

export type JobQueries = ReturnType<typeof jobQueries>;
