import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { constants as zc, createDeflate, type Deflate } from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { randomHex, shardOf } from './snowflake.js';
import type { Json } from './types.js';

export interface GatewayEvent {
  s: number;
  t: string;
  d: unknown;
}

export interface GatewaySession {
  id: string;
  seq: number;
  /** Every dispatch sent on this session (replayed on RESUME). */
  events: GatewayEvent[];
  socket: Conn | null;
  identify: Json;
  /** `[shard_id, num_shards]` from IDENTIFY (`[0, 1]` when the client sent none). */
  shard: [number, number];
  /** Set after READY and all GUILD_CREATEs were sent. */
  readyAt: number | null;
}

interface Conn {
  ws: WebSocket;
  session: GatewaySession | null;
  deflate: Deflate | null;
  query: URLSearchParams;
}

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  botToken: string;
  /** Builds the READY `d` (minus session fields) and the GUILD_CREATE list, for one shard. */
  readyData: (shard: [number, number]) => Json;
  guildCreates: (shard: [number, number]) => Json[];
  resumeUrl: () => string;
  onChange: () => void;
}

export interface DisconnectOptions {
  /** true (default): the client can RESUME. false: the session is invalidated (op 9 d:false) and the client must IDENTIFY again. */
  resumable?: boolean;
  /** Close code for resumable closes (default 4000 Unknown error). */
  code?: number;
  /** `close` (default) sends a close frame; `terminate` drops the TCP connection; `reconnect` sends op 7 RECONNECT. */
  mode?: 'close' | 'terminate' | 'reconnect';
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  failedResumes: number;
  heartbeats: number;
}

