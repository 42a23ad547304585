/**
 * One CONNECT stream on an HTTP/2 connection to the HTTPS mock proxy (RFC 9113 §8.5). The fixture
 * steps written for HTTP/1.1 are translated: a response head becomes HEADERS (1xx as interim
 * HEADERS), body bytes become DATA, close becomes END_STREAM (or RST_STREAM NO_ERROR before any
 * response), reset becomes RST_STREAM CONNECT_ERROR. Each frame is recorded as a typed event.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { Endpoint, type H2Step, type StepResult, type TunnelOpener } from './endpoint';
import type { H2Tap } from './h2-tap';
import { data, ERROR_CODES, goaway, literalHeaders, windowUpdate } from '../wire/h2-frames';
import { leadingResponseHeads, type RequestHead, type ResponseHead } from '../wire/http-head';
import type { Step } from '../cases/schema';
import type { H2Frame } from '../evidence/events';

/** Fields HTTP/2 forbids (RFC 9113 §8.2.2); they are dropped, and the event says so. */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

const DATA: H2Frame = { type: 'DATA', flags: [] };
const END_STREAM: H2Frame = { type: 'DATA', flags: ['END_STREAM'] };
const rst = (errorCode: number): H2Frame => ({ type: 'RST_STREAM', flags: [], errorCode });

