/**
 * One CONNECT stream on an HTTP/2 connection to the HTTPS mock proxy (RFC 9113 §8.5). The fixture
 * steps written for HTTP/1.1 are translated: a response head becomes HEADERS (1xx as interim
 * HEADERS), body bytes become DATA, close becomes END_STREAM (or RST_STREAM NO_ERROR before any
 * response), reset becomes RST_STREAM CONNECT_ERROR. Frames are logged as the HTTP/2 API exposes
 * them, with timestamps.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pause, sendSegments } from './step-bytes';
import { findHeadEnd, type RequestHead } from '../wire/http-head';
import type { Step } from '../cases/schema';
import type { ConnectionTrace, WireEvent, WireEventKind } from './trace';
import type { StepResult } from './connection';

/** Fields HTTP/2 forbids (RFC 9113 §8.2.2); they are dropped, and the log says so. */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export interface ParsedResponseHead {
  status: number;
  headers: [string, string][];
  length: number;
}

/** Parses an HTTP/1.x response head at the start of bytes (undefined when there is none). */
export function parseResponseHead(bytes: Buffer): ParsedResponseHead | undefined {
  const end = findHeadEnd(bytes);
  if (end < 0) return undefined;
  const lines = bytes.subarray(0, end).toString('latin1').split(/\r?\n/);
  const m = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), headers, length: end };
}

