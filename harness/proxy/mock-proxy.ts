/**
 * The scripted mock proxy: raw TCP on 127.0.0.1 (or TLS, offering h2 and/or http/1.1 by ALPN) so a
 * fixture can send any bytes at all.
 *
 * Isolation: every case run owns a unique host name; a connection belongs to the case named by its
 * first request's authority. Connections for hosts that no running case owns (a browser's
 * background traffic, a stale retry) are refused and listed as strays. The only socket the proxy
 * ever opens is to the in-process origin, and only for a case's `tunnel` step.
 */
import net from 'node:net';
import tls from 'node:tls';
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import { CaseSession, type TunnelTarget } from './case-session';
import { H1Connection } from './h1-connection';
import { routeH1 } from './router-h1';
import { routeH2Stream } from './router-h2';
import type { Routing } from './routing';
import type { ProxyScript } from '../cases/schema';
import type { H2SessionTrace, StrayRequest } from '../evidence/events';
import { H2Tap, type SessionProfile } from './h2-tap';

export { CaseSession, TRACE_LIMIT, type TunnelTarget } from './case-session';

export interface ProxyTls {
  key: string;
  cert: string;
  /** ALPN protocols offered, in preference order: ['h2', 'http/1.1'] or ['http/1.1']. */
  alpn: string[];
}

export class MockProxy implements Routing {
  private server: net.Server;
  private h2 = http2.createServer({ settings: { enableConnectProtocol: true } });
  private h2Ids = new WeakMap<http2.Http2Session, { id: number; port: number; tap?: H2Tap }>();
  /** The session profile of the case running now (proxy.session): new h2 sessions get a frame tap. */
  private profile: SessionProfile | undefined;
  /** The tap of the connection being handed to the HTTP/2 layer (its 'session' event is synchronous). */
  private handing: H2Tap | undefined;
  /** In-process loopback listener that gives each tapped session's HTTP/2 layer a real socket (see H2Tap). */
  private relay: net.Server | undefined;
  private relayWaiting = new Map<number, { tap?: H2Tap; inner?: net.Socket }>();
  /** Recent tapped sessions, for the case record. */
  private taps: H2Tap[] = [];
  private h2Sessions = new Set<http2.Http2Session>();
  private sessions = new Map<string, CaseSession>();
  private nextId = 1;
  private open = new Set<net.Socket>();
  /** TCP sockets of the TLS listener from their first byte, handshake or not: close() ends them all. */
  private raw = new Set<net.Socket>();
  /** Ports of its own some cases reach the proxy on (openPort). */
  private extraListeners = new Set<net.Server>();
  readonly strays: StrayRequest[] = [];
  /** TLS handshakes a client ended (e.g. "alert bad certificate"), with performance.now() times. */
  readonly tlsErrors: { at: number; error: string }[] = [];
  /** performance.now() of each completed TLS handshake, for sec-proxy-cert evidence. */
  readonly tlsHandshakes: number[] = [];
  /** performance.now() of each completed handshake in which the client presented a certificate (proxy-client-cert). */
  readonly clientCertificates: number[] = [];
  /** performance.now() of each TCP connection the TLS listener accepted, before any handshake. */
  readonly tcpAccepts: number[] = [];
  port = 0;

