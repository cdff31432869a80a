import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AddressPolicy,
  closeGuardedAgents,
  isPublicAddress,
  probeImage,
} from '../../src/images/index.js';
import { png } from '../fixtures/images.js';
import { redirect, serveBytes, startServer, type TestServer } from './server.js';
import { rejectionOf } from './rejection.js';

const closed = { allowPrivate: false } as const;
const PNG = png(100, 100);

let srv: TestServer; // 127.0.0.1
let inner: TestServer; // 127.0.0.2, plays an internal service
beforeAll(async () => {
  inner = await startServer({ '/secret': serveBytes(PNG) }, '127.0.0.2');
  srv = await startServer({
    '/x.png': serveBytes(PNG, { contentType: 'image/png' }),
    '/to-10': redirect('http://10.0.0.1/x.png'),
    '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/'),
    '/to-internal-literal': redirect(`http://127.0.0.2:${inner.port}/secret`),
    '/to-internal-name': redirect(`http://internal.example:${inner.port}/secret`),
    '/to-mapped': redirect(`http://[::ffff:127.0.0.2]:${inner.port}/secret`),
  });
});
afterAll(async () => {
  await closeGuardedAgents();
  await srv.close();
  await inner.close();
});

describe('SSRF guard (allowPrivate: false)', () => {
  it.each([
    ['http://127.0.0.1:PORT/x.png', '127.0.0.1'],
    ['http://[::1]:PORT/x.png', '::1'],
    ['http://[::ffff:127.0.0.1]:PORT/x.png', '::ffff:7f00:1'],
    ['http://2130706433:PORT/x.png', '127.0.0.1'], // integer form, normalized by the URL parser
    ['http://0x7f.1:PORT/x.png', '127.0.0.1'],
    ['http://10.0.0.1/x.png', '10.0.0.1'],
    ['http://192.168.1.10/x.png', '192.168.1.10'],
    ['http://100.64.0.1/x.png', '100.64.0.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://0.0.0.0:PORT/x.png', '0.0.0.0'],
    ['http://[fd00::1]/x.png', 'fd00::1'],
    ['http://[fe80::1]/x.png', 'fe80::1'],
  ])('refuses the literal %s with no connection', async (template, host) => {
    const before = srv.connections();
    const started = Date.now();
    const url = template.replace('PORT', String(srv.port));
    expect(await rejectionOf(probeImage(url, closed))).toEqual({ code: 'private_address', host });
    expect(srv.connections()).toBe(before);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('refuses a name that resolves to loopback at connect time (system DNS: localhost)', async () => {
    const before = srv.connections();
    expect(await rejectionOf(probeImage(`http://localhost:${srv.port}/x.png`, closed))).toEqual({
      code: 'private_address',
      host: 'localhost',
    });
    expect(srv.connections()).toBe(before);
    expect(srv.hitCount('/x.png')).toBe(0);
  });

  it('allows loopback when allowPrivate is true', async () => {
    expect(await probeImage(`http://localhost:${srv.port}/x.png`, { allowPrivate: true })).toMatchObject({ width: 100 });
    expect(await probeImage(srv.url('/x.png'), { allowPrivate: true })).toMatchObject({ width: 100 });
  });
});

describe('SSRF guard with a test address policy', () => {
  // Honest seam: the guard itself is unchanged; the test only declares 127.0.0.1
  // "public" (so a local server can play the internet) and supplies DNS answers.
  const dnsTable: Record<string, string[]> = {
    'images.example': ['127.0.0.1'],
    'internal.example': ['127.0.0.2'],
    'mixed.example': ['8.8.8.8', '127.0.0.2'],
  };
  let lookups: string[] = [];
  const policy: AddressPolicy = {
    isAllowed: (ip) => ip === '127.0.0.1' || isPublicAddress(ip),
    resolve: async (name) => {
      lookups.push(name);
      const found = dnsTable[name];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
  const opts = { allowPrivate: false, addressPolicy: policy } as const;

  it('connects through the guarded lookup to an allowed address', async () => {
    lookups = [];
    const r = await probeImage(`http://images.example:${srv.port}/x.png`, opts);
    expect(r).toMatchObject({ type: 'image/png', width: 100, finalUrl: `http://images.example:${srv.port}/x.png` });
    expect(lookups).toContain('images.example');
  });

  it('refuses a name resolving to a private address at connect time, and a mixed answer', async () => {
    const before = inner.connections();
    expect(await rejectionOf(probeImage(`http://internal.example:${inner.port}/secret`, opts))).toEqual({
      code: 'private_address',
      host: 'internal.example',
    });
    expect(await rejectionOf(probeImage(`http://mixed.example:${inner.port}/secret`, opts))).toEqual({
      code: 'private_address',
      host: 'mixed.example',
    });
    expect(inner.connections()).toBe(before);
  });

  it.each([
    ['/to-10', '10.0.0.1'],
    ['/to-metadata', '169.254.169.254'],
    ['/to-internal-literal', '127.0.0.2'],
    ['/to-internal-name', 'internal.example'],
    ['/to-mapped', '::ffff:7f00:2'],
  ])('refuses a redirect from an allowed server to a private address (%s)', async (path, host) => {
    const before = inner.connections();
    expect(await rejectionOf(probeImage(`http://images.example:${srv.port}${path}`, opts))).toEqual({
      code: 'private_address',
      host,
    });
    expect(srv.hitCount(path)).toBeGreaterThan(0);
    expect(inner.connections()).toBe(before);
    expect(inner.hitCount()).toBe(0);
  });

  it('reports an unknown name as unreachable', async () => {
    expect(await rejectionOf(probeImage('http://nowhere.example/x.png', opts))).toEqual({ code: 'unreachable' });
  });
});

describe('guardedConnector (defence in depth below the URL pre-check)', () => {
  it('refuses IP literals and names resolving to loopback before connecting', async () => {
    const { guardedConnector, PUBLIC_ONLY, BlockedAddressError } = await import('../../src/images/address.js');
    const connect = guardedConnector(PUBLIC_ONLY, 1000);
    const attempt = (hostname: string) =>
      new Promise<unknown>((resolve) =>
        connect({ hostname, protocol: 'http:', port: String(srv.port) }, (err, socket) => {
          socket?.destroy();
          resolve(err);
        }),
      );
    const before = srv.connections();
    for (const host of ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']) {
      const err = await attempt(host);
      expect(err).toBeInstanceOf(BlockedAddressError);
    }
    expect(srv.connections()).toBe(before);
  });
});