export function h2RequestHead(rawHeaders: string[]): RequestHead {
  const headers: { name: string; value: string }[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.push({ name: rawHeaders[i]!, value: rawHeaders[i + 1]! });
  const get = (n: string) => headers.find((h) => h.name === n)?.value ?? '';
  return { method: get(':method'), target: get(':authority'), version: 'HTTP/2', headers, bareLf: false, length: 0, malformedLines: [] };
}

export class H2Stream extends Endpoint {
  readonly protocol = 'h2';
  protected readonly dataFrame = DATA;
  private inbox: Buffer[] = [];
  private closedByUs = false;

  constructor(
    readonly stream: http2.ServerHttp2Stream,
    connectionId: number,
    readonly clientPort: number,
    rawHeaders: string[],
    endStream: boolean,
    /** The session's frame tap, when the case scripts the session (proxy.session). */
    private readonly tap?: H2Tap,
  ) {
    super(connectionId);
    const head = h2RequestHead(rawHeaders);
    this.log({ kind: 'open', clientPort, h2: { connection: connectionId, stream: stream.id ?? 0 } });
    this.logRequest(head, Buffer.from(rawHeaders.join('\n'), 'latin1'), { type: 'HEADERS', flags: endStream ? ['END_STREAM'] : [] });
    stream.on('data', (chunk: Buffer) => {
      this.logBytes('c2p', chunk, DATA);
      if (this.origin) this.intoTunnel(chunk);
      else {
        this.inbox.push(chunk);
        if (!this.responded) this.early.push(chunk);
      }
    });
    stream.on('end', () => {
      this.log({ kind: 'client-fin', frame: END_STREAM });
      this.origin?.end();
      this.markClientGone();
    });
    stream.on('aborted', () => this.markClientGone());
    stream.on('error', () => {});
    stream.on('close', () => {
      if (!this.closedByUs && stream.rstCode) this.log({ kind: 'client-rst', frame: rst(stream.rstCode) });
      this.log({ kind: 'closed' });
      this.origin?.destroy();
      this.markClientGone();
    });
  }

  get isClosed(): boolean {
    return this.stream.closed || this.stream.destroyed;
  }

  protected override streamId(): { h2Stream: number } {
    return { h2Stream: this.stream.id ?? 0 };
  }

  /** One request per stream: a retry is a new stream. */
  async nextRequest(): Promise<RequestHead | undefined> {
    return undefined;
  }

  private respond(head: ResponseHead): void {
    const fields = head.headers.map((h) => ({ name: h.name.toLowerCase(), value: h.value }));
    const kept = fields.filter((h) => !CONNECTION_SPECIFIC.has(h.name));
    const dropped = fields.filter((h) => CONNECTION_SPECIFIC.has(h.name)).map((h) => h.name);
    const out: http2.OutgoingHttpHeaders = { ':status': head.status };
    for (const { name, value } of kept) out[name] = out[name] === undefined ? value : ([] as string[]).concat(out[name] as string, value);
    if (head.status < 200) this.stream.additionalHeaders(out);
    else {
      this.stream.respond(out, { endStream: false });
      this.responded = true;
    }
    this.logResponse(
      { ...head, version: 'HTTP/2', reason: '', headers: kept },
      { frame: { type: 'HEADERS', flags: [] }, ...(dropped.length ? { dropped } : {}) },
    );
  }

  protected async send(step: Extract<Step, { do: 'send' }>, vars: Readonly<Record<string, string>>): Promise<void> {
    // Segmenting means nothing inside HTTP/2 frames: the bytes go as one unit.
    const bytes = Buffer.concat(this.segments({ ...step, chunkBytes: undefined }, vars));
    const { heads, rest } = leadingResponseHeads(bytes);
    let body = rest;
    for (const [i, head] of heads.entries()) {
      // A head with lines that are not fields has no HTTP/2 form (the loader keeps such fixtures off h2).
      if (head.malformedLines.length) {
        body = bytes.subarray(heads.slice(0, i).reduce((n, h) => n + h.length, 0));
        break;
      }
      this.respond(head);
    }
    if (!body.length) return;
    if (!this.responded) {
      this.note('bytes that are not a response head cannot be sent before HEADERS over HTTP/2; skipped', body);
      return;
    }
    this.stream.write(body);
    this.logBytes('p2c', body, DATA);
  }

  protected end(how: 'fin' | 'close' | 'reset'): void {
    this.closedByUs = true;
    if (how === 'reset') {
      this.log({ kind: 'proxy-rst', frame: rst(http2.constants.NGHTTP2_CONNECT_ERROR) });
      this.stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
    } else if (this.responded) {
      this.log({ kind: 'proxy-fin', frame: END_STREAM });
      this.stream.end();
    } else {
      // No response was sent: END_STREAM would be a malformed response, so the stream is reset.
      this.log({ kind: 'proxy-rst', frame: rst(http2.constants.NGHTTP2_NO_ERROR) });
      this.stream.close(http2.constants.NGHTTP2_NO_ERROR);
    }
  }

  protected override async sessionStep(step: H2Step): Promise<StepResult> {
    const id = this.stream.id ?? 0;
    const code = (c: keyof typeof ERROR_CODES | number) => (typeof c === 'number' ? c : ERROR_CODES[c]);
    if (step.do === 'rst-stream') {
      this.closedByUs = true;
      this.log({ kind: 'proxy-rst', frame: rst(code(step.code)) });
      this.stream.close(code(step.code));
      return 'terminal';
    }
    if (step.do === 'ping') {
      const session = this.stream.session;
      if (session && !session.closed) session.ping(() => {});
      this.log({ kind: 'h2-frame', frame: { type: 'PING', flags: [] } });
      return 'continue';
    }
    // The rest are frames the library will not write on request: the tap writes them.
    if (!this.tap) throw new Error(`the step "${step.do}" needs the session's frame tap (a case with HTTP/2 steps gets one)`);
    switch (step.do) {
      case 'goaway': {
        const last = step.lastStream === 'at' ? id : step.lastStream === 'below' ? Math.max(0, id - 2) : id + 2;
        this.tap.inject(goaway(last, code(step.code)));
        this.log({ kind: 'h2-frame', frame: { type: 'GOAWAY', flags: [], lastStreamId: last, errorCode: code(step.code) } });
        break;
      }
      case 'window-update':
        this.tap.inject(windowUpdate(id, step.increment));
        this.log({ kind: 'h2-frame', frame: { type: 'WINDOW_UPDATE', flags: [], increment: step.increment } });
        break;
      case 'headers-frame': {
        const fields = step.headers.map((line) => ({
          name: line.slice(0, line.indexOf(':')),
          value: line.slice(line.indexOf(':') + 1).trim(),
        }));
        this.tap.inject(literalHeaders(id, fields, step.endStream), { afterResponse: true });
        this.log({ kind: 'h2-headers', headers: fields, frame: { type: 'HEADERS', flags: step.endStream ? ['END_STREAM'] : [] } });
        break;
      }
      case 'data-frame': {
        const bytes = Buffer.from(step.text, 'latin1');
        this.tap.inject(data(id, bytes));
        this.logBytes('p2c', bytes, DATA);
        break;
      }
    }
    return 'continue';
  }

  async closeIdle(): Promise<void> {
    if (!this.isClosed) this.end('close');
  }

  protected async tunnel(opener: TunnelOpener, closeIfSilentMs?: number): Promise<void> {
    if (this.requests[0]!.head.method !== 'CONNECT') return this.forwardHttp(opener);
    const origin = await opener.open();
    const pending = this.inbox;
    this.inbox = [];
    this.splice(origin, opener.mode, pending, closeIfSilentMs);
  }

  /**
   * An http: request sent to an HTTP/2 proxy arrives as a GET stream (:scheme http); "tunnel" then
   * means forwarding it to the plain origin as HTTP/1.1 and relaying the response.
   */
  private async forwardHttp(opener: TunnelOpener): Promise<void> {
    const head = this.requests[0]!.head;
    const socket = await opener.open();
    // Not this.origin: the HTTP/1.1 request owns the socket, and stream events must not write to it.
    this.tunnelProxyPort = socket.localPort;
    const path = head.headers.find((h) => h.name === ':path')?.value ?? '/';
    const headers: Record<string, string> = { host: head.target };
    for (const h of head.headers) if (!h.name.startsWith(':')) headers[h.name] = h.value;
    this.log({ kind: 'tunnel-open', mode: 'forward-http', originPort: socket.remotePort ?? 0, proxyPort: socket.localPort ?? 0 });
    await new Promise<void>((resolve) => {
      const req = http.request({ method: head.method, path, headers, createConnection: () => socket }, (res) => {
        const fields = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) fields.push({ name: res.rawHeaders[i]!, value: res.rawHeaders[i + 1]! });
        if (!this.isClosed)
          this.respond({
            version: `HTTP/${res.httpVersion}`,
            status: res.statusCode ?? 502,
            reason: res.statusMessage ?? '',
            headers: fields,
            malformedLines: [],
            bareLf: false,
            length: 0,
          });
        res.on('data', (chunk: Buffer) => {
          if (this.isClosed) return;
          this.stream.write(chunk);
          this.logBytes('p2c', chunk, DATA);
        });
        res.on('end', () => {
          if (!this.isClosed) this.stream.end();
          resolve();
        });
      });
      req.on('error', (e) => {
        this.note(`forwarding failed: ${e.message}`);
        if (!this.isClosed) this.stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
        resolve();
      });
      req.end();
    });
  }

  protected clientWritable(): boolean {
    return !this.isClosed;
  }

  protected writeToClient(chunk: Buffer): void {
    this.stream.write(chunk);
  }

  protected endClient(): void {
    this.stream.end();
  }

  protected destroyClient(): void {
    this.log({ kind: 'harness-close', frame: rst(http2.constants.NGHTTP2_CANCEL) });
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}
