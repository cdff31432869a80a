import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/store/jobs.js';
import { Poller } from '../../src/jobs/poller.js';
import { closeGuardedAgents } from '../../src/images/index.js';
import { tempDir } from '../helpers/tmp.js';
import { newJob } from '../helpers/jobs.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { testPollerOptions } from '../helpers/poller.js';

/**
 * The schedule learns from recorded durations, so a job is recorded as finished when its success was
 * seen, not after the bot downloaded its files: a slow download must not make later jobs' checks late.
 */
describe('a finished job is stamped when the check saw it succeed', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('records the provider’s duration, not the download’s minute on top', async () => {
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
    const store: TestStore = await openTestStore('sqlite');
    cleanups.push(() => store.cleanup(), () => closeGuardedAgents());
    const jobs = new JobStore(store.db);
    const poller = new Poller(
      testPollerOptions({
        jobs,
        upstream: { getTask: (taskId) => Promise.resolve({ taskId, status: 'SUCCEEDED', previewUrl: `${base}/preview.webp` }) },
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
    expect(await jobs.recentDurations('standard')).toEqual([78_000]);
  });
});
