import type { PollerOptions } from '../../src/jobs/poller.js';
import { JobEvents } from '../../src/jobs/events.js';
import { Deliverer } from '../../src/discord/deliver.js';
import { createLogger } from '../../src/log/index.js';

/**
 * A Poller's options for a unit test: the job store, the provider and where files go are the test's;
 * the rest is what such tests share (no Discord, no model workers, 5 s interval, system clock), and
 * any of it can be overridden.
 */
export function testPollerOptions(o: Pick<PollerOptions, 'jobs' | 'upstream' | 'filesDir'> & Partial<PollerOptions>): PollerOptions {
  const log = o.log ?? createLogger({ level: 'silent' });
  return {
    deliverer: new Deliverer(null as never, log),
    events: new JobEvents(),
    clock: () => Date.now(),
    pollIntervalMs: 5000,
    allowPrivateAddresses: false,
    maxModelBytes: 1024 * 1024,
    models: { free: 0, process: () => Promise.resolve(undefined) },
    processingLeaseMs: 60_000,
    leaseMs: 120_000,
    upstreamRps: 10,
    ...o,
    log,
  };
}
