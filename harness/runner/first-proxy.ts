/**
 * The first proxy of a proxy list (the "list" transport, proxy-failover): made for one case run
 * on a fresh loopback port, so a client's memory of a bad proxy (Chromium keeps it for minutes,
 * Firefox for half an hour) never reaches another case or a repeat of this one. It is nothing
 * (a closed port), a listener that fails TLS, or a scripted mock proxy of its own.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { MockProxy, type CaseSession, type TunnelTarget } from '../proxy/mock-proxy';
import type { Fixture, ProxyScript } from '../cases/schema';
import type { FirstProxyRecord } from '../evidence/record';

type First = NonNullable<Fixture['proxy']['first']>;

export class FirstProxy {
  private readonly accepts: number[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;
  private proxy: MockProxy | undefined;
  private session: CaseSession | undefined;
  port = 0;

  private constructor(readonly first: First) {}

  get scheme(): 'PROXY' | 'HTTPS' {
    return this.first === 'not-tls' ? 'HTTPS' : 'PROXY';
  }

  get kind(): FirstProxyRecord['kind'] {
    return typeof this.first === 'string' ? this.first : 'script';
  }

  static async start(first: First, target: TunnelTarget): Promise<FirstProxy> {
    const fp = new FirstProxy(first);
    if (first === 'refused') {
      // A port that was free a moment ago and has nothing listening: connecting is refused.
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
      fp.port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    } else if (first === 'not-tls') {
      // What a client meets when "HTTPS a" is really a plain HTTP proxy: its ClientHello gets HTTP bytes.
      fp.server = net.createServer((socket) => {
        fp.accepts.push(performance.now());
        fp.sockets.add(socket);
        socket.on('close', () => fp.sockets.delete(socket));
        socket.on('error', () => {});
        socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
      });
      await new Promise<void>((resolve) => fp.server!.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
      fp.port = (fp.server.address() as net.AddressInfo).port;
    } else {
      fp.proxy = new MockProxy(target);
      fp.port = await fp.proxy.listen(0);
    }
    return fp;
  }

  /** Gives the case's host its script at the first proxy (a scripted one only). */
  openCase(host: string, script: ProxyScript): CaseSession | undefined {
    if (!this.proxy || typeof this.first === 'string') return undefined;
    this.session = this.proxy.openCase(host, { ...script, exchanges: this.first.exchanges });
    return this.session;
  }

  record(caseStart: number): FirstProxyRecord {
    const rel = (at: number) => Math.round((at - caseStart) * 10) / 10;
    const connections = this.session?.traces(caseStart) ?? [];
    return {
      kind: this.kind,
      scheme: this.scheme,
      port: this.port,
      accepts: this.session ? connections.map((c) => c.openedAt) : this.accepts.map(rel),
      connections,
    };
  }

  async close(): Promise<void> {
    if (this.session) this.proxy!.closeCase(this.session);
    await this.proxy?.close();
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
