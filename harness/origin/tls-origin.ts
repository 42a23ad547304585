/**
 * The origin behind the tunnel: an in-process TLS server that serves, for each case host, a page
 * carrying that case's unique marker, so "the tunnel worked" is proven by content. Per case it
 * speaks HTTP/1.1 or h2 (chosen by ALPN for the case's SNI name), optionally with
 * SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441) and a WebSocket echo, plus a plain-HTTP listener for
 * http: and ws:// tunnels. It listens on loopback; only the mock proxy's tunnel step connects to
 * it. It records handshakes, requests and WebSocket handshakes per proxy-side port.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { CertificateAuthority } from './certificates';
import { acceptKey, attachEcho } from './ws-echo';
import type { Header, OriginEventData } from '../evidence/events';

const portOf = new WeakMap<net.Socket, number | undefined>();

/** An origin event as logged: performance.now() at the event, converted to case-relative time by the caller. */
export type LoggedOriginEvent = OriginEventData & { at: number };

/** Node's raw header list (name, value, name, value…) as header fields in wire order. */
function fields(raw: readonly string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

export interface PageSpec {
  marker: string;
  /** Close the connection after each response (forces a new tunnel for the next request). */
  close?: boolean;
  /** Offer h2 by ALPN (default: http/1.1 only). */
  protocol?: 'h1' | 'h2';
  /** With h2: send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441). */
  connectProtocol?: boolean;
  /** "websocket": the page opens a WebSocket to /ws on its own origin and reports the echo. */
  page?: 'plain' | 'websocket';
  /** An Upgrade field the origin adds to its responses (RFC 2817: Upgrade: TLS/1.0). */
  upgradeHeader?: string;
  /** The page loads this many images from s1.{host}, s2.{host}…: one tunnel each. */
  subresources?: number;
  /** Per path: the status, the extra fields ({host} filled in here) and a storage item of the answer. */
  routes?: Record<string, { status: number; headers: string[]; storage?: 'set' }>;
}

/** The fields a route adds, as Node header values (repeated names become lists). */
function routeHeaders(lines: readonly string[], host: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of lines) {
    const i = line.indexOf(': ');
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 2).replaceAll('{host}', host);
    const had = out[name];
    out[name] = had === undefined ? value : ([] as string[]).concat(had, value);
  }
  return out;
}

const WS_SCRIPT = (marker: string) => `
const r = document.getElementById('ws-result');
try {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  ws.onopen = () => ws.send('echo-${marker}');
  ws.onmessage = (e) => { r.textContent = e.data === 'echo-${marker}' ? 'echoed' : 'wrong message'; ws.close(); };
  ws.onerror = () => { if (r.textContent === 'pending') r.textContent = 'error'; };
  ws.onclose = (e) => { if (r.textContent === 'pending') r.textContent = 'closed ' + e.code; };
} catch (e) { r.textContent = 'exception'; }`;

/** A subresource: small, and visible in the screenshot when it loaded. */
const SUBRESOURCE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" fill="#2e7d32"/></svg>';

