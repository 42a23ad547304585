/**
 * One client endpoint of the mock proxy, the core that an HTTP/1.1 connection and an HTTP/2
 * CONNECT stream share: the typed event log, the requests, early bytes, the step engine and the
 * tunnel wiring. A subclass says only how bytes, heads and closes travel on its protocol.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { abortableSleep, pause, sendSegments } from './step-bytes';
import type { RequestHead, ResponseHead } from '../wire/http-head';
import type { Step } from '../cases/schema';
import type { ConnectionTrace, H2Frame, ProxyEvent, ProxyEventData, TunnelMode } from '../evidence/events';

export type StepResult = 'continue' | 'terminal';

/** How a tunnel step reaches the in-process origin: chosen by the session from the request. */
export interface TunnelOpener {
  mode: Exclude<TunnelMode, 'forward-http'>;
  open(): Promise<net.Socket>;
}

type SendStep = Extract<Step, { do: 'send' }>;
export type H2Step = Extract<Step, { do: 'rst-stream' | 'goaway' | 'ping' | 'window-update' | 'headers-frame' | 'data-frame' }>;
/** Events as kept in memory: bytes stay Buffers until the trace is written. */
type Logged = { at: number; event: ProxyEventData; bytes?: Buffer };

export abstract class Endpoint {
  readonly openedAtAbs = performance.now();
  readonly requests: { at: number; head: RequestHead; raw: Buffer }[] = [];
  private readonly logged: Logged[] = [];
  /** Bytes that followed the first request head before the proxy's first response byte. */
  protected early: Buffer[] = [];
  /** True once the proxy has sent anything (a response byte, or a tunnel). */
  protected responded = false;
  protected origin: net.Socket | undefined;
  /** Local port of the proxy's socket to the origin: joins the origin's log to this connection. */
  protected tunnelProxyPort: number | undefined;
  /** Set by the owner so the session hears about every event (for settling). */
  onActivity: () => void = () => {};
  /** Resolves when the client has closed (FIN/RST, END_STREAM) or the connection is gone. */
  readonly clientGone: Promise<void>;
  private resolveClientGone!: () => void;
  protected gone = false;
  /** Aborts waits when the case is over. */
  protected readonly abort = new AbortController();

  abstract readonly protocol: 'h1' | 'h2';
  abstract readonly clientPort: number;
  abstract get isClosed(): boolean;

  constructor(readonly id: number) {
    this.clientGone = new Promise((resolve) => (this.resolveClientGone = resolve));
  }

