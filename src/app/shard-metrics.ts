import type { ShardingManager } from 'discord.js';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { registry } from '../metrics/index.js';
import type { Observed, Readiness } from './metrics-server.js';

/**
 * With SHARDS, one scrape holds every shard: the manager serves the port and asks each shard
 * process over the ShardingManager's IPC channel (our own message type beside discord.js's), then
 * merges with prom-client's AggregatorRegistry. Counters and histograms add up; per-shard gauges
 * carry a `shard` label so they stay apart; the jobs-in-flight gauge (the same store read by
 * every shard) takes the largest reading, not the sum. A shard that does not answer in time
 * makes the manager not ready and is left out of that scrape.
 */
const ASK = '_model3dObserve';
const ANSWER_MS = 3000;

type Question = { [ASK]: number; what: 'metrics' | 'ready' };
type Answer = { [ASK]: number; body: unknown };

/** In a shard process: answers the manager's questions about this process. */
export function answerManager(observed: Observed): void {
  process.on('message', (m: unknown) => {
    const q = m as Partial<Question> | null;
    if (typeof q?.[ASK] !== 'number' || !process.send) return;
    const id = q[ASK];
    const body = q.what === 'metrics' ? registry.getMetricsAsJSON() : observed.ready();
    void body.then(
      (b) => process.send?.({ [ASK]: id, body: b } satisfies Answer),
      () => process.send?.({ [ASK]: id, body: null } satisfies Answer),
    );
  });
}

/** In the manager: every shard's readiness and metrics, gathered for one answer. */
export function gatherShards(manager: ShardingManager, ids: readonly number[]): Observed {
  let next = 0;
  const ask = (shardId: number, what: Question['what']): Promise<unknown> => {
    const shard = manager.shards.get(shardId);
    if (!shard?.process && !shard?.worker) return Promise.reject(new Error(`shard ${shardId} is not running`));
    const id = ++next;
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown) => {
        const a = m as Partial<Answer> | null;
        if (a?.[ASK] !== id) return;
        done();
        resolve(a.body);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`shard ${shardId} did not answer`));
      }, ANSWER_MS);
      const done = () => {
        clearTimeout(timer);
        shard.off('message', onMessage);
      };
      shard.on('message', onMessage);
      shard.send({ [ASK]: id, what } satisfies Question).catch((err: unknown) => {
        done();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  };

  return {
    async ready(): Promise<Readiness> {
      const answers = await Promise.all(
        ids.map((id) =>
          ask(id, 'ready').then(
            (r) => ({ id, r: (r ?? { ok: false, reason: 'no answer' }) as Readiness }),
            (err: Error) => ({ id, r: { ok: false, reason: err.message } as Readiness }),
          ),
        ),
      );
      const notReady = answers.filter((a) => !a.r.ok);
      if (!notReady.length) return { ok: true };
      return { ok: false, reason: notReady.map((a) => `shard ${a.id}: ${a.r.ok ? '' : a.r.reason}`).join('; ') };
    },
    async metrics() {
      const own = await registry.getMetricsAsJSON();
      const shards = await Promise.all(ids.map((id) => ask(id, 'metrics').catch(() => null)));
      const all = [own, ...shards.filter((m): m is MetricObjectWithValues<MetricValue<string>>[] => Array.isArray(m))];
      const merged = AggregatorRegistry.aggregate(all);
      return { contentType: merged.contentType, text: await merged.metrics() };
    },
  };
}
