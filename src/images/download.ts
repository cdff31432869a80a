import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import net from 'node:net';
import { Agent, request } from 'undici';
import { type AddressPolicy, BlockedAddressError, guardedConnector, PUBLIC_ONLY, stripBrackets } from './address.js';
import { totalSize } from './probe.js';

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
export type DownloadRefusal = 'private_address' | 'bad_scheme' | 'too_many_redirects';

export type DownloadResult =
  | { ok: true; bytes: number }
  | {
      ok: false;
      reason: 'too_large' | 'http_error' | 'timeout' | 'network' | DownloadRefusal;
      bytes?: number;
      status?: number;
    };

const DEFAULT_MAX_REDIRECTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/*
 * Result links are chosen by the provider (or by anything that spoofs it), so they get the
 * same connect-time address guard as members' image URLs. One keep-alive Agent per policy.
 */
const OPEN = Symbol('open');
const agents = new Map<AddressPolicy | typeof OPEN, Agent>();
function agentFor(policy: AddressPolicy | null): Agent {
  const key = policy ?? OPEN;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 4_000,
      connect: policy ? guardedConnector(policy, CONNECT_TIMEOUT_MS) : { timeout: CONNECT_TIMEOUT_MS },
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the shared download agents (shutdown, tests). */
export async function closeDownloadAgent(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}

class Refused extends Error {
  constructor(readonly reason: DownloadRefusal) {
    super(reason);
  }
}

/** One hop's URL: http(s) only, and an IP-literal host checked before any connection. */
function checkHop(raw: string, base: URL | undefined, policy: AddressPolicy | null): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new Refused('bad_scheme');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Refused('bad_scheme');
  const host = stripBrackets(url.hostname);
  if (policy && net.isIP(host) && !policy.isAllowed(host)) throw new Refused('private_address');
  return url;
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
    let target = checkHop(url, undefined, policy);
    await mkdir(dirname(dest), { recursive: true });
    let res;
    for (let redirects = 0; ; redirects++) {
      res = await request(target, {
        dispatcher: agentFor(policy),
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
      target = checkHop(location, target, policy);
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
