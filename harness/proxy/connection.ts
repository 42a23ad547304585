/**
 * One client TCP connection to the mock proxy: its wire log and the step engine that answers it.
 * Socket-level facts (FIN vs RST, who first) are recorded here because only here are they known.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { abortableSleep, pause, sendSegments } from './step-bytes';
import { findHeadEnd, parseRequestHead, type RequestHead } from '../wire/http-head';
import type { Step } from '../cases/schema';
import type { ConnectionTrace, WireEvent, WireEventKind } from './trace';

export type StepResult = 'continue' | 'terminal';

/** A request head larger than this is refused (431) rather than buffered without bound. */
export const MAX_HEAD_BYTES = 1024 * 1024;

export class ProxyConnection {
  readonly openedAtAbs = performance.now();
  readonly events: { at: number; kind: WireEventKind; data?: Buffer; note?: string }[] = [];
  readonly requests: { at: number; head: RequestHead; raw: Buffer }[] = [];
  private inbox = Buffer.alloc(0);
  private early: Buffer[] = [];
  private collectingEarly = false;
  private respondedOnce = false;
  private waiters: (() => void)[] = [];
  private ended = false; // client FIN or RST seen, or socket closed
  private closed = false;
  private tunnelSocket: net.Socket | undefined;
  private originPort: number | undefined;
  /** Set by the owner so the session hears about every event (for settling). */
  onActivity: () => void = () => {};
  /** Resolves when the client has closed (FIN/RST) or the socket is gone. */
  readonly clientGone: Promise<void>;
  private resolveClientGone!: () => void;
  /** Aborts waits when the case is over. */
  private abort = new AbortController();

