import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { Poller } from '../../src/jobs/poller.js';
import { closeGuardedAgents } from '../../src/images/index.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';
import { BACKENDS, openTestStore, type Backend, type TestStore } from '../helpers/store.js';
import type { TaskInfo } from '../../src/upstream/index.js';
import { testPollerOptions } from '../helpers/poller.js';

/**
 * The schedule learns from recorded durations. A job is stamped finished when its success was seen,
 * not after the bot downloaded its files; the duration it is learned with is the provider's own
 * (`end_time − submit_time`), or the observed one when those are missing or inconsistent.
 */
describe.each(BACKENDS)('a finished job’s recorded duration (%s)', (backend: Backend) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** One job submitted 78 s before the check that sees it succeed, with the provider's times given. */
  async function finishOne(times: Pick<TaskInfo, 'submitTime' | 'endTime'>) {
    let now = 1_000_000;
    // The result file takes a (virtual) minute to arrive.
    const server: Server = createServer((_req, res) => {
      now += 60_000;
      res.writeHead(200, { 'content-type': 'image/webp' }).end('RIFF a preview');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const store: TestStore = await openTestStore(backend);
    cleanups.push(() => store.cleanup(), () => closeGuardedAgents());
    const jobs = new JobStore(store.db);
    const poller = new Poller(
      testPollerOptions({
        jobs,
        upstream: { getTask: (taskId) => Promise.resolve({ taskId, status: 'SUCCEEDED', previewUrl: `${base}/preview.webp`, ...times }) },
        filesDir: join(tmp.dir, 'files'),
        clock: () => now,
        allowPrivateAddresses: true,
      }),
    );
    cleanups.push(() => poller.stop(100));

    const submittedAt = now - 78_000;
    const job = await jobs.insert(newJob({ quality: 'standard', createdAt: submittedAt }));
    await jobs.markSubmitted(job.id, 'task-1', 1, submittedAt, now);
    // Messages are not what this test is about: nothing is waiting to be edited.
    await store.db.run('UPDATE jobs SET delivered_version = render_version');
    const seenAt = now;
    await poller.tick();
    await poller.idle();

    const done = (await jobs.get(job.id))!;
    expect(done.state).toBe('succeeded');
    expect(done.previewFile).not.toBeNull();
    expect(now).toBe(seenAt + 60_000); // the download did take its minute
    expect(done.finishedAt).toBe(seenAt);
    return jobs.recentDurations('standard');
  }

  it('records the provider’s end_time − submit_time, not when the check saw it nor the download on top', async () => {
    // 77.5 s in the provider's clock (its format as in the API document), inside the 78 s the bot watched.
    expect(await finishOne({ submitTime: '2026-05-28 23:13:55.082', endTime: '2026-05-28 23:15:12.582' })).toEqual([77_500]);
  });

  it.each([
    ['the provider gave no times', {}],
    ['the end is before the submit', { submitTime: '2026-05-28 23:15:13.369', endTime: '2026-05-28 23:13:55.082' }],
    ['longer than the job was watched', { submitTime: '2026-05-28 23:13:55.082', endTime: '2026-05-28 23:15:13.369' }],
    ['no end_time', { submitTime: '2026-05-28 23:13:55.082' }],
    ['a time in another format', { submitTime: '2026-05-28T23:13:55.082Z', endTime: '2026-05-28 23:15:12.582' }],
  ])('records the observed 78 s when %s', async (_why, times) => {
    expect(await finishOne(times)).toEqual([78_000]);
  });
});
