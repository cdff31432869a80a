import {
  UpstreamError,
  looksLikeNoBalance,
  sanitizeUpstreamText,
  type UpstreamErrorKind,
  type UpstreamOperation,
} from './errors.js';
import {
  envelopeSchema,
  envelopeText,
  parseErrorBody,
  payloadErrorSchema,
  taskPayloadSchema,
  type TaskPayload,
  type TaskStatus,
} from './schemas.js';
import type { RawResponse } from './transport.js';

/**
 * Decoding the provider's answers: the `/v1/responses` envelope around a task's JSON, and that
 * JSON into what the bot uses. Every refusal or surprise becomes a typed UpstreamError, its text
 * scrubbed of the key (`clean`).
 */
type Clean = (text: string) => string;

export interface TaskInfo {
  taskId: string;
  status: TaskStatus;
  /** As sent by the provider: `YYYY-MM-DD HH:mm:ss.SSS`, China time (UTC+8), no zone. */
  submitTime?: string;
  endTime?: string;
  /** GLB. Always set when status is SUCCEEDED. */
  modelUrl?: string;
  /** WebP preview. */
  previewUrl?: string;
  /** When the signed result URLs stop working (ms since epoch), from their `auth_key`; min of the two. */
  expiresAt?: number;
  /** Set on FAILED. */
  code?: string;
  message?: string;
}

/** Reads `<unix>` out of `auth_key=<unix>-<rand>-<uid>-<hash>`. */
function authKeyExpiry(url: string | undefined): number | undefined {
  if (!url) return undefined;
  let authKey: string | null;
  try {
    authKey = new URL(url).searchParams.get('auth_key');
  } catch {
    return undefined;
  }
  const m = authKey ? /^(\d{9,12})-/.exec(authKey) : null;
  return m ? Number(m[1]) * 1000 : undefined;
}

function isHttpUrl(u: string): boolean {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}

export function toTaskInfo(taskId: string, p: TaskPayload, key: string): TaskInfo {
  const info: TaskInfo = { taskId, status: p.task_status };
  if (p.submit_time) info.submitTime = p.submit_time;
  if (p.end_time) info.endTime = p.end_time;
  const first = p.results?.find((r) => r.pbr_model_url || r.rendered_image_url);
  if (first?.pbr_model_url && isHttpUrl(first.pbr_model_url)) info.modelUrl = first.pbr_model_url;
  if (first?.rendered_image_url && isHttpUrl(first.rendered_image_url)) info.previewUrl = first.rendered_image_url;
  const expiries = [authKeyExpiry(info.modelUrl), authKeyExpiry(info.previewUrl)].filter(
    (v): v is number => v !== undefined,
  );
  if (expiries.length > 0) info.expiresAt = Math.min(...expiries);
  if (p.code) info.code = sanitizeUpstreamText(p.code, [key], 100);
  if (p.message) info.message = sanitizeUpstreamText(p.message, [key]);
  return info;
}

export function parseEnvelope(
  op: UpstreamOperation,
  res: RawResponse,
  requireTaskId: boolean,
  clean: Clean,
): { payload: TaskPayload; requestId: string | null; totalTokens: number | null } {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw malformed(clean, op, res.status, `body is not JSON: ${clean(res.text)}`);
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) {
    const errBody = parseErrorBody(res.text);
    if (errBody?.message) {
      const kind: UpstreamErrorKind = looksLikeNoBalance(errBody.message) ? 'no_balance' : 'malformed';
      throw new UpstreamError({
        kind,
        operation: op,
        status: res.status,
        detail: clean(errBody.message),
        mayHaveReachedServer: kind === 'malformed',
        ...(errBody.code ? { upstreamCode: clean(errBody.code) } : {}),
      });
    }
    throw malformed(clean, op, res.status, 'not a responses envelope');
  }
  const requestId = env.data.request_id ?? env.data.id ?? null;
  const totalTokens = env.data.usage?.total_tokens ?? null;
  const text = envelopeText(env.data);
  if (text === undefined) throw malformed(clean, op, res.status, 'envelope has no output_text', requestId);
  let inner: unknown;
  try {
    inner = JSON.parse(text);
  } catch {
    throw malformed(clean, op, res.status, `output_text is not JSON: ${clean(text)}`, requestId);
  }
  const payload = taskPayloadSchema.safeParse(inner);
  if (!payload.success) {
    // An answer that carries {code, message} but no task: the provider refused the request.
    const asError =
      inner !== null && typeof inner === 'object' && !('task_status' in inner)
        ? payloadErrorSchema.safeParse(inner)
        : undefined;
    if (asError?.success && (asError.data.code || asError.data.message)) {
      const detail = [asError.data.code, asError.data.message].filter(Boolean).join(': ');
      throw new UpstreamError({
        kind: looksLikeNoBalance(detail) ? 'no_balance' : 'bad_request',
        operation: op,
        status: res.status,
        detail: clean(detail),
        mayHaveReachedServer: false,
        ...(asError.data.code ? { upstreamCode: clean(asError.data.code) } : {}),
        ...(requestId ? { requestId } : {}),
      });
    }
    const issue = payload.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'text'}: ${issue.message}` : 'invalid';
    throw malformed(clean, op, res.status, `unexpected task JSON (${where})`, requestId);
  }
  if (requireTaskId && !payload.data.task_id) {
    throw malformed(clean, op, res.status, 'no task_id in the answer', requestId);
  }
  return { payload: payload.data, requestId, totalTokens };
}

export function malformed(clean: Clean, op: UpstreamOperation, status: number, detail: string, requestId?: string | null): UpstreamError {
  return new UpstreamError({
    kind: 'malformed',
    operation: op,
    status,
    detail: clean(detail),
    mayHaveReachedServer: true,
    ...(requestId ? { requestId } : {}),
  });
}
