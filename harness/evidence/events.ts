/**
 * Typed evidence: what the proxy and the origin write down, as data. Facts are pure functions of
 * these fields; the human-readable wire log is rendered from them (harness/report/wire-text.ts),
 * so rewording a log line can never change a fact or the verdict of a stored run.
 *
 * These shapes go into the raw results JSON as they are: bytes are base64 (valid JSON whatever
 * was sent) and times are ms from the case start, measured with a monotonic clock.
 */
import type { RequestHead, WireHeader } from '../wire/http-head';

export type Header = WireHeader;

/** An HTTP/2 frame, for events that travelled in one (RFC 9113 §6). */
export interface H2Frame {
  type: 'HEADERS' | 'DATA' | 'RST_STREAM' | 'WINDOW_UPDATE' | 'GOAWAY' | 'PING';
  flags: 'END_STREAM'[];
  /** RST_STREAM or GOAWAY error code (0 NO_ERROR, 7 REFUSED_STREAM, 8 CANCEL, 0xa CONNECT_ERROR). */
  errorCode?: number;
  /** GOAWAY: the last stream the sender says it processed. */
  lastStreamId?: number;
  /** WINDOW_UPDATE: the window increment. */
  increment?: number;
}

/**
 * One frame on an HTTP/2 session to the proxy, either way, as the proxy's frame tap saw it on the
 * wire (cases with a scripted session): the session-level record that per-stream traces cannot
 * hold (SETTINGS, GOAWAY, PING, WINDOW_UPDATE, which streams were open at once). DATA payloads are
 * in the stream traces; here only their length.
 */
export interface H2SessionFrame {
  t: number;
  dir: 'c2p' | 'p2c';
  /** RFC 9113 §6 name ("HEADERS", "GOAWAY"…), or the type code in hex for an unknown type. */
  type: string;
  stream: number;
  flags: number;
  length: number;
  errorCode?: number;
  lastStreamId?: number;
  increment?: number;
  settings?: { id: number; value: number }[];
  /** Written by the case's script beside the HTTP/2 library (a raw frame), or a SETTINGS frame it rewrote. */
  scripted?: 'injected' | 'rewritten';
}

export interface H2SessionTrace {
  /** The connection id the session's streams carry in their traces. */
  id: number;
  clientPort: number;
  /** ms from case start (negative: the session was opened before the case began). */
  openedAt: number;
  closedAt?: number;
  frames: H2SessionFrame[];
  /** Frames beyond the kept limit: counted, not listed. */
  framesOmitted?: number;
}

/** Where a tunnel step spliced the client: the TLS origin, the plain origin, or an http: request forwarded over HTTP/2. */
export type TunnelMode = 'tls' | 'plain' | 'forward-http';

/** One event on one client connection (an HTTP/2 CONNECT stream counts as one), without its time. */
export type ProxyEventData =
  | { kind: 'open'; clientPort: number; h2?: { connection: number; stream: number } }
  /** Bytes client → proxy (over HTTP/2: a DATA frame's payload). */
  | { kind: 'c2p'; data: string; frame?: H2Frame }
  /** Bytes proxy → client (over HTTP/2: a DATA frame's payload). */
  | { kind: 'p2c'; data: string; frame?: H2Frame }
  /** A complete request head; its fields are in the connection's requests[index - 1]. */
  | { kind: 'request'; index: number; method: string; target: string; version: string; frame?: H2Frame }
  /** The fixture exchange chosen for the latest request; working: a helper exchange, not the answer under test. */
  | { kind: 'exchange'; index: number; note?: string; working?: true }
  /** A response head the proxy sent (parsed from the bytes it wrote, or an HTTP/2 HEADERS frame). */
  | {
      kind: 'response';
      version: string;
      status: number;
      reason: string;
      headers: Header[];
      interim: boolean;
      frame?: H2Frame;
      dropped?: string[];
    }
  /** A session or flow-control frame the case's script sent on this stream's behalf (GOAWAY, WINDOW_UPDATE, PING). */
  | { kind: 'h2-frame'; frame: H2Frame }
  /** A HEADERS frame the script wrote on the stream beside the library (after the response: trailers on a tunnel). */
  | { kind: 'h2-headers'; headers: Header[]; frame: H2Frame }
  | { kind: 'client-fin'; frame?: H2Frame }
  | { kind: 'client-rst'; errno?: string; frame?: H2Frame }
  | { kind: 'proxy-fin'; frame?: H2Frame }
  | { kind: 'proxy-close'; reason?: 'no further request' | 'request head too large' }
  | { kind: 'proxy-rst'; frame?: H2Frame }
  /** The harness tore the connection down after the case ended: whatever follows is its doing. */
  | { kind: 'harness-close'; frame?: H2Frame }
  | { kind: 'closed' }
  | { kind: 'tunnel-open'; mode: TunnelMode; originPort: number; proxyPort: number }
  | { kind: 'origin-fin' }
  /** One client-side rule of draft-ietf-httpbis-connect-tcp §3.1/§3.2, checked on the request. */
  | { kind: 'connect-tcp-check'; id: string; level: 'SHALL' | 'SHOULD'; ok: boolean; detail: string }
  /** For people only: nothing computes with a note. */
  | { kind: 'note'; text: string; data?: string };

export type ProxyEvent = ProxyEventData & { t: number };
export type ProxyEventKind = ProxyEvent['kind'];

/** What the origin behind the tunnel saw, without its time. */
export type OriginEventData =
  | { kind: 'handshake-completed'; tlsVersion: string; alpn: string | null; servername?: string }
  | { kind: 'handshake-failed'; error: string }
  /** scheme: whether the request came over TLS (absent in runs recorded before it was kept). */
  | {
      kind: 'request';
      method: string;
      target: string;
      version: string;
      host: string;
      path: string;
      headers: Header[];
      scheme?: 'http' | 'https';
    }
  /** A WebSocket handshake: an HTTP/1.1 Upgrade, or an HTTP/2 extended CONNECT (RFC 8441) whose headers include the pseudo-headers. */
  | { kind: 'websocket'; via: 'h2 extended CONNECT' | 'HTTP/1.1 Upgrade'; method: string; path: string; headers: Header[] }
  | { kind: 'ws-message'; text: string };

export type OriginEvent = OriginEventData & { t: number };

export interface RecordedRequest {
  t: number;
  head: RequestHead;
  /** base64 of the raw head bytes (over HTTP/2: the header list, one "name\nvalue" pair per line). */
  raw: string;
}

export interface ConnectionTrace {
  /** Proxy-wide id: two requests with the same id arrived on one TCP connection. */
  id: number;
  /** 1-based order among the case's connections. */
  index: number;
  clientPort: number;
  openedAt: number;
  protocol: 'h1' | 'h2';
  /** The stream id, for a CONNECT stream on an HTTP/2 connection (id is then the connection's, shared by its streams). */
  h2Stream?: number;
  requests: RecordedRequest[];
  /** base64 of the bytes that followed the first request head before the proxy's first byte. */
  earlyBytes: string;
  events: ProxyEvent[];
  /** The proxy's own (local) port of its socket to the origin, when tunnelled: the origin's log knows the connection by it. */
  tunnelProxyPort?: number;
}

export interface StrayRequest {
  at: string;
  connectionId: number;
  requestLine: string;
  host?: string;
}
