import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { type AddressPolicy, BlockedAddressError, checkHop, DEFAULT_MAX_REDIRECTS, guardedAgent, PUBLIC_ONLY, REDIRECT_STATUSES } from './address.js';
import { totalSize } from './probe.js';
import type { DownloadRefusal } from '../domain/job.js';

export interface DownloadOptions {
  /** Refuse (and delete) anything larger. */
  maxBytes: number;
  /** Overall budget, headers and body, redirects included. */
  timeoutMs: number;
  /** Skip the public-address check (local development, the simulator and tests only). */
  allowPrivate: boolean;
  /** Redirects followed; one more is refused. Default 3. */
  maxRedirects?: number;
  /** Test seam, as for probeImage: the address checker and resolver used when `allowPrivate` is false. */
  addressPolicy?: AddressPolicy;
}

/** Refusals of the address guard: nothing was fetched from the refused address. */
export type { DownloadRefusal };

export type DownloadResult =
  | { ok: true; bytes: number }
  | {
      ok: false;
      reason: 'too_large' | 'http_error' | 'timeout' | 'network' | DownloadRefusal;
      bytes?: number;
      status?: number;
    };

class Refused extends Error {
  constructor(readonly reason: DownloadRefusal) {
    super(reason);
  }
}

/** One hop's URL, or a refusal before any connection (an unparsable URL counts as a bad scheme). */
function hop(raw: string, base: URL | undefined, policy: AddressPolicy | null): URL {
  const checked = checkHop(raw, base, policy);
  if (checked instanceof URL) return checked;
  throw new Refused(checked.code === 'private_address' ? 'private_address' : 'bad_scheme');
}

function isBlocked(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return true;
    if (e instanceof AggregateError && e.errors.some((x) => x instanceof BlockedAddressError)) return true;
  }
  return false;
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
 * Unless `allowPrivate`, every hop must be http(s) to a public address (checked at
 * connect time, so DNS rebinding cannot slip past); redirects are followed by hand,
 * re-checked, at most `maxRedirects`. Never throws for network or HTTP problems.
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
  const policy = opts.allowPrivate ? null : (opts.addressPolicy ?? PUBLIC_ONLY);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  try {
    let target = hop(url, undefined, policy);
    await mkdir(dirname(dest), { recursive: true });
    let res;
    for (let redirects = 0; ; redirects++) {
      res = await request(target, {
        dispatcher: guardedAgent(policy),
        method: 'GET',
        signal: controller.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      res.body.on('error', () => {}); // surfaced through pipeline()
      if (!REDIRECT_STATUSES.has(res.statusCode)) break;
      res.body.destroy();
      const location = res.headers.location;
      if (typeof location !== 'string') return { ok: false, reason: 'http_error', status: res.statusCode };
      if (redirects >= maxRedirects) throw new Refused('too_many_redirects');
      target = hop(location, target, policy);
    }
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
    if (err instanceof Refused) return { ok: false, reason: err.reason };
    if (isBlocked(err)) return { ok: false, reason: 'private_address' };
    const code = (err as { code?: unknown } | null)?.code;
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { ok: false, reason: 'timeout' };
    }
    return { ok: false, reason: 'network' };
  } finally {
    clearTimeout(timer);
  }
}
