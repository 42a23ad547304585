/**
 * One client TCP connection speaking HTTP/1.1 to the mock proxy (plain, or TLS with ALPN
 * http/1.1). Bytes go out exactly as the fixture wrote them; socket-level facts (FIN vs RST, who
 * first) are recorded here because only here are they known.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Endpoint, type TunnelOpener } from './endpoint';
import { leadingResponseHeads, parseRequestHead, type RequestHead } from '../wire/http-head';
import type { Step } from '../cases/schema';

/** A request head larger than this is refused (431) rather than buffered without bound. */
export const MAX_HEAD_BYTES = 1024 * 1024;

const REFUSE_431 = Buffer.from('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');

export class H1Connection extends Endpoint {
  readonly protocol = 'h1';
  readonly clientPort: number;
  protected readonly dataFrame = undefined;
  private inbox = Buffer.alloc(0);
  private collectingEarly = false;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly socket: net.Socket,
    id: number,
  ) {
    super(id);
    this.clientPort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    this.log({ kind: 'open', clientPort: this.clientPort });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.log({ kind: 'client-fin' });
      this.markClientGone();
      this.origin?.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.log({ kind: 'client-rst', errno: err.code });
      else this.note(`socket error ${err.code ?? err.message}`);
      this.markClientGone();
    });
    socket.on('close', () => {
      this.closed = true;
      this.log({ kind: 'closed' });
      this.markClientGone();
      this.origin?.destroy();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    this.logBytes('c2p', chunk);
    if (this.origin) {
      this.intoTunnel(chunk);
      return;
    }
    if (this.collectingEarly) this.early.push(chunk);
    this.inbox = Buffer.concat([this.inbox, chunk]);
    this.wake();
  }

  protected override wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits for the next complete request head; undefined if the client leaves or time runs out. */
  async nextRequest(timeoutMs: number): Promise<RequestHead | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const head = parseRequestHead(this.inbox);
      if (head) {
        const raw = Buffer.from(this.inbox.subarray(0, head.length));
        this.inbox = this.inbox.subarray(head.length);
        this.logRequest(head, raw);
        if (!this.responded && this.requests.length === 1) {
          // Bytes already behind the head count as early data, and so does whatever arrives
          // before the proxy's first byte.
          this.collectingEarly = true;
          if (this.inbox.length) this.early.push(Buffer.from(this.inbox));
        }
        return head;
      }
      if (this.gone || this.abort.signal.aborted) return undefined;
      if (this.inbox.length > MAX_HEAD_BYTES) {
        this.note(`request head larger than ${MAX_HEAD_BYTES} bytes without an end: refused with 431`);
        this.write(REFUSE_431);
        this.log({ kind: 'proxy-close', reason: 'request head too large' });
        this.socket.end();
        this.socket.destroySoon();
        this.inbox = Buffer.alloc(0);
        return undefined;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.note(`no complete request head within ${timeoutMs} ms`);
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

  /** Writes bytes as they are; the response heads they start with are recorded as typed events. */
  private write(bytes: Buffer, heads = true): void {
    this.collectingEarly = false;
    this.responded = true;
    if (!this.socket.writable) {
      this.note(`could not send ${bytes.length} bytes: socket no longer writable`);
      return;
    }
    if (heads) for (const head of leadingResponseHeads(bytes).heads) this.logResponse(head);
    this.socket.write(bytes);
    this.logBytes('p2c', bytes);
  }

  protected async send(step: Extract<Step, { do: 'send' }>, vars: Readonly<Record<string, string>>): Promise<void> {
    const chunks = this.segments(step, vars);
    // Heads are read from the step's bytes as a whole: a head split into segments is still one head.
    if (this.socket.writable) for (const head of leadingResponseHeads(Buffer.concat(chunks)).heads) this.logResponse(head);
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0 && step.gapMs) await this.sleep(step.gapMs);
      this.write(chunks[i]!, false);
    }
  }

  protected end(how: 'fin' | 'close' | 'reset'): void {
    if (how === 'fin') {
      this.log({ kind: 'proxy-fin' });
      this.socket.end();
    } else if (how === 'close') {
      this.log({ kind: 'proxy-close' });
      this.socket.end();
      this.socket.destroySoon();
    } else {
      this.log({ kind: 'proxy-rst' });
      this.socket.resetAndDestroy();
    }
  }

  async closeIdle(): Promise<void> {
    if (this.closed) return;
    // The client stayed silent past the request timeout, or half-closed: the proxy closes.
    this.log({ kind: 'proxy-close', reason: 'no further request' });
    this.socket.end();
    this.socket.destroySoon();
  }

  protected async tunnel(opener: TunnelOpener, closeIfSilentMs?: number): Promise<void> {
    this.collectingEarly = false;
    const origin = await opener.open();
    const pending: Buffer[] = [];
    // An absolute-form request is forwarded as it came (its head was consumed by the parser).
    const last = this.requests[this.requests.length - 1];
    if (last && last.head.method !== 'CONNECT' && /^(https?|wss?):\/\//i.test(last.head.target)) pending.push(last.raw);
    if (this.inbox.length) pending.push(this.inbox);
    this.inbox = Buffer.alloc(0);
    this.splice(origin, opener.mode, pending, closeIfSilentMs);
    origin.on('close', () => {
      if (!this.closed) this.socket.destroySoon();
    });
  }

  protected clientWritable(): boolean {
    return this.socket.writable;
  }

  protected writeToClient(chunk: Buffer): void {
    this.socket.write(chunk);
  }

  protected endClient(): void {
    this.socket.end();
  }

  protected destroyClient(): void {
    this.log({ kind: 'harness-close' });
    this.socket.destroy();
  }
}
