/**
 * The scripted mock proxy: raw TCP on 127.0.0.1 so a fixture can send any bytes at all.
 *
 * Isolation: every case run owns a unique host name; a connection belongs to the case named by its
 * first request's authority. Connections for hosts that no running case owns (a browser's
 * background traffic, a stale retry) are refused and listed as strays. The only socket the proxy
 * ever opens is to the in-process origin, and only for a case's `tunnel` step.
 */
import net from 'node:net';
import tls from 'node:tls';
import http2 from 'node:http2';
import { EventEmitter } from 'node:events';
import { H2StreamConnection, h2RequestHead } from './h2-stream';
import { checkH1, checkH2, describeChecks, isConnectTcp, type TcpRequest } from './connect-tcp';
import { performance } from 'node:perf_hooks';
import { ProxyConnection } from './connection';
import { headerValue, requestAuthority, type RequestHead } from '../wire/http-head';
import type { Exchange, ProxyScript } from '../cases/schema';
import type { ConnectionTrace, StrayRequest } from './trace';

export interface TunnelTarget {
  /** Opens a socket to the in-process origin (TLS for CONNECT, plain for absolute-form requests). */
  connect(kind: 'tls' | 'plain'): Promise<net.Socket>;
}

/** Where a tunnel goes: CONNECT to port 80 (ws://, http: over CONNECT) and absolute-form requests reach the plain origin; other CONNECTs the TLS origin. */
function tunnelKind(head: RequestHead): 'tls' | 'plain' {
  if (head.method !== 'CONNECT') return 'plain';
  return requestAuthority(head)?.port === 80 ? 'plain' : 'tls';
}

/** Connections kept in full per case (the first ones and the last TRACE_TAIL); the rest are counted. */
export const TRACE_LIMIT = 60;
const TRACE_TAIL = 10;

const REFUSAL = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 42\r\nConnection: close\r\n\r\nconnect-conformance: no case owns this host';

export class CaseSession extends EventEmitter {
  readonly startedAbs = performance.now();
  readonly startedAt = new Date().toISOString();
  readonly connections: (ProxyConnection | H2StreamConnection)[] = [];
  private busy = 0;
  private requestCount = 0;
  lastActivity = performance.now();

  constructor(
    readonly host: string,
    readonly script: ProxyScript,
    readonly vars: Readonly<Record<string, string>> = {},
  ) {
    super();
  }

  touch(): void {
    this.lastActivity = performance.now();
    this.emit('activity');
  }

  /** True while some connection is executing steps (not idle awaiting a request, not finished). */
  get isBusy(): boolean {
    return this.busy > 0;
  }

  pick(head: RequestHead, conn: ProxyConnection | H2StreamConnection, requestOnConnection: number): { exchange: Exchange; index: number } {
    this.requestCount++;
    const connection = this.connections.indexOf(conn) + 1;
    const auth = headerValue(head, 'proxy-authorization') !== undefined ? 'present' : 'absent';
    const hostKind = requestAuthority(head)?.host === this.host ? 'case' : 'subdomain';
    const index = this.script.exchanges.findIndex((ex) => {
      const w = ex.when;
      if (!w) return true;
      return (
        (w.proxyAuthorization === undefined || w.proxyAuthorization === auth) &&
        (w.connection === undefined || w.connection === connection) &&
        (w.requestOnConnection === undefined || w.requestOnConnection === requestOnConnection) &&
        (w.host === undefined || w.host === hostKind) &&
        (w.method === undefined || w.method === head.method)
      );
    });
    return { exchange: this.script.exchanges[index]!, index };
  }

  async adopt(conn: ProxyConnection, first: RequestHead, target: TunnelTarget): Promise<void> {
    this.connections.push(conn);
    conn.onActivity = () => this.touch();
    this.touch();
    let head: RequestHead | undefined = first;
    let onConnection = 0;
    while (head) {
      onConnection++;
      const { exchange, index } = this.pick(head, conn, onConnection);
      conn.log('exchange', undefined, `exchanges[${index}]${exchange.note ? ` (${exchange.note})` : ''}`);
      this.busy++;
      let terminal = false;
      try {
        for (const step of exchange.steps) {
          const kind = tunnelKind(head);
          if ((await conn.run(step, () => target.connect(kind), this.vars)) === 'terminal') {
            terminal = true;
            break;
          }
        }
      } finally {
        this.busy--;
        this.touch();
      }
      if (terminal || conn.isClosed) return;
      head = await conn.nextRequest(this.script.requestTimeoutMs);
    }
    if (!conn.isClosed) {
      // The client stayed silent past the request timeout, or half-closed: the proxy closes.
      conn.log('proxy-close', undefined, 'no further request');
      conn.socket.end();
      conn.socket.destroySoon();
    }
  }

  /** Records a connection the proxy answers by itself (connect-tcp), so it shows in the case's trace. */
  attach(conn: ProxyConnection | H2StreamConnection): void {
    this.connections.push(conn);
    conn.onActivity = () => this.touch();
    this.touch();
  }