  protected markClientGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.resolveClientGone();
    this.wake();
  }

  /** Wakes anything waiting for input (the HTTP/1.1 request reader). */
  protected wake(): void {}

  log(event: ProxyEventData, bytes?: Buffer): void {
    if (!this.logDropped) this.logged.push({ at: performance.now(), event, ...(bytes ? { bytes } : {}) });
    this.onActivity();
  }

  private logDropped = false;

  /** Stops keeping this connection's events (it will only be counted): see CaseSession.attach. */
  dropLog(): void {
    this.logDropped = true;
    this.logged.length = 0;
    this.early = [];
  }

  note(text: string, bytes?: Buffer): void {
    this.log({ kind: 'note', text }, bytes);
  }

  protected logBytes(kind: 'c2p' | 'p2c', bytes: Buffer, frame?: H2Frame): void {
    // The bytes stay a Buffer until trace(), which writes them as base64 into "data".
    this.log({ kind, data: '', ...(frame ? { frame } : {}) }, bytes);
  }

  protected logRequest(head: RequestHead, raw: Buffer, frame?: H2Frame): void {
    this.requests.push({ at: performance.now(), head, raw });
    this.log({
      kind: 'request',
      index: this.requests.length,
      method: head.method,
      target: head.target,
      version: head.version,
      ...(frame ? { frame } : {}),
    });
  }

  protected logResponse(head: ResponseHead, extra: { frame?: H2Frame; dropped?: string[] } = {}): void {
    const { version, status, reason, headers } = head;
    this.log({ kind: 'response', version, status, reason, headers, interim: status < 200, ...extra });
  }

  /** The next request on this connection (HTTP/1.1 keep-alive); an HTTP/2 stream carries one. */
  abstract nextRequest(timeoutMs: number): Promise<RequestHead | undefined>;
  /** Writes one send step's bytes in the protocol's form. */
  protected abstract send(step: SendStep, vars: Readonly<Record<string, string>>): Promise<void>;
  /** FIN, close or reset, in the protocol's form. */
  protected abstract end(how: 'fin' | 'close' | 'reset'): void;
  /** Closes a connection whose exchange ended without a terminal step and no request followed. */
  abstract closeIdle(): Promise<void>;
  /** The tunnel step: splice into the origin (HTTP/2 may forward an http: request instead). */
  protected abstract tunnel(opener: TunnelOpener, closeIfSilentMs?: number): Promise<void>;
  protected abstract clientWritable(): boolean;
  protected abstract writeToClient(chunk: Buffer): void;
  protected abstract endClient(): void;
  /** The form bytes from the origin take towards the client (HTTP/2: DATA). */
  protected abstract readonly dataFrame: H2Frame | undefined;
  /** Tears the client side down after the case, marking it as the harness's doing. */
  protected abstract destroyClient(): void;

  protected sleep(ms: number): Promise<void> {
    return abortableSleep(this.abort.signal, ms);
  }

  /** The segments a send step writes ({host} filled in, repeat and chunkBytes applied). */
  protected segments(step: SendStep, vars: Readonly<Record<string, string>>): Buffer[] {
    return sendSegments(step, vars);
  }

  /** Runs one fixture step. */
  async run(step: Step, opener: TunnelOpener, vars: Readonly<Record<string, string>> = {}): Promise<StepResult> {
    if (this.abort.signal.aborted || this.isClosed) return 'terminal';
    switch (step.do) {
      case 'send':
        await this.send(step, vars);
        return 'continue';
      case 'wait':
      case 'hold':
        await pause(step, this.abort.signal, this.clientGone);
        return 'continue';
      case 'fin':
      case 'close':
      case 'reset':
        this.end(step.do);
        return 'terminal';
      case 'tunnel':
        this.responded = true;
        await this.tunnel(opener, step.closeIfSilentMs);
        return 'terminal';
      default:
        return this.sessionStep(step);
    }
  }

  /** The HTTP/2 steps (RST_STREAM, GOAWAY, raw frames): the loader keeps them off other transports. */
  protected async sessionStep(step: H2Step): Promise<StepResult> {
    throw new Error(`the step "${step.do}" exists only over HTTP/2`);
  }

  /** Bytes the client has sent into the tunnel (buffered ones included). */
  private tunnelled = 0;

  /** Forwards client bytes to the origin. */
  protected intoTunnel(chunk: Buffer): void {
    this.tunnelled += chunk.length;
    this.origin?.write(chunk);
  }

  /** Splices the client into a socket to the origin; `pending` is what the client sent meanwhile. */
  protected splice(origin: net.Socket, mode: TunnelMode, pending: Buffer[], closeIfSilentMs?: number): void {
    this.origin = origin;
    this.tunnelProxyPort = origin.localPort;
    this.log({ kind: 'tunnel-open', mode, originPort: origin.remotePort ?? 0, proxyPort: origin.localPort ?? 0 });
    origin.on('data', (chunk: Buffer) => {
      if (!this.clientWritable()) return;
      this.writeToClient(chunk);
      this.logBytes('p2c', chunk, this.dataFrame);
    });
    origin.on('end', () => {
      this.log({ kind: 'origin-fin' });
      if (this.clientWritable()) this.endClient();
    });
    origin.on('error', () => {});
    for (const chunk of pending) this.intoTunnel(chunk);
    if (this.gone) origin.end();
    if (closeIfSilentMs !== undefined) {
      const timer = setTimeout(() => {
        if (this.tunnelled > 0 || this.isClosed || this.abort.signal.aborted) return;
        this.note(`the client sent nothing into the tunnel for ${closeIfSilentMs} ms: the step closes it`);
        this.end('close');
      }, closeIfSilentMs);
      this.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
  }

  /** Ends everything after the case: waits stop, sockets are destroyed and marked as the harness's doing. */
  shutdown(): void {
    this.abort.abort();
    this.wake();
    if (!this.isClosed) this.destroyClient();
    this.origin?.destroy();
  }

  trace(caseStart: number, index: number): ConnectionTrace {
    const rel = (at: number) => Math.round((at - caseStart) * 10) / 10;
    const events = this.logged.map(({ at, event, bytes }): ProxyEvent => {
      const t = rel(at);
      return bytes && (event.kind === 'c2p' || event.kind === 'p2c' || event.kind === 'note')
        ? { ...event, data: bytes.toString('base64'), t }
        : { ...event, t };
    });
    return {
      id: this.id,
      index,
      clientPort: this.clientPort,
      openedAt: rel(this.openedAtAbs),
      protocol: this.protocol,
      ...this.streamId(),
      requests: this.requests.map((r) => ({ t: rel(r.at), head: r.head, raw: r.raw.toString('base64') })),
      earlyBytes: Buffer.concat(this.early).toString('base64'),
      events,
      ...(this.tunnelProxyPort !== undefined ? { tunnelProxyPort: this.tunnelProxyPort } : {}),
    };
  }

  protected streamId(): { h2Stream?: number } {
    return {};
  }
}
