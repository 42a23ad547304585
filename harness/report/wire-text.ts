/**
 * The human-readable wire log, rendered from typed events: what the case page and
 * `npm run case` print. Wording here is for people only; no fact reads it.
 */
import { escapeBytes } from '../wire/bytes';
import type { H2Frame, OriginEvent, ProxyEvent, Header } from '../evidence/events';

const RST_CODES: Record<number, string> = {
  0: 'NO_ERROR',
  1: 'PROTOCOL_ERROR',
  2: 'INTERNAL_ERROR',
  5: 'STREAM_CLOSED',
  7: 'REFUSED_STREAM',
  8: 'CANCEL',
  10: 'CONNECT_ERROR',
};

export const DIRECTION: Partial<Record<ProxyEvent['kind'], string>> = { c2p: 'client → proxy', p2c: 'proxy → client' };

function frameText(f: H2Frame | undefined): string {
  if (!f) return '';
  if (f.type === 'RST_STREAM') return ` [RST_STREAM ${RST_CODES[f.errorCode ?? -1] ?? `0x${(f.errorCode ?? 0).toString(16)}`}]`;
  return ` [${f.type}${f.flags.length ? ` ${f.flags.join(' ')}` : ''}]`;
}

const fields = (headers: readonly Header[]) => headers.map((h) => `${h.name}: ${h.value}`).join(' | ');

/** One line for a proxy event, without its bytes (bytes are shown by the caller, escaped or as hex). */
export function describeProxyEvent(e: ProxyEvent): string {
  switch (e.kind) {
    case 'open':
      return `open from 127.0.0.1:${e.clientPort}${e.h2 ? ` (HTTP/2 connection ${e.h2.connection}, stream ${e.h2.stream})` : ''}`;
    case 'c2p':
    case 'p2c':
      return `${DIRECTION[e.kind]}${frameText(e.frame)}`;
    case 'request':
      return `request #${e.index}: ${e.method} ${e.target} ${e.version}${frameText(e.frame)}`;
    case 'exchange':
      return `answered with exchanges[${e.index}]${e.note ? ` (${e.note})` : ''}`;
    case 'response':
      return `response ${e.version} ${e.status}${e.reason ? ` ${e.reason}` : ''}${e.interim ? ' (interim)' : ''}${frameText(e.frame)}${e.headers.length ? ` | ${fields(e.headers)}` : ''}${e.dropped?.length ? ` (dropped for HTTP/2: ${e.dropped.join(', ')})` : ''}`;
    case 'client-fin':
      return `client closed its side${frameText(e.frame)}`;
    case 'client-rst':
      return `client reset${e.errno ? ` (${e.errno})` : ''}${frameText(e.frame)}`;
    case 'proxy-fin':
      return `proxy half-closed${frameText(e.frame)}`;
    case 'proxy-close':
      return `proxy closed${e.reason ? ` (${e.reason})` : ''}`;
    case 'proxy-rst':
      return `proxy reset${frameText(e.frame)}`;
    case 'harness-close':
      return `harness closed the connection after the case${frameText(e.frame)}`;
    case 'closed':
      return 'connection closed';
    case 'tunnel-open':
      return e.mode === 'forward-http'
        ? `forwarding the request to the plain origin as HTTP/1.1 (proxy side ${e.proxyPort})`
        : `tunnel to the ${e.mode === 'tls' ? 'TLS' : 'plain'} origin (origin port ${e.originPort}, proxy side ${e.proxyPort})`;
    case 'origin-fin':
      return 'the origin ended its side of the tunnel';
    case 'connect-tcp-check':
      return `connect-tcp ${e.level} ${e.id}: ${e.ok ? 'ok' : 'NOT MET'} (${e.detail})`;
    case 'note':
      return e.text;
  }
}

export function describeOriginEvent(e: OriginEvent): string {
  switch (e.kind) {
    case 'handshake-completed':
      return `TLS handshake completed: ${e.tlsVersion}, ALPN ${e.alpn ?? 'none'}${e.servername ? `, SNI ${e.servername}` : ''}`;
    case 'handshake-failed':
      return `TLS handshake failed: ${e.error}`;
    case 'request':
      return `request ${e.method} ${e.target} ${e.version}${e.headers.length ? ` | ${fields(e.headers)}` : ''}`;
    case 'websocket':
      return `WebSocket by ${e.via}: ${e.method} ${e.path} | ${fields(e.headers)}`;
    case 'ws-message':
      return `WebSocket message: ${e.text}`;
  }
}

const TLS_RECORD: Record<number, string> = { 20: 'change cipher spec', 21: 'alert', 22: 'handshake', 23: 'application data' };

/** Bytes for a terminal: TLS records by type (their contents are opaque), anything else escaped. */
function bytesText(bytes: Buffer, max: number): string {
  const type = TLS_RECORD[bytes[0] ?? -1];
  if (type && bytes[1] === 0x03)
    return `${bytes.length} bytes: TLS ${type}${bytes[0] === 0x16 && bytes[5] === 0x01 ? ' (ClientHello)' : ''}`;
  return `${bytes.length} bytes: ${escapeBytes(bytes, max)}`;
}

/** A whole wire log as terminal text: one line per event, bytes escaped and shortened. */
export function wireLogLines(connections: readonly { index: number; events: readonly ProxyEvent[] }[], maxBytes = 300): string[] {
  return connections
    .flatMap((c) => c.events.map((e) => ({ c, e })))
    .sort((a, b) => a.e.t - b.e.t)
    .map(({ c, e }) => {
      const bytes = 'data' in e && e.data ? Buffer.from(e.data, 'base64') : undefined;
      return `${e.t.toFixed(1).padStart(9)} ms  #${c.index}  ${describeProxyEvent(e)}${bytes ? `  ${bytesText(bytes, maxBytes)}` : ''}`;
    });
}
