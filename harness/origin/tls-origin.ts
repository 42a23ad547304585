/**
 * The origin behind the tunnel: an in-process HTTPS server (HTTP/1.1) that serves, for each case
 * host, a page carrying that case's unique marker, so "the tunnel worked" is proven by content.
 * It listens on loopback; only the mock proxy's tunnel step connects to it. It records handshakes
 * and requests per proxy-side port, which the proxy's connection trace names.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { CertificateAuthority } from './certificates';

const portOf = new WeakMap<net.Socket, number | undefined>();

export interface OriginEvent {
  /** performance.now() at the event; converted to case-relative time by the caller. */
  at: number;
  kind: 'handshake-completed' | 'handshake-failed' | 'request';
  detail: string;
  servername?: string;
  path?: string;
  host?: string;
}

export interface PageSpec {
  marker: string;
  /** Close the connection after each response (forces a new tunnel for the next request). */
  close?: boolean;
}

export class TlsOrigin {
  private httpsServer: https.Server;
  private plainServer: http.Server;
  private pages = new Map<string, PageSpec>();
  private logs = new Map<number, OriginEvent[]>();
  tlsPort = 0;
  plainPort = 0;

  constructor(private readonly ca: CertificateAuthority) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.serve(req, res);
    this.httpsServer = https.createServer(
      {
        SNICallback: (servername, cb) => {
          this.contextFor(servername || 'unknown.connect.test')
            .then((ctx) => cb(null, ctx))
            .catch((e: Error) => cb(e, undefined));
        },
        ALPNProtocols: ['http/1.1'],
        // The browser and the harness decide when tunnels close, not an idle timer.
        keepAliveTimeout: 120_000,
      },
      handler,
    );
    this.httpsServer.on('secureConnection', (s: tls.TLSSocket) => {
      this.record(s.remotePort, { kind: 'handshake-completed', detail: `${s.getProtocol()} ALPN ${s.alpnProtocol || 'none'}`, ...(typeof (s as { servername?: unknown }).servername === 'string' ? { servername: (s as { servername: string }).servername } : {}) });
    });
    // A failed handshake's socket may already have lost its handle (and remotePort): remember the
    // port when the TCP connection arrives.
    this.httpsServer.on('connection', (raw: net.Socket) => portOf.set(raw, raw.remotePort));
    this.httpsServer.on('tlsClientError', (err: NodeJS.ErrnoException, s: tls.TLSSocket) => {
      const parent = (s as unknown as { _parent?: net.Socket })._parent;
      const port = s.remotePort ?? (parent ? portOf.get(parent) : undefined);
      this.record(port, { kind: 'handshake-failed', detail: err.code ?? err.message });
    });
    this.plainServer = http.createServer({ keepAliveTimeout: 120_000 }, handler);
  }

  private contexts = new Map<string, Promise<tls.SecureContext>>();
  private contextFor(host: string): Promise<tls.SecureContext> {
    let ctx = this.contexts.get(host);
    if (!ctx) {
      ctx = this.ca.chainFor(host).then((cert) => tls.createSecureContext({ key: this.ca.leafKeyPem, cert }));
      this.contexts.set(host, ctx);
    }
    return ctx;
  }

  private record(port: number | undefined, e: Omit<OriginEvent, 'at'>): void {
    if (port === undefined) return;
    const list = this.logs.get(port) ?? [];
    list.push({ at: performance.now(), ...e });
    this.logs.set(port, list);
  }

  register(host: string, page: PageSpec): void {
    this.pages.set(host.toLowerCase(), page);
  }

  unregister(host: string): void {
    this.pages.delete(host.toLowerCase());
  }

  /** The origin's events for connections that came from these proxy-side ports (and forgets them). */
  take(ports: number[]): OriginEvent[] {
    return ports.flatMap((p) => {
      const events = this.logs.get(p) ?? [];
      this.logs.delete(p);
      return events;
    });
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = req.url ?? '/';
    this.record(req.socket.remotePort, { kind: 'request', detail: `${req.method} ${path}`, host: hostHeader, path });
    const page = this.pages.get(hostHeader);
    if (!page || path === '/favicon.ico') {
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('not found');
      return;
    }
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>origin ${hostHeader}</title></head>` +
      `<body style="font:16px sans-serif;background:#e8f5e9"><h1>Tunnel established</h1>` +
      `<p>This page came from the TLS origin behind the proxy.</p><p id="origin-marker">${page.marker}</p></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...(page.close ? { connection: 'close' } : {}) }).end(body);
  }

  async listen(): Promise<void> {
    const listen = (s: net.Server) =>
      new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: '127.0.0.1', port: 0 }, () => resolve((s.address() as net.AddressInfo).port));
      });
    this.tlsPort = await listen(this.httpsServer);
    this.plainPort = await listen(this.plainServer);
  }

  connect(kind: 'tls' | 'plain'): Promise<net.Socket> {
    const port = kind === 'tls' ? this.tlsPort : this.plainPort;
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }

  async close(): Promise<void> {
    this.httpsServer.closeAllConnections();
    this.plainServer.closeAllConnections();
    await Promise.all([
      new Promise((r) => this.httpsServer.close(r)),
      new Promise((r) => this.plainServer.close(r)),
    ]);
  }
}