/** The gateway WebSocket side of the fake. Attach with `handleUpgrade`. */
export class FakeGateway {
  readonly sessions = new Map<string, GatewaySession>();
  readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, failedResumes: 0, heartbeats: 0 };
  /** Identify payloads received (token redacted). */
  readonly identifyPayloads: Json[] = [];
  /** Every payload received from clients. */
  readonly received: Json[] = [];
  /** If false, heartbeats get no ACK (to provoke zombie-connection handling). */
  ackHeartbeats = true;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly conns = new Set<Conn>();
  private closed = false;

  constructor(private readonly opts: GatewayOptions) {}

  /** Connection attempts kept waiting by hold(), answered by release(). */
  private held: [IncomingMessage, Duplex, Buffer][] | null = null;

  /** New connections wait (the client sees a slow handshake, as in an outage) until release(). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const [req, socket, head] of held) if (!socket.destroyed) this.handleUpgrade(req, socket, head);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.held) {
      this.held.push([req, socket, head]);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const compress = query.get('compress');
    const conn: Conn = { ws, session: null, deflate: null, query };
    this.conns.add(conn);
    this.stats.connections++;
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => undefined);
    if (query.get('encoding') && query.get('encoding') !== 'json') {
      ws.close(4002, 'Only encoding=json is supported by the fake');
      return;
    }
    if (compress === 'zlib-stream') {
      const deflate = createDeflate({ flush: zc.Z_SYNC_FLUSH });
      deflate.on('data', (chunk: Buffer) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(chunk, { binary: true });
      });
      conn.deflate = deflate;
    } else if (compress) {
      ws.close(4000, `Unsupported compression ${compress}`);
      return;
    }
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    this.send(conn, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs, _trace: ['["fake-gateway",{"micros":0}]'] }, s: null, t: null });
  }

  private send(conn: Conn, payload: Json): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(payload);
    if (conn.deflate) conn.deflate.write(text);
    else conn.ws.send(text);
  }

  private onMessage(conn: Conn, data: RawData, isBinary: boolean): void {
    let payload: Json;
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(data.toString()) as Json;
    } catch {
      conn.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    this.received.push(payload);
    const op = payload.op;
    const d = (payload.d ?? null) as Json | null;
    switch (op) {
      case 1:
        this.stats.heartbeats++;
        if (this.ackHeartbeats) this.send(conn, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        this.identify(conn, d ?? {});
        return;
      case 6:
        this.resume(conn, d ?? {});
        return;
      case 3:
      case 4:
      case 8:
      case 31:
        if (!conn.session) conn.ws.close(4003, 'Not authenticated.');
        return;
      default:
        conn.ws.close(4001, 'Unknown opcode.');
    }
  }

  private identify(conn: Conn, d: Json): void {
    if (conn.session) {
      conn.ws.close(4005, 'Already authenticated.');
      return;
    }
    if (d.token !== this.opts.botToken && d.token !== `Bot ${this.opts.botToken}`) {
      conn.ws.close(4004, 'Authentication failed.');
      return;
    }
    if (typeof d.intents !== 'number') {
      conn.ws.close(4013, 'Invalid intent(s).');
      return;
    }
    const shard = d.shard ?? [0, 1];
    const valid = Array.isArray(shard) && shard.length === 2 && shard.every((n) => Number.isInteger(n));
    if (!valid || shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
      conn.ws.close(4010, 'Invalid shard.');
      return;
    }
    this.stats.identifies++;
    this.identifyPayloads.push({ ...d, token: '[redacted]' });
    const session: GatewaySession = { id: randomHex(16), seq: 0, events: [], socket: conn, identify: d, shard: [shard[0], shard[1]], readyAt: null };
    this.sessions.set(session.id, session);
    conn.session = session;
    const ready = { ...this.opts.readyData(session.shard), session_id: session.id, resume_gateway_url: this.opts.resumeUrl(), shard: session.shard };
    this.emit(session, 'READY', ready);
    for (const g of this.opts.guildCreates(session.shard)) this.emit(session, 'GUILD_CREATE', g);
    session.readyAt = Date.now();
    this.opts.onChange();
  }

  private resume(conn: Conn, d: Json): void {
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || d.token !== this.opts.botToken) {
      this.stats.failedResumes++;
      this.send(conn, { op: 9, d: false, s: null, t: null });
      this.opts.onChange();
      return;
    }
    if (session.socket && session.socket !== conn) {
      session.socket.session = null;
      session.socket.ws.close(4000, 'Session resumed elsewhere');
    }
    session.socket = conn;
    conn.session = session;
    const from = typeof d.seq === 'number' ? d.seq : 0;
    for (const ev of session.events) if (ev.s > from) this.send(conn, { op: 0, s: ev.s, t: ev.t, d: ev.d });
    this.stats.resumes++;
    this.emit(session, 'RESUMED', { _trace: ['["fake-gateway",{"micros":0}]'] });
    this.opts.onChange();
  }

  private emit(session: GatewaySession, t: string, d: unknown): void {
    const ev: GatewayEvent = { s: ++session.seq, t, d };
    session.events.push(ev);
    if (session.events.length > 5000) session.events.splice(0, session.events.length - 5000);
    if (session.socket) this.send(session.socket, { op: 0, s: ev.s, t, d });
  }

  private onClose(conn: Conn, code: number): void {
    this.conns.delete(conn);
    conn.deflate?.destroy();
    const session = conn.session;
    if (session && session.socket === conn) {
      session.socket = null;
      // Closing with 1000/1001 invalidates the session, as on Discord.
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    }
    this.opts.onChange();
  }

  /**
   * Sends a dispatch to every live session (detached ones buffer it for RESUME). With `guildId`
   * (null: a DM), only to the sessions of the shard that guild belongs to. Returns how many sockets got it now.
   */
  dispatch(t: string, d: unknown, route?: { guildId: string | null }): number {
    let delivered = 0;
    for (const session of this.sessions.values()) {
      if (session.readyAt === null) continue;
      if (route && shardOf(route.guildId, session.shard[1]) !== session.shard[0]) continue;
      this.emit(session, t, d);
      if (session.socket) delivered++;
    }
    this.opts.onChange();
    return delivered;
  }

  /** Sessions that completed READY and currently have a socket. */
  connectedSessions(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => s.readyAt !== null && s.socket !== null);
  }

  disconnect(opts: DisconnectOptions = {}): number {
    const resumable = opts.resumable ?? true;
    let n = 0;
    for (const conn of [...this.conns]) {
      n++;
      const session = conn.session;
      if (!resumable) {
        if (session) this.sessions.delete(session.id);
        conn.session = null;
        this.send(conn, { op: 9, d: false, s: null, t: null });
        continue;
      }
      if (opts.mode === 'terminate') conn.ws.terminate();
      else if (opts.mode === 'reconnect') this.send(conn, { op: 7, d: null, s: null, t: null });
      else conn.ws.close(opts.code ?? 4000, 'Unknown error');
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [, socket] of this.held ?? []) socket.destroy();
    this.held = null;
    for (const conn of this.conns) {
      conn.deflate?.destroy();
      conn.ws.terminate();
    }
    this.conns.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
