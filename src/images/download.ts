import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { totalSize } from './probe.js';

export interface DownloadOptions {
  /** Refuse (and delete) anything larger. */
  maxBytes: number;
  /** Overall budget, headers and body. */
  timeoutMs: number;
}

export type DownloadResult =
  | { ok: true; bytes: number }
  | { ok: false; reason: 'too_large' | 'http_error' | 'timeout' | 'network'; bytes?: number; status?: number };

// The provider's result links (CDN) are not user input: no address check, a few redirects allowed.
let agent: Dispatcher | undefined;
let baseAgent: Agent | undefined;
function downloadAgent(): Dispatcher {
  if (!agent) {
    baseAgent = new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 10_000 } });
    agent = baseAgent.compose(interceptors.redirect({ maxRedirections: 3 }));
  }
  return agent;
}

/** Closes the shared download agent (shutdown, tests). */
export async function closeDownloadAgent(): Promise<void> {
  const a = baseAgent;
  agent = baseAgent = undefined;
  await a?.close();
}

class TooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`more than the allowed bytes (${bytes} so far)`);
  }
}

/**
 * Downloads one of the provider's result files (preview WebP, GLB) to `dest`.
 * Streams into a temporary file beside it and renames on success, so `dest`
 * is either complete or absent. Refuses early on a Content-Length above
 * `maxBytes`, aborts once the body goes past it, and removes partial files.
 * Never throws for network or HTTP problems.
 */
export async function downloadToFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.part`);
  let written = 0;
  try {
    await mkdir(dirname(dest), { recursive: true });
    const res = await request(url, {
      dispatcher: downloadAgent(),
      method: 'GET',
      signal: controller.signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    res.body.on('error', () => {}); // surfaced through pipeline()
    if (res.statusCode < 200 || res.statusCode > 299) {
      res.body.destroy();
      return { ok: false, reason: 'http_error', status: res.statusCode };
    }
    const declared = totalSize(res.statusCode, res.headers);
    if (declared !== null && declared > opts.maxBytes) {
      res.body.destroy();
      return { ok: false, reason: 'too_large', bytes: declared };
    }
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        if (written > opts.maxBytes) done(new TooLarge(written));
        else done(null, chunk);
      },
    });
    await pipeline(res.body, counter, createWriteStream(tmp, { flags: 'wx' }));
    await rename(tmp, dest);
    return { ok: true, bytes: written };
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    if (err instanceof TooLarge) return { ok: false, reason: 'too_large', bytes: err.bytes };
    const code = (err as { code?: unknown } | null)?.code;
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { ok: false, reason: 'timeout' };
    }
    return { ok: false, reason: 'network' };
  } finally {
    clearTimeout(timer);
  }
}
