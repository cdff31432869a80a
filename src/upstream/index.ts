export { RateBudget, RateBudgetClosedError, type Clock, type RateBudgetOptions } from './rate-budget.js';
export {
  UpstreamError,
  type UpstreamErrorKind,
  type UpstreamErrorInit,
  type UpstreamOperation,
} from './errors.js';
export {
  type TaskStatus,
  type TaskPayload,
  type Envelope,
} from './schemas.js';
export {
  DmxapiClient,
  type DmxapiClientOptions,
  type SubmitResult,
  type TaskInfo,
  type Balance,
} from './client.js';
export type { ViewUrls } from './multiview.js';
export { providerDurationMs } from './provider-time.js';
