import { stat } from 'node:fs/promises';
import type { Services } from './services.js';
import type { Job } from '../domain/job.js';
import { exportPath, type ExportKind } from '../domain/files.js';
import { t } from '../i18n/index.js';
import { ModelPoolBusyError, ModelTaskError } from '../model/pool.js';

/** Failures worth remembering: the same model would fail the same way again. A shutdown is not one. */
const LASTING = new Set(['timeout', 'memory', 'corrupt', 'too_complex', 'crashed', 'error']);
/** An export row older than the task's time limit plus this is not in flight any more (its process died). */
const STALE_MARGIN_MS = 60_000;

/**
 * The one way a member's press becomes an export made in a model worker, with its limits: an export
 * the bot already made is sent again at no cost; one that failed before is answered with why, not
 * tried again; otherwise one export in flight per member and EXPORTS_PER_HOUR an hour, decided in one
 * transaction. Exports share the model workers with results, so these limits keep one member's
 * presses from holding everyone's results back.
 */
export async function makeExport(
  s: Services,
  o: { userId: string; job: Job; kind: ExportKind; locale: string },
): Promise<{ ok: true; file: string; bytes: number } | { ok: false; text: string }> {
  const { job, kind, locale } = o;
  const ready = job.originalFile ? await stat(exportPath(job.originalFile, kind)).catch(() => null) : null;
  if (ready) return { ok: true, file: exportPath(job.originalFile!, kind), bytes: ready.size };
  const failure = await s.stores.exports.failure(job.id, kind);
  if (failure) return { ok: false, text: t(locale, 'export.failedBefore', { id: job.id, kind, failure }) };

  const now = s.clock();
  const begun = await s.stores.exports.begin({
    userId: o.userId,
    jobId: job.id,
    kind,
    at: now,
    perHour: s.config.model.exportsPerHour,
    staleBefore: now - s.config.model.processTimeoutMs - STALE_MARGIN_MS,
  });
  if (!begun.ok) {
    const r = begun.refusal;
    if (r.limit === 'in_flight') return { ok: false, text: t(locale, 'export.busy') };
    return { ok: false, text: t(locale, 'export.hourly', { max: r.max, minutes: Math.max(1, Math.ceil((r.retryAt - now) / 60_000)) }) };
  }
  s.log.info({ jobId: job.id, kind, userId: o.userId }, 'export started');
  try {
    return { ok: true, ...(await s.models.exportFile(job, kind)) };
  } catch (err) {
    // A full queue started nothing: the member may press again once there is room.
    if (err instanceof ModelPoolBusyError) return { ok: false, text: t(locale, 'export.queueFull', { seconds: Math.max(1, Math.ceil(err.retryAfterMs / 1000)) }) };
    const reason = err instanceof ModelTaskError ? err.failure : 'error';
    s.log.warn({ jobId: job.id, kind, err }, 'export failed');
    if (!LASTING.has(reason)) return { ok: false, text: t(locale, 'export.failed', { id: job.id }) };
    await s.stores.exports.recordFailure(job.id, kind, reason, s.clock());
    return { ok: false, text: t(locale, 'export.failedBefore', { id: job.id, kind, failure: reason }) };
  } finally {
    await s.stores.exports.finish(begun.id, s.clock());
    s.log.info({ jobId: job.id, kind, userId: o.userId }, 'export finished');
  }
}