  /** An HTTP/2 CONNECT stream: one request, one exchange (a retry is a new stream). */
  async adoptStream(conn: H2StreamConnection, target: TunnelTarget): Promise<void> {
    this.connections.push(conn);
    conn.onActivity = () => this.touch();
    this.touch();
    const head = conn.requests[0]!.head;
    const { exchange, index } = this.pick(head, conn, 1);
    conn.log('exchange', undefined, `exchanges[${index}]${exchange.note ? ` (${exchange.note})` : ''}`);
    this.busy++;
    try {
      for (const step of exchange.steps) {
        if ((await conn.run(step, () => target.connect(tunnelKind(head)), this.vars)) === 'terminal') return;
      }
    } finally {
      this.busy--;
      this.touch();
    }
    if (!conn.isClosed) await conn.run({ do: 'close' }, () => target.connect('tls'), this.vars);
  }

  /** Resolves once no step is executing and nothing has happened for quietMs. */
  async settled(quietMs: number, boundMs: number): Promise<void> {
    const deadline = performance.now() + boundMs;
    for (;;) {
      const now = performance.now();
      if (now >= deadline) return;
      if (!this.isBusy && now - this.lastActivity >= quietMs) return;
      await new Promise((r) => setTimeout(r, Math.min(25, deadline - now)));
    }
  }

  shutdown(): void {
    this.connections.forEach((c) => c.shutdown());
  }

  /**
   * The connections' traces. A client in a retry loop can open thousands of connections in a few
   * seconds (undici does on some 1xx answers): past TRACE_LIMIT the middle ones are only counted,
   * so results and report pages stay readable while the counts stay true.
   */
  traces(): ConnectionTrace[] {
    const all = this.connections.map((c, i) => ({ c, i }));
    const kept = all.length <= TRACE_LIMIT ? all : [...all.slice(0, TRACE_LIMIT - TRACE_TAIL), ...all.slice(-TRACE_TAIL)];
    return kept.map(({ c, i }) => c.trace(this.startedAbs, i + 1));
  }

  /** What traces() left out: connections and the requests they carried (before the context closed or not). */
  omitted(): { connections: number; requests: { t: number; method: string }[] } | undefined {
    if (this.connections.length <= TRACE_LIMIT) return undefined;
    const middle = this.connections.slice(TRACE_LIMIT - TRACE_TAIL, -TRACE_TAIL);
    return {
      connections: middle.length,
      requests: middle.flatMap((c) => c.requests.map((r) => ({ t: Math.round((r.at - this.startedAbs) * 10) / 10, method: r.head.method }))),
    };
  }
}

export interface ProxyTls {
  key: string;
  cert: string;
  /** ALPN protocols offered, in preference order: ['h2', 'http/1.1'] or ['http/1.1']. */
  alpn: string[];
}

export class MockProxy {
  private server: net.Server;
  private h2 = http2.createServer({ settings: { enableConnectProtocol: true } });
  private h2Ids = new WeakMap<http2.Http2Session, { id: number; port: number }>();
  private h2Sessions = new Set<http2.Http2Session>();
  private sessions = new Map<string, CaseSession>();
  private nextId = 1;
  private open = new Set<net.Socket>();
  readonly strays: StrayRequest[] = [];
  port = 0;

