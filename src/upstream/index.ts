export { RateBudget, RateBudgetClosedError, systemClock, type Clock, type RateBudgetOptions } from './rate-budget.js';
export {
  UpstreamError,
  isUpstreamError,
  sanitizeUpstreamText,
  looksLikeNoBalance,
  kindForStatus,
  parseRetryAfter,
  type UpstreamErrorKind,
  type UpstreamErrorInit,
  type UpstreamOperation,
} from './errors.js';
export {
  TASK_STATUSES,
  TERMINAL_STATUSES,
  taskStatusSchema,
  envelopeSchema,
  taskPayloadSchema,
  errorEnvelopeSchema,
  parseErrorBody,
  envelopeText,
  type TaskStatus,
  type TaskPayload,
  type Envelope,
} from './schemas.js';
export { authKeyExpiry } from './envelope.js';
export {
  DmxapiClient,
  SUBMIT_MODEL,
  GET_MODEL,
  type DmxapiClientOptions,
  type SubmitResult,
  type TaskInfo,
  type Balance,
} from './client.js';
