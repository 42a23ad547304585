/**
 * What the proxy writes down. These shapes go into the raw results JSON as they are, so every byte
 * is base64 (valid JSON whatever the proxy or browser sent) and every time is in ms from the case
 * start, measured with a monotonic clock.
 */
import type { RequestHead } from '../wire/http-head';

export type WireEventKind =
  | 'open' // TCP accepted
  | 'c2p' // bytes client → proxy
  | 'p2c' // bytes proxy → client
  | 'client-fin' // the client half-closed
  | 'client-rst' // the client reset (ECONNRESET / EPIPE on read)
  | 'proxy-fin' // the script half-closed
  | 'proxy-close' // the script closed
  | 'proxy-rst' // the script reset
  | 'harness-close' // the harness tore the socket down after the case ended
  | 'closed' // socket fully closed
  | 'request' // a request head was parsed (index into requests)
  | 'exchange' // an exchange was chosen (note says which)
  | 'tunnel-open' // spliced into the origin
  | 'origin-fin' // the origin side of a tunnel ended
  | 'frame' // an HTTP/2 frame as the HTTP/2 API reports it (note: direction, type, fields, flags)
  | 'note';

export interface WireEvent {
  t: number;
  kind: WireEventKind;
  /** base64, for c2p / p2c. */
  data?: string;
  note?: string;
}

export interface RecordedRequest {
  t: number;
  head: RequestHead;
  /** base64 of the raw head bytes. */
  raw: string;
}

export interface ConnectionTrace {
  /** Proxy-wide id: two requests with the same id arrived on one TCP connection. */
  id: number;
  /** 1-based order among the case's connections. */
  index: number;
  clientPort: number;
  openedAt: number;
  requests: RecordedRequest[];
  /** base64 of the bytes that followed the first request head before the proxy's first byte. */
  earlyBytes: string;
  events: WireEvent[];
  /** Local port of the proxy's socket to the origin, when tunnelled (joins the origin's log). */
  originPort?: number;
  /** "h2" for a CONNECT stream on an HTTP/2 connection (id is then the connection's, shared by its streams). */
  protocol?: 'h1' | 'h2';
  h2Stream?: number;
}

export interface StrayRequest {
  at: string;
  connectionId: number;
  requestLine: string;
  host?: string;
}
