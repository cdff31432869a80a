import { request, type Dispatcher } from 'undici';
import { type AddressPolicy, BlockedAddressError, checkHop, DEFAULT_MAX_REDIRECTS, guardedAgent, PUBLIC_ONLY, REDIRECT_STATUSES } from './address.js';
import {
  type AttachmentMetadata,
  checkAttachmentMetadata,
  checkLimits,
  IMAGE_LIMITS,
  ImageRejectedError,
  reject,
  type SupportedImageType,
} from './limits.js';
import { type SniffResult, sniffImage } from './sniff.js';

export interface ProbeOptions {
  /** Skip the public-address check (local development and tests only). */
  allowPrivate: boolean;
  /** Overall budget for the probe, redirects included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Hard cap on body bytes read. Default 512 KiB. */
  maxHeaderBytes?: number;
  /** Redirects followed; one more is refused. Default 3. */
  maxRedirects?: number;
  /** Size known from elsewhere (Discord's attachment size), used when the server reports none. */
  knownSize?: number;
  /**
   * Fetch the whole picture (at most IMAGE_LIMITS.maxBytes) instead of its first bytes, check those
   * bytes and return them as `body`: the copy the bot may show, since the host can change what its
   * URL serves at any time.
   */
  keepBody?: boolean;
  /**
   * Test seam: replaces the address checker and resolver used when
   * `allowPrivate` is false. Production code leaves it unset (public unicast only, system DNS).
   */
  addressPolicy?: AddressPolicy;
}

export interface ProbeResult {
  type: SupportedImageType;
  width: number;
  height: number;
  /** Total size in bytes, or null when neither the server nor `knownSize` told. */
  bytes: number | null;
  /** URL after redirects. */
  finalUrl: string;
  /** With `keepBody`: the whole picture, as checked. */
  body?: Buffer;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_HEADER_BYTES = 512 * 1024;
/** One hop's URL, or the member-facing refusal (before any connection). */
function checkTarget(raw: string, base: URL | undefined, policy: AddressPolicy | null): URL {
  const checked = checkHop(raw, base, policy);
  return checked instanceof URL ? checked : reject(checked);
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Total file size from Content-Range (206) or Content-Length (other 2xx), or null. */
export function totalSize(statusCode: number, headers: Dispatcher.ResponseData['headers']): number | null {
  if (statusCode === 206) {
    const m = /^\s*bytes\s+(?:\d+-\d+|\*)\/(\d+)\s*$/i.exec(header(headers, 'content-range') ?? '');
    return m ? Number(m[1]) : null;
  }
  const len = header(headers, 'content-length');
  return len !== undefined && /^\s*\d+\s*$/.test(len) ? Number(len) : null;
}

/** Throw away a body without reading it; the connection is closed rather than drained. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/** Reads the whole body; more than `max` bytes is refused as too large (nothing more is read). */
async function wholeBody(body: Dispatcher.ResponseData['body'], max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  body.on('error', () => {}); // errors also surface through the iterator below
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > max) reject({ code: 'file_too_large', bytes: length, max });
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
  } finally {
    if (!body.readableEnded) body.destroy();
  }
}

/** Reads at most `cap` bytes, stopping as soon as the prefix answers the sniff. */
async function sniffBody(body: Dispatcher.ResponseData['body'], cap: number): Promise<SniffResult> {
  let buf = Buffer.alloc(0);
  let wanted = 1;
  let result: SniffResult | undefined;
  body.on('error', () => {}); // errors also surface through the iterator below
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = cap - buf.length;
      buf = Buffer.concat([buf, room < chunk.length ? chunk.subarray(0, room) : chunk]);
      if (buf.length < wanted && buf.length < cap) continue;
      result = sniffImage(buf);
      if (result.kind !== 'need_more') return result;
      wanted = result.minBytes;
      if (buf.length >= cap || wanted > cap) {
        // The cap is reached (or too small) before the format could be decided.
        return result.type === 'other'
          ? { kind: 'unsupported', type: 'other', found: result.found }
          : { kind: 'unreadable', type: result.type, found: result.type === 'image/png' ? 'PNG' : 'JPEG' };
      }
    }
    return sniffImage(buf, { complete: true });
  } finally {
    if (!body.readableEnded) body.destroy();
  }
}

function isTimeoutError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function findBlocked(err: unknown): BlockedAddressError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
    if (e instanceof AggregateError) {
      const inner = e.errors.find((x) => x instanceof BlockedAddressError) as BlockedAddressError | undefined;
      if (inner) return inner;
    }
  }
  return undefined;
}