  constructor(
    readonly target: TunnelTarget,
    private readonly firstRequestTimeoutMs = 10_000,
    readonly tlsOptions?: ProxyTls,
  ) {
    // allowHalfOpen: a client FIN must not make Node end our side; the script decides.
    this.server = tlsOptions
      ? tls.createServer(
          // A client that stops mid-handshake (one refusing our certificate without closing) is cut
          // off as a silent client would be, not after Node's default 120 s.
          {
            key: tlsOptions.key,
            cert: tlsOptions.cert,
            ALPNProtocols: tlsOptions.alpn,
            allowHalfOpen: true,
            handshakeTimeout: firstRequestTimeoutMs,
          },
          (s) => {
            this.tlsHandshakes.push(performance.now());
            if (this.tlsHandshakes.length > 1000) this.tlsHandshakes.splice(0, 500);
            // Without a CertificateRequest a client sends none: the list stays empty then.
            if (Object.keys(s.getPeerCertificate() ?? {}).length) {
              this.clientCertificates.push(performance.now());
              if (this.clientCertificates.length > 1000) this.clientCertificates.splice(0, 500);
            }
            s.alpnProtocol === 'h2' ? this.acceptH2(s) : this.accept(s);
          },
        )
      : net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    // A client that refuses the proxy's certificate ends the handshake with an alert: kept as evidence.
    if (tlsOptions)
      this.server.on('connection', (socket: net.Socket) => {
        this.tcpAccepts.push(performance.now());
        if (this.tcpAccepts.length > 1000) this.tcpAccepts.splice(0, 500);
        this.raw.add(socket);
        socket.once('close', () => this.raw.delete(socket));
      });
    this.server.on('tlsClientError', (err: Error) => {
      this.tlsErrors.push({ at: performance.now(), error: err.message });
      if (this.tlsErrors.length > 200) this.tlsErrors.splice(0, 100);
    });
    this.h2.on('session', (session) => {
      const tap = this.handing;
      const socket = session.socket as net.Socket;
      this.h2Ids.set(session, tap ? { id: tap.id, port: tap.clientPort, tap } : { id: this.nextId++, port: socket.remotePort ?? 0 });
      this.h2Sessions.add(session);
      session.on('close', () => this.h2Sessions.delete(session));
      session.on('error', () => {});
    });
    this.h2.on('stream', (stream: http2.ServerHttp2Stream, _headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      const connection = this.h2Ids.get(stream.session!) ?? { id: this.nextId++, port: 0 };
      routeH2Stream(stream, connection, rawHeaders, (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0, this);
    });
  }

  /**
   * The certificate and key new TLS connections get from now on (sec-proxy-cert), and whether they
   * ask the client for a certificate (proxy-client-cert, any answer accepted); no arguments restore
   * the proxy's own identity and no request. Safe because a lab runs one case at a time, and a new
   * context cannot resume a TLS session made with another secure context.
   */
  presentIdentity(identity?: { key: string; cert: string }, options: { requestClientCertificate?: boolean } = {}): void {
    if (!this.tlsOptions) throw new Error('the proxy has no TLS: a certificate defect needs an HTTPS proxy transport');
    const server = this.server as tls.Server & { requestCert: boolean; rejectUnauthorized: boolean };
    server.setSecureContext(identity ?? { key: this.tlsOptions.key, cert: this.tlsOptions.cert });
    // Each new connection takes these from the server (setSecureContext leaves them alone).
    server.requestCert = !!options.requestClientCertificate;
    server.rejectUnauthorized = false;
    // A client that kept an HTTP/2 session to the proxy from an earlier case (Firefox's persistent
    // context) would send this case's CONNECT over it, with no handshake under the new identity:
    // GOAWAY ends those sessions for new streams, so the case's requests come over a new one.
    for (const session of this.h2Sessions) if (!session.closed) session.close();
  }

  /**
   * The HTTP/2 session profile for the case about to run (proxy.session), or none to end it: either
   * way the sessions kept so far get GOAWAY (close), so the case's streams arrive on sessions that
   * advertised its values and are recorded frame by frame, and a later case never inherits them.
   */
  useSessionProfile(profile?: SessionProfile): void {
    if (profile === this.profile) return;
    this.profile = profile;
    for (const session of this.h2Sessions) if (!session.closed) session.close();
  }

  /** The tapped sessions with a stream in `ids` or opened since `from` (performance.now()), frames from `from` on. */
  sessionTraces(ids: ReadonlySet<number>, from: number, caseStart: number): H2SessionTrace[] {
    return this.taps.filter((t) => ids.has(t.id) || t.openedAtAbs >= from).map((t) => t.trace(caseStart, from));
  }

  /** "http" for a plain proxy, "https" when clients reach it over TLS. */
  get scheme(): 'http' | 'https' {
    return this.tlsOptions ? 'https' : 'http';
  }

  get authority(): string {
    return `127.0.0.1:${this.port}`;
  }

  stray(connectionId: number, requestLine: string, host?: string): void {
    this.strays.push({ at: new Date().toISOString(), connectionId, requestLine: requestLine.slice(0, 300), ...(host ? { host } : {}) });
  }

  /** Listens on loopback only; port 0 (the default) takes a free one, so runs never clash. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => {
        const why =
          e.code === 'EADDRINUSE'
            ? 'the port is in use by another process'
            : e.code === 'EACCES'
              ? 'permission denied (ports below 1024 need privileges)'
              : e.message;
        reject(new Error(`the mock proxy cannot listen on 127.0.0.1:${port}: ${why}`, { cause: e }));
      });
      this.server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /**
   * The same proxy (scripts, routing, TLS identity, evidence) on one more loopback port, for one
   * case: its connections are handed to the main listener, so nothing else differs. For a client
   * that keeps proxy credentials per proxy host:port (Firefox), a fresh port is a fresh identity.
   */
  async openPort(): Promise<{ port: number; close(): void }> {
    const extra = net.createServer({ allowHalfOpen: true }, (socket) => this.server.emit('connection', socket));
    await new Promise<void>((resolve, reject) => {
      extra.once('error', reject);
      extra.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    this.extraListeners.add(extra);
    return {
      port: (extra.address() as net.AddressInfo).port,
      // Stops accepting; a connection still open (a kept HTTP/2 session) is the proxy's like any other
      // and ends with it, so closing never waits on a client.
      close: () => {
        this.extraListeners.delete(extra);
        extra.close();
      },
    };
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

  sessionFor(host: string): CaseSession | undefined {
    for (let h = host; h.includes('.'); h = h.slice(h.indexOf('.') + 1)) {
      const s = this.sessions.get(h);
      if (s) return s;
    }
    return undefined;
  }

  private track(socket: net.Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
  }

  private acceptH2(socket: tls.TLSSocket): void {
    this.track(socket);
    if (!this.profile) {
      this.h2.emit('connection', socket);
      return;
    }
    const tap = new H2Tap(socket, this.nextId++, this.profile);
    tap.onFrame = () => {
      for (const s of this.sessions.values()) s.touch();
    };
    this.taps.push(tap);
    if (this.taps.length > 50) this.taps.splice(0, 10);
    void this.relayFor(tap).catch(() => socket.destroy());
  }

  /** Connects a tap to the HTTP/2 layer through the loopback relay: the layer serves the accepted end. */
  private async relayFor(tap: H2Tap): Promise<void> {
    if (!this.relay) {
      const relay = net.createServer({ allowHalfOpen: true, noDelay: true }, (inner) => {
        this.open.add(inner);
        inner.on('close', () => this.open.delete(inner));
        this.pair(inner.remotePort ?? -1, { inner });
      });
      this.relay = relay;
      await new Promise<void>((resolve, reject) => {
        relay.once('error', reject);
        relay.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
      });
    }
    const port = (this.relay.address() as net.AddressInfo).port;
    const library = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      library.once('connect', () => resolve());
      library.once('error', reject);
    });
    tap.attach(library);
    this.pair(library.localPort ?? -1, { tap });
  }

  /** The two ends of a relay meet by port, in whichever order they arrive. */
  private pair(port: number, part: { tap?: H2Tap; inner?: net.Socket }): void {
    const met = { ...this.relayWaiting.get(port), ...part };
    if (!met.tap || !met.inner) {
      this.relayWaiting.set(port, met);
      return;
    }
    this.relayWaiting.delete(port);
    this.handing = met.tap;
    try {
      this.h2.emit('connection', met.inner);
    } finally {
      this.handing = undefined;
    }
  }

  private accept(socket: net.Socket): void {
    this.track(socket);
    const conn = new H1Connection(socket, this.nextId++);
    void routeH1(conn, this, this.firstRequestTimeoutMs).catch((err: Error) => {
      conn.note(`proxy error: ${err.message}`);
      socket.destroy();
    });
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.shutdown();
    // HTTP/2 sessions own their TLS sockets: destroy them too, then wait (bounded) until every
    // socket has really closed, so "open sockets after close" is a true leak check.
    for (const session of this.h2Sessions) session.destroy();
    const closing = [...this.open].map(
      (s) => new Promise<void>((resolve) => (s.destroyed && s.closed ? resolve() : s.once('close', () => resolve()))),
    );
    for (const s of this.open) s.destroy();
    for (const s of this.raw) s.destroy();
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 2000))]);
    for (const extra of this.extraListeners) extra.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.relay) await new Promise<void>((resolve) => this.relay!.close(() => resolve()));
  }
}
