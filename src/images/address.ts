import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name ('unicast', 'loopback', 'private'...), or 'invalid'. */
  range: string;
}

/** IPv6 blocks ipaddr.js reports as 'unicast' but that must not be reached from user input. */
const EXTRA_V6_BLOCKED: Array<[ipaddr.IPv6, number, string]> = [
  // ::/8 holds the deprecated IPv4-compatible addresses (::127.0.0.1) and other reserved space.
  [ipaddr.IPv6.parse('::'), 8, 'reserved'],
];

/**
 * Classifies an IP literal. Only ipaddr.js's 'unicast' range is allowed: this
 * refuses loopback, private (RFC 1918), carrier-grade NAT, link-local,
 * unique-local, multicast, unspecified, broadcast and reserved space, and also
 * NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo, which embed IPv4
 * addresses. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged by its IPv4 address.
 */
export function classifyAddress(address: string): AddressVerdict {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return { allowed: false, range: 'invalid' };
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return classifyAddress(v6.toIPv4Address().toString());
    const range = v6.range();
    if (range === 'unicast') {
      for (const [net6, bits, name] of EXTRA_V6_BLOCKED) {
        if (v6.match(net6, bits)) return { allowed: false, range: name };
      }
    }
    return { allowed: range === 'unicast', range };
  }
  const range = (ip as ipaddr.IPv4).range();
  return { allowed: range === 'unicast', range };
}

export const isPublicAddress = (address: string): boolean => classifyAddress(address).allowed;

/** A connection refused because the host is, or resolves to, a non-public address. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'ERR_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`Refusing to connect to ${host} (${address}): not a public address`);
  }
}

export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** Which addresses may be connected to, and how host names are resolved. */
export interface AddressPolicy {
  isAllowed(address: string): boolean;
  resolve: HostResolver;
}

const systemResolver: HostResolver = (hostname) => dns.promises.lookup(hostname, { all: true });

export const PUBLIC_ONLY: AddressPolicy = Object.freeze({ isAllowed: isPublicAddress, resolve: systemResolver });

const stripBrackets = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * A `lookup` for net/tls.connect: resolves the name, refuses it if ANY resolved
 * address is not allowed, and hands Node only checked addresses. Because the
 * socket connects to exactly what this returns, DNS rebinding between a check
 * and the connect is not possible.
 */
function guardedLookup(policy: AddressPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    const pick = async () => {
      const found = await policy.resolve(hostname);
      const blocked = found.find((a) => !policy.isAllowed(a.address));
      if (blocked) throw new BlockedAddressError(hostname, blocked.address);
      const family = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = family ? found.filter((a) => a.family === family) : found;
      if (!usable[0]) {
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        err.code = 'ENOTFOUND';
        throw err;
      }
      return usable;
    };
    pick().then(
      (usable) => {
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * An undici connector that enforces `policy` at connect time: IP-literal hosts
 * (which Node never passes to `lookup`) are checked here, names are checked by
 * the guarded lookup.
 */
export function guardedConnector(policy: AddressPolicy, connectTimeoutMs: number): buildConnector.connector {
  const base = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(policy) });
  return (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (net.isIP(host) && !policy.isAllowed(host)) {
      callback(new BlockedAddressError(host, host), null);
      return;
    }
    base(options, callback);
  };
}

/** Redirects the guarded fetches follow by hand, re-checking each hop. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_REDIRECTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;

/** Why a hop's URL is refused before any connection. */
export type HopRefusal = { code: 'invalid_url' } | { code: 'bad_scheme'; scheme: string } | { code: 'private_address'; host: string };

/** One hop's URL: http(s) only, with a host, and an IP-literal host checked against the policy (null: any). */
export function checkHop(raw: string, base: URL | undefined, policy: AddressPolicy | null): URL | HopRefusal {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return { code: 'invalid_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { code: 'bad_scheme', scheme: url.protocol.replace(/:$/, '') };
  const host = stripBrackets(url.hostname);
  if (!host) return { code: 'invalid_url' };
  if (policy && net.isIP(host) && !policy.isAllowed(host)) return { code: 'private_address', host };
  return url;
}

/*
 * Members' image URLs and the provider's result links get the same connect-time guard, through one
 * keep-alive Agent per policy (null: private addresses allowed). Test policies are few and long-lived.
 */
const OPEN = Symbol('open');
const agents = new Map<AddressPolicy | typeof OPEN, Agent>();

/** The shared Agent that connects only where `policy` allows (null: anywhere). */
export function guardedAgent(policy: AddressPolicy | null): Agent {
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

/** Closes the shared guarded agents (shutdown, tests). */
export async function closeGuardedAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}
