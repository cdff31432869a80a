import Fastify from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';

/** Ready, or why not in one short line (it goes into the 503's JSON body). */
export type Readiness = { ok: true } | { ok: false; reason: string };

/** What the listener serves; one process's own, or (the sharding manager) every shard's gathered. */
export interface Observed {
  ready(): Promise<Readiness>;
  metrics(): Promise<{ contentType: string; text: string }>;
}

export interface MetricsServer {
  /** `http://host:port`, as bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * The operators' listener, apart from anything members reach: GET /healthz (200 while the event
 * loop turns), /readyz (200, or 503 with `{"ready":false,"reason":…}`), /metrics (Prometheus text).
 */
async function startMetricsServer(o: { host: string; port: number; log: Logger; observed: Observed }): Promise<MetricsServer> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await o.observed.ready().catch((err: unknown): Readiness => ({ ok: false, reason: `readiness check failed: ${errorName(err)}` }));
    return reply.code(r.ok ? 200 : 503).send(r.ok ? { ready: true } : { ready: false, reason: r.reason });
  });
  app.get('/metrics', async (_req, reply) => {
    const m = await o.observed.metrics();
    return reply.type(m.contentType).send(m.text);
  });
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  o.log.info({ url, paths: ['/healthz', '/readyz', '/metrics'] }, 'metrics listening');
  return { url, close: () => app.close() };
}

/** The listener METRICS_PORT asks for, or none (logged either way, so an operator can tell). */
export async function serveMetrics(config: Config, log: Logger, observed: Observed): Promise<MetricsServer | null> {
  if (config.metrics.port === null) {
    log.info('metrics endpoint off (METRICS_PORT unset)');
    return null;
  }
  return startMetricsServer({ host: config.metrics.host, port: config.metrics.port, log, observed });
}

/** An error's name only: readiness reasons are public to whoever reaches the port, and stay short. */
export function errorName(err: unknown): string {
  return err instanceof Error ? (('code' in err && typeof err.code === 'string' && err.code) || err.name) : 'error';
}