  constructor(
    readonly socket: net.Socket,
    readonly id: number,
  ) {
    this.clientGone = new Promise((r) => (this.resolveClientGone = r));
    socket.setNoDelay(true);
    this.log('open', undefined, `from 127.0.0.1:${socket.remotePort}`);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.log('client-fin');
      this.markClientGone();
      this.tunnelSocket?.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.log('client-rst', undefined, err.code);
      else this.log('note', undefined, `socket error ${err.code ?? err.message}`);
      this.markClientGone();
    });
    socket.on('close', () => {
      this.closed = true;
      this.log('closed');
      this.markClientGone();
      this.tunnelSocket?.destroy();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private markClientGone(): void {
    this.ended = true;
    this.resolveClientGone();
    this.wake();
  }

  log(kind: WireEventKind, data?: Buffer, note?: string): void {
    this.events.push({ at: performance.now(), kind, ...(data ? { data } : {}), ...(note ? { note } : {}) });
    this.onActivity();
  }

  private onData(chunk: Buffer): void {
    this.log('c2p', chunk);
    if (this.tunnelSocket) {
      this.tunnelSocket.write(chunk);
      return;
    }
    if (this.collectingEarly) this.early.push(chunk);
    this.inbox = Buffer.concat([this.inbox, chunk]);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  private sleep(ms: number): Promise<void> {
    return abortableSleep(this.abort.signal, ms);
  }

  /** Waits for the next complete request head; undefined if the client leaves or time runs out. */
  async nextRequest(timeoutMs: number): Promise<RequestHead | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const head = parseRequestHead(this.inbox);
      if (head) {
        const raw = this.inbox.subarray(0, head.length);
        this.inbox = this.inbox.subarray(head.length);
        this.requests.push({ at: performance.now(), head, raw: Buffer.from(raw) });
        this.log('request', undefined, `#${this.requests.length}: ${head.method} ${head.target} ${head.version}`);
        if (!this.respondedOnce && this.requests.length === 1) {
          // Bytes already behind the head count as early data, and so does whatever arrives
          // before the proxy's first byte.
          this.collectingEarly = true;
          if (this.inbox.length) this.early.push(Buffer.from(this.inbox));
        }
        return head;
      }
      if (this.ended || this.abort.signal.aborted) return undefined;
      if (this.inbox.length > MAX_HEAD_BYTES) {
        this.log('note', undefined, `request head larger than ${MAX_HEAD_BYTES} bytes without an end: refused with 431`);
        this.write(Buffer.from('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
        this.socket.end();
        this.socket.destroySoon();
        this.inbox = Buffer.alloc(0);
        return undefined;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.log('note', undefined, `no complete request head within ${timeoutMs} ms`);
        return undefined;
      }
      await new Promise<void>((resolve) => {
        const signal = this.abort.signal;
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private write(bytes: Buffer): void {
    if (this.collectingEarly) {
      this.collectingEarly = false;
    }
    this.respondedOnce = true;
    if (this.socket.writable) {
      this.socket.write(bytes);
      this.log('p2c', bytes);
    } else {
      this.log('note', undefined, `could not send ${bytes.length} bytes: socket no longer writable`);
    }
  }

  /** Runs one fixture step. `openTunnel` is supplied by the owner (it knows the origin). */
  async run(step: Step, openTunnel: () => Promise<net.Socket>, vars: Readonly<Record<string, string>> = {}): Promise<StepResult> {
    if (this.abort.signal.aborted) return 'terminal';
    switch (step.do) {
      case 'send': {
        const chunks = sendSegments(step, vars);
        for (let i = 0; i < chunks.length; i++) {
          if (i > 0 && step.gapMs) await this.sleep(step.gapMs);
          this.write(chunks[i]!);
        }
        return 'continue';
      }
      case 'wait':
      case 'hold':
        await pause(step, this.abort.signal, this.clientGone);
        return 'continue';
      case 'fin':
        this.log('proxy-fin');
        this.socket.end();
        return 'terminal';
      case 'close':
        this.log('proxy-close');
        this.socket.end();
        this.socket.destroySoon();
        return 'terminal';
      case 'reset':
        this.log('proxy-rst');
        this.socket.resetAndDestroy();
        return 'terminal';
      case 'tunnel': {
        this.collectingEarly = false;
        this.respondedOnce = true;
        const origin = await openTunnel();
        this.originPort = origin.localPort;
        this.tunnelSocket = origin;
        this.log('tunnel-open', undefined, `origin port ${origin.remotePort}, proxy side ${origin.localPort}`);
        origin.on('data', (chunk: Buffer) => {
          if (this.socket.writable) {
            this.socket.write(chunk);
            this.log('p2c', chunk);
          }
        });
        origin.on('end', () => {
          this.log('origin-fin');
          if (this.socket.writable) this.socket.end();
        });
        origin.on('error', () => {});
        origin.on('close', () => {
          if (!this.closed) this.socket.destroySoon();
        });
        // An absolute-form request is forwarded as it came (its head was consumed by the parser).
        const last = this.requests[this.requests.length - 1];
        if (last && last.head.method !== 'CONNECT' && /^(https?|wss?):\/\//i.test(last.head.target)) origin.write(last.raw);
        if (this.inbox.length) origin.write(this.inbox);
        this.inbox = Buffer.alloc(0);
        if (this.ended) origin.end();
        return 'terminal';
      }
    }
  }

  /** Ends everything after the case: waits stop, sockets are destroyed and marked as the harness's doing. */
  shutdown(): void {
    this.abort.abort();
    this.wake();
    if (!this.closed) {
      this.log('harness-close');
      this.socket.destroy();
    }
    this.tunnelSocket?.destroy();
  }

  trace(caseStart: number, index: number): ConnectionTrace {
    const rel = (at: number) => Math.round((at - caseStart) * 10) / 10;
    return {
      id: this.id,
      index,
      clientPort: this.socket.remotePort ?? 0,
      openedAt: rel(this.openedAtAbs),
      requests: this.requests.map((r) => ({ t: rel(r.at), head: r.head, raw: r.raw.toString('base64') })),
      earlyBytes: Buffer.concat(this.early).toString('base64'),
      events: this.events.map((e): WireEvent => ({
        t: rel(e.at),
        kind: e.kind,
        ...(e.data ? { data: e.data.toString('base64') } : {}),
        ...(e.note ? { note: e.note } : {}),
      })),
      ...(this.originPort !== undefined ? { originPort: this.originPort } : {}),
    };
  }
}
