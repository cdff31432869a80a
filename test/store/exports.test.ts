import { afterEach, describe, expect, it } from 'vitest';
import { createStores } from '../../src/store/stores.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/store.js';

/** The export limits' decisions (src/store/exports.ts), on both stores. */
describe.each(BACKENDS)('member exports on %s', (backend) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });
  const T0 = Date.parse('2024-06-15T12:00:00Z');
  const MIN = 60_000;

  async function setup() {
    store = await openTestStore(backend);
    const stores = createStores(store.db);
    const job = await stores.jobs.insert(newJob({ createdAt: T0 }));
    const begin = (userId: string, at: number, o: { perHour?: number; kind?: 'stl' | 'obj' } = {}) =>
      stores.exports.begin({ userId, jobId: job.id, kind: o.kind ?? 'stl', at, perHour: o.perHour ?? 3, staleBefore: at - 3 * MIN });
    return { exports: stores.exports, job, begin };
  }

  it('one in flight per member; finishing frees it; other members are not held', async () => {
    const { exports, begin } = await setup();
    const a = await begin('alice', T0);
    expect(a.ok).toBe(true);
    expect(await begin('alice', T0 + 1000, { kind: 'obj' })).toEqual({ ok: false, refusal: { limit: 'in_flight' } });
    expect((await begin('bob', T0 + 1000)).ok).toBe(true);
    if (a.ok) await exports.finish(a.id, T0 + 2000);
    expect((await begin('alice', T0 + 3000)).ok).toBe(true);
  });

  it('an export whose process died does not hold the member past the stale limit', async () => {
    const { begin } = await setup();
    expect((await begin('alice', T0)).ok).toBe(true);
    expect((await begin('alice', T0 + 2 * MIN)).ok).toBe(false);
    expect((await begin('alice', T0 + 4 * MIN)).ok).toBe(true);
  });

  it('the hourly cap counts starts in the last hour and names when the next one fits', async () => {
    const { exports, begin } = await setup();
    for (const at of [T0, T0 + 10 * MIN, T0 + 20 * MIN]) {
      const r = await begin('alice', at);
      if (!r.ok) throw new Error('expected a start');
      await exports.finish(r.id, at + 1000);
    }
    expect(await begin('alice', T0 + 48 * MIN)).toEqual({ ok: false, refusal: { limit: 'hourly', max: 3, retryAt: T0 + 60 * MIN } });
    expect((await begin('alice', T0 + 60 * MIN + 1)).ok).toBe(true);
  });

  it('remembers a job’s failed export with its reason, once per kind', async () => {
    const { exports, job } = await setup();
    expect(await exports.failure(job.id, 'stl')).toBeNull();
    await exports.recordFailure(job.id, 'stl', 'timeout', T0);
    await exports.recordFailure(job.id, 'stl', 'memory', T0 + 1);
    expect(await exports.failure(job.id, 'stl')).toBe('timeout');
    expect(await exports.failure(job.id, 'obj')).toBeNull();
  });
});