  constructor(
    private readonly target: TunnelTarget,
    private readonly firstRequestTimeoutMs = 10_000,
    readonly tlsOptions?: ProxyTls,
  ) {
    // allowHalfOpen: a client FIN must not make Node end our side; the script decides.
    this.server = tlsOptions
      ? tls.createServer({ key: tlsOptions.key, cert: tlsOptions.cert, ALPNProtocols: tlsOptions.alpn, allowHalfOpen: true }, (s) =>
          s.alpnProtocol === 'h2' ? this.acceptH2(s) : this.accept(s),
        )
      : net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.on('tlsClientError', () => {});
    this.h2.on('session', (session) => {
      const socket = session.socket as net.Socket;
      this.h2Ids.set(session, { id: this.nextId++, port: socket.remotePort ?? 0 });
      this.h2Sessions.add(session);
      session.on('close', () => this.h2Sessions.delete(session));
      session.on('error', () => {});
    });
    this.h2.on('stream', (stream: http2.ServerHttp2Stream, _headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) =>
      this.routeStream(stream, rawHeaders, (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0),
    );
  }

  /** "http" for a plain proxy, "https" when clients reach it over TLS. */
  get scheme(): 'http' | 'https' {
    return this.tlsOptions ? 'https' : 'http';
  }

  private acceptH2(socket: tls.TLSSocket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    this.h2.emit('connection', socket);
  }

  /** connect-tcp (§3.1 / §3.2): the proxy answers by itself and splices to the in-process origin. */
  private async routeConnectTcp(conn: ProxyConnection | H2StreamConnection, r: TcpRequest): Promise<void> {
    const session = r.target ? this.sessionFor(r.target.host) : undefined;
    if (session) session.attach(conn);
    for (const line of describeChecks(r)) conn.log('note', undefined, line);
    const h2 = conn instanceof H2StreamConnection;
    const refuse = async (status: string) => {
      await conn.run({ do: 'send', text: `HTTP/1.1 ${status}\r\nContent-Length: 0\r\n${h2 ? '' : 'Connection: close\r\n'}\r\n` }, () => Promise.reject(new Error('no tunnel')));
      await conn.run({ do: 'close' }, () => Promise.reject(new Error('no tunnel')));
    };
    if (!r.wellFormed) return refuse('400 Bad Request');
    if (!session) {
      this.strays.push({ at: new Date().toISOString(), connectionId: conn.id, requestLine: `connect-tcp to ${r.target?.host}:${r.target?.port}`, ...(r.target ? { host: r.target.host } : {}) });
      return refuse('403 Forbidden');
    }
    const kind = r.target!.port === 80 ? 'plain' : 'tls';
    const success = h2 ? 'HTTP/1.1 200 OK\r\n\r\n' : 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: connect-tcp\r\n\r\n';
    await conn.run({ do: 'send', text: success }, () => this.target.connect(kind));
    await conn.run({ do: 'tunnel' }, () => this.target.connect(kind));
  }

  private routeStream(stream: http2.ServerHttp2Stream, rawHeaders: string[], endStream: boolean): void {
    const ids = this.h2Ids.get(stream.session!) ?? { id: this.nextId++, port: 0 };
    const head = h2RequestHead(rawHeaders);
    if (isConnectTcp(head)) {
      const conn = new H2StreamConnection(stream, ids.id, ids.port, rawHeaders, endStream);
      void this.routeConnectTcp(conn, checkH2(head, `127.0.0.1:${this.port}`)).catch((err) => conn.log('note', undefined, `proxy error: ${(err as Error).message}`));
      return;
    }
    const host = head.target.replace(/:\d+$/, '').toLowerCase();
    const session = host ? this.sessionFor(host) : undefined;
    if (!session) {
      this.strays.push({ at: new Date().toISOString(), connectionId: ids.id, requestLine: `${head.method} ${head.target} HTTP/2`.slice(0, 300), ...(host ? { host } : {}) });
      stream.on('error', () => {});
      stream.respond({ ':status': 403 }, { endStream: true });
      return;
    }
    const conn = new H2StreamConnection(stream, ids.id, ids.port, rawHeaders, endStream);
    void session.adoptStream(conn, this.target).catch((err) => conn.log('note', undefined, `proxy error: ${(err as Error).message}`));
  }

  /** Listens on loopback only; port 0 (the default) takes a free one, so runs never clash. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the port is in use by another process' : e.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : e.message;
        reject(new Error(`the mock proxy cannot listen on 127.0.0.1:${port}: ${why}`, { cause: e }));
      });
      this.server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Registers a case; its host must be unique to this run. */
  openCase(host: string, script: ProxyScript, vars: Record<string, string> = {}): CaseSession {
    const key = host.toLowerCase();
    if (this.sessions.has(key)) throw new Error(`host ${host} already belongs to a running case`);
    const session = new CaseSession(key, script, vars);
    this.sessions.set(key, session);
    return session;
  }

  closeCase(session: CaseSession): void {
    session.shutdown();
    this.sessions.delete(session.host);
  }

  get openSockets(): number {
    return this.open.size;
  }

  private accept(socket: net.Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    const conn = new ProxyConnection(socket, this.nextId++);
    void this.route(conn).catch((err) => {
      conn.log('note', undefined, `proxy error: ${(err as Error).message}`);
      socket.destroy();
    });
  }

  private async route(conn: ProxyConnection): Promise<void> {
    const head = await conn.nextRequest(this.firstRequestTimeoutMs);
    if (!head) {
      conn.socket.destroy();
      return;
    }
    if (isConnectTcp(head)) return this.routeConnectTcp(conn, checkH1(head, `127.0.0.1:${this.port}`));
    const authority = requestAuthority(head);
    const session = authority ? this.sessionFor(authority.host) : undefined;
    if (!session) {
      this.strays.push({
        at: new Date().toISOString(),
        connectionId: conn.id,
        requestLine: `${head.method} ${head.target} ${head.version}`.slice(0, 300),
        ...(authority ? { host: authority.host } : {}),
      });
      conn.socket.end(REFUSAL);
      conn.socket.destroySoon();
      return;
    }
    await session.adopt(conn, head, this.target);
  }

  /** The case owning a host: the case host itself or any name under it (elsewhere.<case host>). */
  private sessionFor(host: string): CaseSession | undefined {
    for (let h = host; h.includes('.'); h = h.slice(h.indexOf('.') + 1)) {
      const s = this.sessions.get(h);
      if (s) return s;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.shutdown();
    // HTTP/2 sessions own their TLS sockets: destroy them too, then wait (bounded) until every
    // socket has really closed, so "open sockets after close" is a true leak check.
    for (const session of this.h2Sessions) session.destroy();
    const closing = [...this.open].map((s) => new Promise<void>((resolve) => (s.destroyed && s.closed ? resolve() : s.once('close', () => resolve()))));
    for (const s of this.open) s.destroy();
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 2000))]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
