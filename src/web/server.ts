import { basename, dirname } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyEtag from '@fastify/etag';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Job } from '../domain/job.js';
import type { ExportKind } from '../domain/files.js';
import type { Logger } from '../log/index.js';
import type { JobStore } from '../store/jobs.js';
import { assetFiles, OWN_ASSETS } from './assets.js';
import { PAGE_FILES } from './files.js';
import { errorPage, notFoundPage, removedPage, viewerPage } from './page.js';

/** 192 random bits, base64url (src/store/jobs.ts recordProcessing): anything else is not a token. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;
/** Exports are made on first demand in a model worker: far fewer per address than plain requests. */
const EXPORTS_SHARE = 20;

export interface WebServerOptions {
  jobs: Pick<JobStore, 'byViewToken'>;
  /** The exports the STL and OBJ buttons make (src/model/processor.ts exportFile). */
  exportFile: (job: Job, kind: ExportKind) => Promise<{ file: string }>;
  publicUrl: string;
  /** Requests per minute per client address. */
  rateLimitPerMinute: number;
  log: Logger;
}

/** A job's page is gone once it is deleted or its files are (moderator removal, retention). */
const isGone = (job: Job) => job.deletedAt !== null || !job.originalFile;

/**
 * The viewer page's HTTP server (Fastify): /m/<token> and the files under it, /assets/. Every file
 * is found from the job's row or a fixed table, never from a path in the URL.
 */
export async function createWebServer(o: WebServerOptions): Promise<FastifyInstance> {
  // Behind the reverse proxy (loopback or a private network) the client address is in X-Forwarded-For.
  const app = Fastify({ logger: false, trustProxy: ['loopback', 'linklocal', 'uniquelocal'], return503OnClosing: true });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // model-viewer compiles the decoders' WebAssembly; Draco decodes in a worker made from a blob.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'", 'blob:', 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // The AR viewers (Scene Viewer, Quick Look) fetch the model from another app.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  await app.register(fastifyRateLimit, { global: true, max: o.rateLimitPerMinute, timeWindow: 60_000 });
  await app.register(fastifyEtag);
  await app.register(fastifyStatic, { serve: false, root: '/', acceptRanges: true, etag: true, lastModified: true, dotfiles: 'deny', index: false });

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(body);
  const notFound = (reply: FastifyReply) => html(reply, 404, notFoundPage());
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (_req, reply) => notFound(reply));
  // Nothing internal reaches the page: a 429 keeps its status, another client error is a 404, the rest a bare 500.
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 429) return reply.send(err);
    if (status >= 400 && status < 500) return notFound(reply);
    o.log.error({ err, url: req.url }, 'viewer page error');
    return html(reply, 500, errorPage());
  });

  const jobOf = async (token: string): Promise<Job | undefined> => (TOKEN.test(token) ? o.jobs.byViewToken(token) : undefined);
  const send = (reply: FastifyReply, file: string, type: string, download?: string) => {
    reply.header('content-type', type).header('cache-control', 'no-cache');
    if (download) reply.header('content-disposition', `attachment; filename="${download}"`);
    return reply.sendFile(basename(file), dirname(file), { contentType: false, cacheControl: false });
  };

  app.get<{ Params: { token: string } }>('/m/:token', async (req, reply) => {
    const job = await jobOf(req.params.token);
    if (!job) return notFound(reply);
    if (isGone(job)) return html(reply, 410, removedPage());
    return html(reply, 200, viewerPage(job, req.params.token, o.publicUrl));
  });

  const file = async (req: { params: { token: string; file: string } }, reply: FastifyReply) => {
    const entry = Object.hasOwn(PAGE_FILES, req.params.file) ? PAGE_FILES[req.params.file] : undefined;
    const job = entry && (await jobOf(req.params.token));
    if (!entry || !job) return notFound(reply);
    if (isGone(job)) return html(reply, 410, removedPage());
    if (entry.kind === 'stored') {
      const path = entry.pick(job);
      return path ? send(reply, path, entry.type, entry.download?.(job)) : notFound(reply);
    }
    // Made from the original in a model worker on first demand and kept, as the buttons do.
    const made = await o.exportFile(job, entry.export);
    return send(reply, made.file, entry.type, entry.download(job));
  };
  app.get<{ Params: { token: string; file: string } }>('/m/:token/:file', (req, reply) => file(req, reply));
  // Exports cost a worker's time: their own, tighter limit per address (a static segment wins over :file).
  const exportLimit = { max: Math.max(1, Math.floor(o.rateLimitPerMinute / EXPORTS_SHARE)), timeWindow: 60_000 };
  for (const [name, entry] of Object.entries(PAGE_FILES)) {
    if (entry.kind !== 'export') continue;
    app.get<{ Params: { token: string } }>(`/m/:token/${name}`, { config: { rateLimit: exportLimit } }, (req, reply) =>
      file({ params: { token: req.params.token, file: name } }, reply),
    );
  }

  const assets = assetFiles();
  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const name = req.params['*'];
    const own = Object.hasOwn(OWN_ASSETS, name) ? OWN_ASSETS[name] : undefined;
    if (own) return reply.header('cache-control', 'public, max-age=3600').type(own.type).send(own.body);
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return notFound(reply);
    reply.header('content-type', asset.type).header('cache-control', 'public, max-age=86400');
    return reply.sendFile(asset.name, asset.dir, { contentType: false, cacheControl: false });
  });
  return app;
}
