import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';

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

export const systemResolver: HostResolver = (hostname) => dns.promises.lookup(hostname, { all: true });

export const PUBLIC_ONLY: AddressPolicy = Object.freeze({ isAllowed: isPublicAddress, resolve: systemResolver });

export const stripBrackets = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

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
