import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  server: Server;
  port: number;
  origin: string;
  url(path: string): string;
  /** Every request path seen. */
  hits: string[];
  /** Requests per path (or in total). */
  hitCount(path?: string): number;
  /** Range header per request path (last seen). */
  ranges: Map<string, string | undefined>;
  /** Bytes written on each closed socket, in close order. */
  closedSocketBytes: number[];
  /** Resolves when the next socket closes, with its bytesWritten. */
  nextSocketClose(): Promise<number>;
  /** Number of TCP connections accepted. */
  connections(): number;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler>, host = '127.0.0.1'): Promise<TestServer> {
  const hits: string[] = [];
  const ranges = new Map<string, string | undefined>();
  const closedSocketBytes: number[] = [];
  const sockets = new Set<Socket>();
  let waiters: Array<(n: number) => void> = [];
  let accepted = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push(path);
    ranges.set(path, req.headers.range);
    const handler = routes[path];
    if (!handler) {
      res.writeHead(404).end('not found');
      return;
    }
    handler(req, res);
  });
  server.on('connection', (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closedSocketBytes.push(socket.bytesWritten);
      const w = waiters;
      waiters = [];
      for (const f of w) f(socket.bytesWritten);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    server,
    port,
    origin,
    url: (path) => origin + path,
    hits,
    hitCount: (path) => (path === undefined ? hits.length : hits.filter((h) => h === path).length),
    ranges,
    closedSocketBytes,
    nextSocketClose: () => new Promise((resolve) => waiters.push(resolve)),
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Serves `body`, honouring `Range: bytes=a-b` with 206 + Content-Range unless `range: false`. */
export function serveBytes(
  body: Buffer,
  opts: { range?: boolean; contentType?: string; chunked?: boolean } = {},
): Handler {
  return (req, res) => {
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/octet-stream' };
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (opts.range !== false && m) {
      const start = Number(m[1]);
      const end = Math.min(m[2] ? Number(m[2]) : body.length - 1, body.length - 1);
      const part = body.subarray(start, end + 1);
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
      if (!opts.chunked) headers['content-length'] = String(part.length);
      res.writeHead(206, headers).end(part);
      return;
    }
    if (!opts.chunked) headers['content-length'] = String(body.length);
    res.writeHead(200, headers).end(body);
  };
}

/**
 * Declares `declared` bytes and then trickles `chunk`-sized writes every
 * `everyMs` until the client goes away (or everything is sent).
 */
export function trickle(
  declared: number | null,
  opts: { status?: number; headers?: Record<string, string>; prefix?: Buffer; chunk?: number; everyMs?: number } = {},
): Handler {
  return (_req, res) => {
    const headers: Record<string, string> = { 'content-type': 'image/png', ...opts.headers };
    if (declared !== null && opts.status !== 206) headers['content-length'] = String(declared);
    res.writeHead(opts.status ?? 200, headers);
    let sent = 0;
    const prefix = opts.prefix ?? Buffer.alloc(0);
    const size = opts.chunk ?? 16 * 1024;
    const filler = Buffer.alloc(size, 0x41);
    const tick = () => {
      if (res.destroyed || res.writableEnded) {
        clearInterval(timer);
        return;
      }
      if (declared !== null && sent >= declared) {
        clearInterval(timer);
        res.end();
        return;
      }
      const n = declared === null ? size : Math.min(size, declared - sent);
      // the prefix first (in chunks too), then filler
      const fromPrefix = prefix.subarray(sent, sent + n);
      const out = fromPrefix.length === n ? fromPrefix : Buffer.concat([fromPrefix, filler.subarray(0, n - fromPrefix.length)]);
      sent += n;
      res.write(out);
      if (declared !== null && sent >= declared) {
        clearInterval(timer);
        res.end();
      }
    };
    const timer = setInterval(tick, opts.everyMs ?? 2);
    tick();
    res.on('close', () => clearInterval(timer));
  };
}

export function redirect(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}
