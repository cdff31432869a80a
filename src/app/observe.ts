import { Events, type Client } from 'discord.js';
import type { Db } from '../store/db.js';
import type { JobStore } from '../store/jobs.js';
import type { UpstreamBudget } from '../upstream/index.js';
import { registry, sources } from '../metrics/index.js';
import { errorName, type Observed, type Readiness } from './metrics-server.js';

/** A store that has not answered the probe within this long is not ready. */
const STORE_ANSWER_MS = 2000;
/**
 * The store's probe reads one of the bot's own tables: `SELECT 1` is answered by SQLite without
 * touching the file, and by PostgreSQL whatever schema the bot's tables went to.
 */
const STORE_PROBE = 'SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 1';

/**
 * One bot process as operators see it: which of its gateway shards are connected (followed from
 * the client's shard events), whether the store answers, and the sources of the read-at-scrape
 * gauges (jobs in flight, gateway ping and guilds, the rate budget).
 */
export function observeBot(o: { client: Client; db: Db; jobs: JobStore; budget: UpstreamBudget; shards: number[] }): Observed {
  const { client } = o;
  const connected = new Set<number>();
  client.on(Events.ShardReady, (id) => connected.add(id));
  client.on(Events.ShardResume, (id) => connected.add(id));
  client.on(Events.ShardDisconnect, (_event, id) => connected.delete(id));
  client.on(Events.ShardReconnecting, (id) => connected.delete(id));

  sources.jobsInFlight = () => o.jobs.inFlightByState();
  sources.budget = () => ({ limit: o.budget.perSecond, waiting: o.budget.pending });
  sources.gateway = () =>
    o.shards.map((shard) => ({
      shard,
      pingMs: client.ws.shards.get(shard)?.ping ?? -1,
      guilds: client.guilds.cache.filter((g) => g.shardId === shard).size,
    }));

  return {
    async ready(): Promise<Readiness> {
      const down = o.shards.filter((s) => !connected.has(s));
      if (down.length) return { ok: false, reason: `gateway not connected (shard ${down.join(', ')})` };
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          o.db.get(STORE_PROBE, {}),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), STORE_ANSWER_MS))),
        ]);
      } catch (err) {
        return { ok: false, reason: `store not answering (${errorName(err)})` };
      } finally {
        clearTimeout(timer);
      }
      return { ok: true };
    },
    async metrics() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
