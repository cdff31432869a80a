export { RateBudget, RateBudgetClosedError, type Clock, type RateBudgetOptions, type UpstreamBudget } from './rate-budget.js';
export { SharedRateBudget, type BudgetSlices, type SharedRateBudgetOptions } from './shared-budget.js';
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