function toRejection(err: unknown, timedOut: boolean, timeoutMs: number): ImageRejectedError {
  if (err instanceof ImageRejectedError) return err;
  const blocked = findBlocked(err);
  if (blocked) return new ImageRejectedError({ code: 'private_address', host: blocked.host }, { cause: err });
  if (timedOut || isTimeoutError(err)) return new ImageRejectedError({ code: 'timeout', ms: timeoutMs }, { cause: err });
  return new ImageRejectedError({ code: 'unreachable' }, { cause: err });
}

/**
 * Fetches just enough of `url` to learn the picture's real type (magic bytes),
 * pixel size and, when the server tells, its byte size. Throws
 * ImageRejectedError. Does not check dimensions (see validateImageUrl).
 *
 * - SSRF: unless `allowPrivate`, every hop's host must be a public unicast
 *   address, enforced at connect time by the agent's connector.
 * - Redirects are followed by hand, re-checked each time.
 * - Sends `Range: bytes=0-<cap-1>` and never reads more than the cap; a
 *   reported size above the provider's limit is refused before reading the body.
 * - With `keepBody`, reads the whole picture instead (never more than the
 *   provider's limit) and checks and returns those bytes.
 */
export async function probeImage(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = Math.max(64, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const policy = opts.allowPrivate ? null : (opts.addressPolicy ?? PUBLIC_ONLY);

  let target = checkTarget(url, undefined, policy);
  if (opts.knownSize !== undefined && opts.knownSize > IMAGE_LIMITS.maxBytes) {
    reject({ code: 'file_too_large', bytes: opts.knownSize, max: IMAGE_LIMITS.maxBytes });
  }

  const dispatcher = guardedAgent(policy);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);

  try {
    for (let redirects = 0; ; redirects++) {
      const res = await request(target, {
        dispatcher,
        method: 'GET',
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: {
          ...(opts.keepBody ? {} : { range: `bytes=0-${cap - 1}` }),
          'accept-encoding': 'identity',
          accept: 'image/png, image/jpeg;q=0.9, */*;q=0.1',
          'user-agent': 'model3d-bot/0.1 (image check)',
        },
      });

      if (REDIRECT_STATUSES.has(res.statusCode)) {
        discard(res.body);
        const location = header(res.headers, 'location');
        if (!location) reject({ code: 'http_error', status: res.statusCode });
        if (redirects >= maxRedirects) reject({ code: 'too_many_redirects', max: maxRedirects });
        target = checkTarget(location, target, policy);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        reject({ code: 'http_error', status: res.statusCode });
      }

      const size = totalSize(res.statusCode, res.headers);
      if (size !== null && size > IMAGE_LIMITS.maxBytes) {
        discard(res.body);
        reject({ code: 'file_too_large', bytes: size, max: IMAGE_LIMITS.maxBytes });
      }

      const body = opts.keepBody ? await wholeBody(res.body, IMAGE_LIMITS.maxBytes) : undefined;
      const sniff = body ? sniffImage(body, { complete: true }) : await sniffBody(res.body, cap);
      if (sniff.kind === 'unsupported') reject({ code: 'unsupported_type', found: sniff.found });
      if (sniff.kind !== 'image') reject({ code: 'unreadable' });
      if (body) return { type: sniff.type, width: sniff.width, height: sniff.height, bytes: body.length, finalUrl: target.href, body };
      return {
        type: sniff.type,
        width: sniff.width,
        height: sniff.height,
        // When neither the server nor the caller knows the size we accept `null`:
        // finding out would mean downloading up to 20 MB, and the provider enforces
        // its own limit when it fetches the picture anyway.
        bytes: size ?? opts.knownSize ?? null,
        finalUrl: target.href,
      };
    }
  } catch (err) {
    throw toRejection(err, timedOut, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Probe + all provider limits. Resolves with the probe result or throws ImageRejectedError. */
export async function validateImageUrl(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const probed = await probeImage(url, opts);
  checkLimits(probed);
  return probed;
}

/**
 * Discord attachment: metadata fast path (no network), then a probe of the
 * attachment URL, then the limits with Discord's size when the CDN gave none.
 */
export async function validateAttachment(
  attachment: AttachmentMetadata & { url: string },
  opts: Omit<ProbeOptions, 'knownSize'>,
): Promise<ProbeResult> {
  checkAttachmentMetadata(attachment);
  const probed = await probeImage(attachment.url, { ...opts, knownSize: attachment.size });
  const result = { ...probed, bytes: probed.bytes ?? attachment.size };
  checkLimits(result);
  return result;
}