export class TlsOrigin {
  private tlsServer: tls.Server;
  private h1 = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => this.serve(req, res, 'https'));
  private plainServer = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => this.serve(req, res, 'http'));
  private h2 = http2.createServer({ settings: { enableConnectProtocol: false } });
  private h2Connect = http2.createServer({ settings: { enableConnectProtocol: true } });
  private pages = new Map<string, PageSpec>();
  private logs = new Map<number, LoggedOriginEvent[]>();
  private contexts = new Map<string, Promise<tls.SecureContext>>();
  private sockets = new Set<net.Socket>();
  tlsPort = 0;
  plainPort = 0;

  constructor(private readonly ca: CertificateAuthority) {
    this.tlsServer = tls.createServer({
      SNICallback: (servername, cb) => {
        this.contextFor(servername || 'unknown.connect.test')
          .then((ctx) => cb(null, ctx))
          .catch((e: Error) => cb(e, undefined));
      },
      // Per case: h2 only where the fixture asks for it, and only if the client offers it.
      ALPNCallback: ({ servername, protocols }) => {
        const spec = this.specFor(servername);
        if (spec?.protocol === 'h2' && protocols.includes('h2')) return 'h2';
        return protocols.includes('http/1.1') ? 'http/1.1' : protocols[0];
      },
    });
    // A failed handshake's socket may already have lost its handle (and remotePort): remember the
    // port when the TCP connection arrives.
    this.tlsServer.on('connection', (raw: net.Socket) => {
      portOf.set(raw, raw.remotePort);
      this.sockets.add(raw);
      raw.on('close', () => this.sockets.delete(raw));
    });
    this.tlsServer.on('tlsClientError', (err: NodeJS.ErrnoException, s: tls.TLSSocket) => {
      const parent = (s as unknown as { _parent?: net.Socket })._parent;
      this.record(s.remotePort ?? (parent ? portOf.get(parent) : undefined), { kind: 'handshake-failed', error: err.code ?? err.message });
    });
    this.tlsServer.on('secureConnection', (s: tls.TLSSocket) => {
      const servername = (s as unknown as { servername?: string }).servername;
      this.record(s.remotePort, {
        kind: 'handshake-completed',
        tlsVersion: s.getProtocol() ?? 'unknown',
        alpn: s.alpnProtocol || null,
        ...(servername ? { servername } : {}),
      });
      if (s.alpnProtocol === 'h2') (this.specFor(servername)?.connectProtocol ? this.h2Connect : this.h2).emit('connection', s);
      else this.h1.emit('connection', s);
    });
    for (const server of [this.h1, this.plainServer])
      server.on('upgrade', (req, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
    for (const server of [this.h2, this.h2Connect]) {
      server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) =>
        this.serveH2(stream, headers, raw),
      );
      server.on('session', (session) => session.on('error', () => {}));
    }
  }

  private specFor(servername: string | false | undefined): PageSpec | undefined {
    return servername ? this.pages.get(servername.toLowerCase()) : undefined;
  }

  private contextFor(host: string): Promise<tls.SecureContext> {
    let ctx = this.contexts.get(host);
    if (!ctx) {
      ctx = this.ca.chainFor(host).then((cert) => tls.createSecureContext({ key: this.ca.leafKeyPem, cert }));
      this.contexts.set(host, ctx);
    }
    return ctx;
  }

  private record(port: number | undefined, e: OriginEventData): void {
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
  take(ports: number[]): LoggedOriginEvent[] {
    return ports.flatMap((p) => {
      const events = this.logs.get(p) ?? [];
      this.logs.delete(p);
      return events;
    });
  }

  private body(host: string, path: string): { status: number; html: string; spec?: PageSpec; extra: Record<string, string | string[]> } {
    const spec = this.pages.get(host);
    // A subresource host (s1.{host}…) serves only its image, for the case that registered {host}.
    const sub = /^s(\d)\.(.+)$/.exec(host);
    const owner = sub && !spec ? this.pages.get(sub[2]!) : undefined;
    if (owner && path === `/cc-sub-${sub![1]}.svg` && Number(sub![1]) <= (owner.subresources ?? 0))
      return { status: 200, html: SUBRESOURCE_SVG, extra: { 'content-type': 'image/svg+xml' } };
    if (!spec || path === '/favicon.ico') return { status: 404, html: 'not found', extra: {} };
    const route = spec.routes?.[path.replace(/\?.*$/, '')];
    const ws =
      (spec.page === 'websocket' ? `<p>WebSocket: <span id="ws-result">pending</span></p><script>${WS_SCRIPT(spec.marker)}</script>` : '') +
      Array.from(
        { length: spec.subresources ?? 0 },
        (_, i) => `<img src="https://s${i + 1}.${host}/cc-sub-${i + 1}.svg" width="24" height="24" alt="s${i + 1}">`,
      ).join('') +
      (route?.storage === 'set' ? `<script>try { localStorage.setItem('cc_origin', 'kept'); } catch (e) {}</script>` : '');
    const html =
      `<!doctype html><html><head><meta charset="utf-8"><title>origin ${host}</title></head>` +
      `<body style="font:16px sans-serif;background:#e8f5e9"><h1>Tunnel established</h1>` +
      `<p>This page came from the TLS origin behind the proxy.</p><p id="origin-marker">${spec.marker}</p>${ws}</body></html>`;
    return { status: route?.status ?? 200, html, spec, extra: route ? routeHeaders(route.headers, host) : {} };
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse, scheme: 'http' | 'https'): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').replace(/^https?:\/\/[^/]+/, '') || '/';
    this.record(req.socket.remotePort, {
      kind: 'request',
      method: req.method ?? '',
      target: req.url ?? '',
      version: `HTTP/${req.httpVersion}`,
      host,
      path,
      headers: fields(req.rawHeaders),
      scheme,
    });
    const { status, html, spec, extra } = this.body(host, path);
    res.writeHead(status, {
      'content-type': spec ? 'text/html; charset=utf-8' : 'text/plain',
      'cache-control': 'no-store',
      ...extra,
      ...(spec?.close ? { connection: 'close' } : {}),
      ...(spec?.upgradeHeader ? { upgrade: spec.upgradeHeader, connection: 'Upgrade' } : {}),
    });
    res.end(html);
  }

  private serveH2(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw: string[]): void {
    const port = (stream.session?.socket as net.Socket | undefined)?.remotePort;
    stream.on('error', () => {});
    if (headers[':method'] === 'CONNECT') {
      this.record(port, {
        kind: 'websocket',
        via: 'h2 extended CONNECT',
        method: 'CONNECT',
        path: String(headers[':path'] ?? ''),
        headers: fields(raw),
      });
      if (headers[':protocol'] !== 'websocket') {
        stream.respond({ ':status': 501 }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200 });
      attachEcho(stream, (text) => this.record(port, { kind: 'ws-message', text }));
      return;
    }
    const host = String(headers[':authority'] ?? '')
      .replace(/:\d+$/, '')
      .toLowerCase();
    const path = String(headers[':path'] ?? '/');
    this.record(port, {
      kind: 'request',
      method: String(headers[':method'] ?? ''),
      target: path,
      version: 'HTTP/2',
      host,
      path,
      headers: fields(raw),
      scheme: 'https',
    });
    const { status, html, spec, extra } = this.body(host, path);
    stream.respond({
      ':status': status,
      'content-type': spec ? 'text/html; charset=utf-8' : 'text/plain',
      'cache-control': 'no-store',
      ...extra,
    });
    stream.end(html);
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const port = socket.remotePort;
    this.record(port, {
      kind: 'websocket',
      via: 'HTTP/1.1 Upgrade',
      method: req.method ?? '',
      path: req.url ?? '',
      headers: fields(req.rawHeaders),
    });
    const key = req.headers['sec-websocket-key'];
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
    );
    if (head.length) socket.unshift(head);
    attachEcho(socket, (text) => this.record(port, { kind: 'ws-message', text }));
  }

  async listen(): Promise<void> {
    const listen = (s: net.Server) =>
      new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: '127.0.0.1', port: 0 }, () => resolve((s.address() as net.AddressInfo).port));
      });
    this.tlsPort = await listen(this.tlsServer);
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
    for (const s of this.sockets) s.destroy();
    this.h1.closeAllConnections();
    this.plainServer.closeAllConnections();
    await Promise.all([
      new Promise((r) => this.tlsServer.close(r)),
      new Promise((r) => this.plainServer.close(r)),
      new Promise((r) => this.h2.close(r)),
      new Promise((r) => this.h2Connect.close(r)),
    ]);
  }
}