export function h2RequestHead(rawHeaders: string[]): RequestHead {
  const headers: { name: string; value: string }[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.push({ name: rawHeaders[i]!, value: rawHeaders[i + 1]! });
  const get = (n: string) => headers.find((h) => h.name === n)?.value ?? '';
  return { method: get(':method'), target: get(':authority'), version: 'HTTP/2', headers, bareLf: false, length: 0, malformedLines: [] };
}

export class H2StreamConnection {
  readonly openedAtAbs = performance.now();
  readonly events: { at: number; kind: WireEventKind; data?: Buffer; note?: string }[] = [];
  readonly requests: { at: number; head: RequestHead; raw: Buffer }[] = [];
  private inbox: Buffer[] = [];
  private early: Buffer[] = [];
  private responded = false;
  private origin: net.Socket | undefined;
  private originPort: number | undefined;
  private gone = false;
  private closedByUs = false;
  onActivity: () => void = () => {};
  readonly clientGone: Promise<void>;
  private resolveGone!: () => void;
  private abort = new AbortController();

  constructor(
    readonly stream: http2.ServerHttp2Stream,
    readonly id: number,
    readonly clientPort: number,
    rawHeaders: string[],
    endStream: boolean,
  ) {
    this.clientGone = new Promise((r) => (this.resolveGone = r));
    const head = h2RequestHead(rawHeaders);
    this.requests.push({ at: performance.now(), head, raw: Buffer.from(rawHeaders.join('\n'), 'latin1') });
    this.log('open', undefined, `HTTP/2 connection ${id}, stream ${stream.id}`);
    this.log('frame', undefined, `← HEADERS ${head.headers.map((h) => `${h.name}: ${h.value}`).join(' | ')}${endStream ? ' (END_STREAM)' : ''}`);
    this.log('request', undefined, `#1: ${head.method} ${head.target} HTTP/2`);
    stream.on('data', (chunk: Buffer) => {
      this.log('c2p', chunk, 'DATA');
      if (this.origin) this.origin.write(chunk);
      else {
        this.inbox.push(chunk);
        if (!this.responded) this.early.push(chunk);
      }
    });
    stream.on('end', () => {
      this.log('client-fin', undefined, 'END_STREAM');
      this.origin?.end();
      this.markGone();
    });
    stream.on('aborted', () => this.markGone());
    stream.on('error', () => {});
    stream.on('close', () => {
      if (!this.closedByUs && stream.rstCode) this.log('client-rst', undefined, `RST_STREAM code ${stream.rstCode}`);
      this.log('closed');
      this.origin?.destroy();
      this.markGone();
    });
  }

  get isClosed(): boolean {
    return this.stream.closed || this.stream.destroyed;
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.resolveGone();
  }

  log(kind: WireEventKind, data?: Buffer, note?: string): void {
    this.events.push({ at: performance.now(), kind, ...(data ? { data } : {}), ...(note ? { note } : {}) });
    this.onActivity();
  }

  private respond(status: number, headers: [string, string][]): void {
    const kept = headers.filter(([n]) => !CONNECTION_SPECIFIC.has(n));
    const dropped = headers.filter(([n]) => CONNECTION_SPECIFIC.has(n)).map(([n]) => n);
    const out: http2.OutgoingHttpHeaders = { ':status': status };
    for (const [n, v] of kept) out[n] = out[n] === undefined ? v : ([] as string[]).concat(out[n] as string, v);
    const note = `→ HEADERS :status: ${status}${kept.length ? ' | ' + kept.map(([n, v]) => `${n}: ${v}`).join(' | ') : ''}${dropped.length ? ` (dropped for HTTP/2: ${dropped.join(', ')})` : ''}`;
    if (status >= 100 && status < 200) {
      this.stream.additionalHeaders(out);
    } else {
      this.stream.respond(out, { endStream: false });
      this.responded = true;
    }
    this.log('frame', undefined, note);
  }

  private sendBytes(bytes: Buffer): void {
    let rest = bytes;
    for (;;) {
      const head = parseResponseHead(rest);
      if (!head) break;
      this.respond(head.status, head.headers);
      rest = rest.subarray(head.length);
    }
    if (!rest.length) return;
    if (!this.responded) {
      this.log('note', rest, 'bytes that are not a response head cannot be sent before HEADERS over HTTP/2; skipped');
      return;
    }
    this.stream.write(rest);
    this.log('p2c', rest, 'DATA');
  }

  async run(step: Step, openTunnel: () => Promise<net.Socket>, vars: Readonly<Record<string, string>> = {}): Promise<StepResult> {
    if (this.abort.signal.aborted || this.isClosed) return 'terminal';
    switch (step.do) {
      case 'send': {
        const chunks = sendSegments({ ...step, chunkBytes: undefined }, vars);
        // Segmenting means nothing inside HTTP/2 frames: the bytes go as one unit.
        this.sendBytes(Buffer.concat(chunks));
        return 'continue';
      }
      case 'wait':
      case 'hold':
        await pause(step, this.abort.signal, this.clientGone);
        return 'continue';
      case 'fin':
      case 'close':
        this.closedByUs = true;
        if (this.responded) {
          this.log('proxy-fin', undefined, '→ END_STREAM');
          this.stream.end();
        } else {
          this.log('proxy-rst', undefined, '→ RST_STREAM NO_ERROR (no response was sent)');
          this.stream.close(http2.constants.NGHTTP2_NO_ERROR);
        }
        return 'terminal';
      case 'reset':
        this.closedByUs = true;
        this.log('proxy-rst', undefined, '→ RST_STREAM CONNECT_ERROR (0xa)');
        this.stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
        return 'terminal';
      case 'tunnel': {
        if (this.requests[0]!.head.method !== 'CONNECT') {
          await this.forwardHttp(openTunnel);
          return 'terminal';
        }
        const origin = await openTunnel();
        this.origin = origin;
        this.originPort = origin.localPort;
        this.log('tunnel-open', undefined, `origin port ${origin.remotePort}, proxy side ${origin.localPort}`);
        origin.on('data', (chunk: Buffer) => {
          if (!this.isClosed) {
            this.stream.write(chunk);
            this.log('p2c', chunk, 'DATA');
          }
        });
        origin.on('end', () => {
          this.log('origin-fin');
          if (!this.isClosed) this.stream.end();
        });
        origin.on('error', () => {});
        for (const chunk of this.inbox) origin.write(chunk);
        this.inbox = [];
        if (this.gone) origin.end();
        return 'terminal';
      }
    }
  }

  /**
   * An http: request sent to an HTTP/2 proxy arrives as a GET stream (:scheme http); "tunnel" then
   * means forwarding it to the plain origin as HTTP/1.1 and relaying the response.
   */
  private async forwardHttp(openTunnel: () => Promise<net.Socket>): Promise<void> {
    const head = this.requests[0]!.head;
    const socket = await openTunnel();
    this.originPort = socket.localPort;
    const path = head.headers.find((h) => h.name === ':path')?.value ?? '/';
    const headers: Record<string, string> = { host: head.target };
    for (const h of head.headers) if (!h.name.startsWith(':')) headers[h.name] = h.value;
    this.log('tunnel-open', undefined, `forwarding ${head.method} ${path} to the plain origin as HTTP/1.1 (proxy side ${socket.localPort})`);
    await new Promise<void>((resolve) => {
      const req = http.request({ method: head.method, path, headers, createConnection: () => socket }, (res) => {
        const out: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        if (!this.isClosed) this.respond(res.statusCode ?? 502, out);
        res.on('data', (chunk: Buffer) => {
          if (!this.isClosed) {
            this.stream.write(chunk);
            this.log('p2c', chunk, 'DATA');
          }
        });
        res.on('end', () => {
          if (!this.isClosed) this.stream.end();
          resolve();
        });
      });
      req.on('error', (e) => {
        this.log('note', undefined, `forwarding failed: ${e.message}`);
        if (!this.isClosed) this.stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
        resolve();
      });
      req.end();
    });
  }

  shutdown(): void {
    this.abort.abort();
    if (!this.isClosed) {
      this.log('harness-close');
      this.stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    this.origin?.destroy();
  }

  trace(caseStart: number, index: number): ConnectionTrace {
    const rel = (at: number) => Math.round((at - caseStart) * 10) / 10;
    return {
      id: this.id,
      index,
      clientPort: this.clientPort,
      openedAt: rel(this.openedAtAbs),
      protocol: 'h2',
      h2Stream: this.stream.id ?? 0,
      requests: this.requests.map((r) => ({ t: rel(r.at), head: r.head, raw: r.raw.toString('base64') })),
      earlyBytes: Buffer.concat(this.early).toString('base64'),
      events: this.events.map((e): WireEvent => ({ t: rel(e.at), kind: e.kind, ...(e.data ? { data: e.data.toString('base64') } : {}), ...(e.note ? { note: e.note } : {}) })),
      ...(this.originPort !== undefined ? { originPort: this.originPort } : {}),
    };
  }
}
