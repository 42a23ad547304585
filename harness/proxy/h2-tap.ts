/**
 * The frame tap of a scripted HTTP/2 session: a relay between Node's HTTP/2 layer (nghttp2, which
 * keeps HPACK, flow control and stream state) and the client's TLS socket. Every frame either way
 * is recorded; the proxy's first SETTINGS is rewritten to the values the case advertises; and
 * frames the library will not send on request (GOAWAY naming any stream, WINDOW_UPDATE, DATA
 * before HEADERS, HEADERS after the 2xx) are slipped in at frame boundaries.
 *
 * What the client is told can differ from what the library enforces, on purpose: advertising
 * MAX_CONCURRENT_STREAMS 1 or INITIAL_WINDOW_SIZE 0 while the library stays permissive lets the
 * suite see a client exceed the limit instead of the library cutting it off first.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  encodeFrame,
  FLAG_ACK,
  FrameReader,
  type RawFrame,
  rewriteSettings,
  SETTINGS_IDS,
  settingsEntries,
  typeName,
} from '../wire/h2-frames';
import type { H2SessionFrame, H2SessionTrace } from '../evidence/events';

/** What a case's sessions advertise (fixture proxy.session). */
export interface SessionProfile {
  maxConcurrentStreams?: number;
  initialWindowSize?: number;
}

/** Frames kept per session; the rest are counted (a long download is thousands of DATA frames). */
const FRAME_LIMIT = 3000;

type LoggedFrame = Omit<H2SessionFrame, 't'> & { at: number };

export class H2Tap {
  readonly openedAtAbs = performance.now();
  closedAtAbs: number | undefined;
  private readonly frames: LoggedFrame[] = [];
  private omitted = 0;
  private readonly fromProxy = new FrameReader(false);
  private readonly fromClient = new FrameReader(true);
  private settingsSent = false;
  /** Streams the library has sent HEADERS on: a frame meant to follow the response waits for it. */
  private readonly answered = new Set<number>();
  private readonly waitingForHeaders: RawFrame[] = [];
  /** Frames released to go out with the library's next write. */
  private readonly queued: RawFrame[] = [];
  /** The library's end of the relay, once connected; client bytes wait here until then. */
  private library: net.Socket | undefined;
  private held: Buffer[] = [];
  private clientEnded = false;
  /** Set by the owner: every frame is activity for the case (settling). */
  onFrame: () => void = () => {};

  /**
   * `socket` is the client's TLS socket. The library gets a real socket of its own (the other end
   * of an in-process loopback relay, see attach): Node's HTTP/2 layer on a JS stream wrapper
   * aborts the process under load (a native assertion), on a real socket it behaves as it always has.
   */
  constructor(
    readonly socket: net.Socket,
    readonly id: number,
    private readonly profile: SessionProfile,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const { frame } of this.fromClient.push(chunk)) this.record('c2p', frame);
      if (this.library) this.library.write(chunk);
      else this.held.push(chunk);
    });
    socket.on('end', () => {
      this.clientEnded = true;
      this.library?.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedAtAbs ??= performance.now();
      this.library?.destroy();
    });
  }

  get clientPort(): number {
    return this.socket.remotePort ?? 0;
  }

  /** Joins the relay: `library` is the socket whose peer Node's HTTP/2 layer serves. */
  attach(library: net.Socket): void {
    this.library = library;
    library.setNoDelay(true);
    library.on('data', (chunk: Buffer) => this.fromLibrary(chunk));
    library.on('end', () => this.socket.end());
    library.on('error', () => {});
    library.on('close', () => this.socket.destroy());
    for (const chunk of this.held.splice(0)) library.write(chunk);
    if (this.clientEnded) library.end();
    if (this.socket.destroyed) library.destroy();
  }

  private fromLibrary(chunk: Buffer): void {
    const out: Buffer[] = [];
    for (const { frame, bytes } of this.fromProxy.push(chunk)) {
      let sent = frame;
      let scripted: 'rewritten' | undefined;
      if (frame.type === 4 && !(frame.flags & FLAG_ACK) && !this.settingsSent) {
        this.settingsSent = true;
        const values = new Map<number, number>();
        if (this.profile.maxConcurrentStreams !== undefined)
          values.set(SETTINGS_IDS.MAX_CONCURRENT_STREAMS, this.profile.maxConcurrentStreams);
        if (this.profile.initialWindowSize !== undefined) values.set(SETTINGS_IDS.INITIAL_WINDOW_SIZE, this.profile.initialWindowSize);
        if (values.size) {
          sent = { ...frame, payload: rewriteSettings(frame.payload, values) };
          scripted = 'rewritten';
        }
      }
      out.push(scripted ? encodeFrame(sent) : bytes);
      this.record('p2c', sent, scripted);
      if (frame.type === 1) this.answered.add(frame.stream);
      for (let i = this.waitingForHeaders.length - 1; i >= 0; i--)
        if (this.answered.has(this.waitingForHeaders[i]!.stream)) this.queued.push(...this.waitingForHeaders.splice(i, 1));
      out.push(...this.flushQueue());
    }
    if (out.length && this.socket.writable) this.socket.write(Buffer.concat(out));
  }

  private flushQueue(): Buffer[] {
    const frames = this.queued.splice(0);
    for (const f of frames) this.record('p2c', f, 'injected');
    return frames.map(encodeFrame);
  }

  /**
   * Writes a frame of the case's own beside the library's, at a frame boundary; with afterResponse,
   * only once the library has sent the stream's HEADERS.
   */
  inject(frame: RawFrame, { afterResponse = false } = {}): void {
    if (afterResponse && !this.answered.has(frame.stream)) {
      this.waitingForHeaders.push(frame);
      return;
    }
    this.queued.push(frame);
    // Only whole frames of the library's output ever reach the socket (a partial one waits in the
    // reader), so the socket is always at a frame boundary.
    if (this.socket.writable) this.socket.write(Buffer.concat(this.flushQueue()));
  }

  private record(dir: 'c2p' | 'p2c', f: RawFrame, scripted?: 'injected' | 'rewritten'): void {
    this.onFrame();
    if (this.frames.length >= FRAME_LIMIT) {
      this.omitted++;
      return;
    }
    const p = f.payload;
    const e: LoggedFrame = { at: performance.now(), dir, type: typeName(f.type), stream: f.stream, flags: f.flags, length: p.length };
    if (f.type === 3 && p.length >= 4) e.errorCode = p.readUInt32BE(0);
    if (f.type === 4 && !(f.flags & FLAG_ACK)) e.settings = settingsEntries(p);
    if (f.type === 7 && p.length >= 8) {
      e.lastStreamId = p.readUInt32BE(0) & 0x7fffffff;
      e.errorCode = p.readUInt32BE(4);
    }
    if (f.type === 8 && p.length >= 4) e.increment = p.readUInt32BE(0) & 0x7fffffff;
    if (scripted) e.scripted = scripted;
    this.frames.push(e);
  }

  /** The session's record, times relative to the case start, frames from `from` on. */
  trace(caseStart: number, from: number): H2SessionTrace {
    const rel = (at: number) => Math.round((at - caseStart) * 10) / 10;
    return {
      id: this.id,
      clientPort: this.clientPort,
      openedAt: rel(this.openedAtAbs),
      ...(this.closedAtAbs !== undefined ? { closedAt: rel(this.closedAtAbs) } : {}),
      frames: this.frames.filter((f) => f.at >= from).map(({ at, ...f }) => ({ t: rel(at), ...f })),
      ...(this.omitted ? { framesOmitted: this.omitted } : {}),
    };
  }
}
