/**
 * The human-readable wire log, rendered from typed events: what the case page and
 * `npm run case` print. Wording here is for people only; no fact reads it.
 */
import { escapeBytes } from '../wire/bytes';
import { errorCodeName } from '../wire/h2-frames';
import type { FirstProxyRecord } from '../evidence/record';
import type { H2Frame, H2SessionFrame, H2SessionTrace, OriginEvent, ProxyEvent, Header } from '../evidence/events';

export const DIRECTION: Partial<Record<ProxyEvent['kind'], string>> = { c2p: 'client → proxy', p2c: 'proxy → client' };

function frameText(f: H2Frame | undefined): string {
  if (!f) return '';
  if (f.type === 'RST_STREAM') return ` [RST_STREAM ${errorCodeName(f.errorCode ?? 0)}]`;
  if (f.type === 'GOAWAY') return ` [GOAWAY last-stream-id ${f.lastStreamId} ${errorCodeName(f.errorCode ?? 0)}]`;
  if (f.type === 'WINDOW_UPDATE') return ` [WINDOW_UPDATE +${f.increment}]`;
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
    case 'h2-frame':
      return `proxy sent${frameText(e.frame)} (scripted)`;
    case 'h2-headers':
      return `proxy sent a HEADERS frame after the response${frameText(e.frame)} | ${fields(e.headers)} (scripted)`;
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

const SETTING_NAMES: Record<number, string> = {
  1: 'HEADER_TABLE_SIZE',
  2: 'ENABLE_PUSH',
  3: 'MAX_CONCURRENT_STREAMS',
  4: 'INITIAL_WINDOW_SIZE',
  5: 'MAX_FRAME_SIZE',
  6: 'MAX_HEADER_LIST_SIZE',
  8: 'ENABLE_CONNECT_PROTOCOL',
};

/** One line for a frame of a recorded HTTP/2 session. */
export function describeSessionFrame(f: H2SessionFrame): string {
  const flags: string[] = [];
  if (f.type === 'SETTINGS' || f.type === 'PING') {
    if (f.flags & 1) flags.push('ACK');
  } else {
    if (f.flags & 1 && (f.type === 'DATA' || f.type === 'HEADERS')) flags.push('END_STREAM');
    if (f.flags & 4 && f.type === 'HEADERS') flags.push('END_HEADERS');
  }
  const detail = [
    f.settings?.map((s) => `${SETTING_NAMES[s.id] ?? `0x${s.id.toString(16)}`}=${s.value}`).join(' '),
    f.lastStreamId !== undefined ? `last-stream-id ${f.lastStreamId}` : undefined,
    f.errorCode !== undefined ? errorCodeName(f.errorCode) : undefined,
    f.increment !== undefined ? `+${f.increment}` : undefined,
    f.type === 'DATA' ? `${f.length} bytes` : undefined,
  ].filter(Boolean);
  return `${f.dir === 'c2p' ? 'client → proxy' : 'proxy → client'} ${f.type}${f.stream ? ` stream ${f.stream}` : ''}${flags.length ? ` ${flags.join(' ')}` : ''}${detail.length ? ` ${detail.join(', ')}` : ''}${f.scripted ? ` (${f.scripted} by the case)` : ''}`;
}

/**
 * A recorded HTTP/2 session as lines: every frame but DATA in full; consecutive DATA frames of one
 * stream in one direction as one line with their count and bytes (their payloads are in the streams' logs).
 */
export function sessionLogLines(session: H2SessionTrace): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  let run: { f: H2SessionFrame; n: number; bytes: number } | undefined;
  const flush = () => {
    if (!run) return;
    const { f, n, bytes } = run;
    out.push({
      t: f.t,
      text:
        n === 1
          ? describeSessionFrame(f)
          : `${f.dir === 'c2p' ? 'client → proxy' : 'proxy → client'} DATA stream ${f.stream} ×${n}, ${bytes} bytes`,
    });
    run = undefined;
  };
  for (const f of session.frames) {
    if (f.type === 'DATA' && !f.scripted && !(f.flags & 1)) {
      if (run && run.f.dir === f.dir && run.f.stream === f.stream) {
        run.n++;
        run.bytes += f.length;
        continue;
      }
      flush();
      run = { f, n: 1, bytes: f.length };
      continue;
    }
    flush();
    out.push({ t: f.t, text: describeSessionFrame(f) });
  }
  flush();
  if (session.framesOmitted)
    out.push({ t: out[out.length - 1]?.t ?? 0, text: `${session.framesOmitted} further frames counted, not kept` });
  return out;
}

/** The first proxy of a proxy list, in one line: what it was and what reached it. */
export function describeFirstProxy(f: FirstProxyRecord): string {
  const what =
    f.kind === 'refused'
      ? 'nothing listening (connections refused, so none can be seen)'
      : f.kind === 'not-tls'
        ? 'a listener that answers the TLS ClientHello with plain HTTP bytes'
        : 'a mock proxy running the case\'s "first" script';
  return `first proxy of the list: ${f.scheme} 127.0.0.1:${f.port}, ${what}; ${f.accepts.length} connection(s) accepted${f.accepts.length ? ` at ${f.accepts.map((t) => `${t} ms`).join(', ')}` : ''}`;
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

const TLS_CONTENT: Record<number, string> = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data' };
const TLS_HANDSHAKE: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  11: 'Certificate',
  15: 'CertificateVerify',
  20: 'Finished',
};

/**
 * The TLS records a chunk of tunnelled bytes is made of ("handshake ClientHello 512, application_data
 * 1203"), or undefined when the chunk does not start on a record boundary. A tunnel carries the
 * origin's TLS: its record layer is what a reader can follow; the payload is encrypted.
 */
export function tlsRecords(bytes: Uint8Array): string | undefined {
  const parts: string[] = [];
  let off = 0;
  while (off + 5 <= bytes.length) {
    const type = bytes[off]!;
    if (!TLS_CONTENT[type] || bytes[off + 1] !== 0x03) return undefined;
    const len = (bytes[off + 3]! << 8) | bytes[off + 4]!;
    const hs = type === 22 && off + 5 < bytes.length ? TLS_HANDSHAKE[bytes[off + 5]!] : undefined;
    const cut = off + 5 + len > bytes.length ? ` (continues in the next chunk: ${off + 5 + len - bytes.length} bytes)` : '';
    const hello = hs === 'ClientHello' ? clientHelloText(bytes.subarray(off + 5, off + 5 + len)) : '';
    if (parts.length < 8) parts.push(`${TLS_CONTENT[type]}${hs ? ` ${hs}` : ''} ${len}${hello}${cut}`);
    off += 5 + len;
  }
  if (!parts.length) return undefined;
  const n = parts.length === 8 ? ', …' : '';
  return `TLS records: ${parts.join(', ')}${n}`;
}

/**
 * What a reader wants of a ClientHello: the server name it asks for (SNI) and the protocols it
 * offers (ALPN), as " (SNI host, ALPN h2, http/1.1)"; "" where the message is cut or malformed
 * (every length is checked against the bytes: the bytes are the client's, and anything may come).
 */
export function clientHelloText(hs: Uint8Array): string {
  const b = Buffer.from(hs.buffer, hs.byteOffset, hs.byteLength);
  if (b.length < 4 || b[0] !== 1) return '';
  let at = 4 + 2 + 32; // handshake header, client_version, random
  const skip = (lenBytes: number) => {
    if (at + lenBytes > b.length) return false;
    const n = lenBytes === 1 ? b[at]! : b.readUInt16BE(at);
    at += lenBytes + n;
    return at <= b.length;
  };
  if (!skip(1) || !skip(2) || !skip(1) || at + 2 > b.length) return '';
  const end = Math.min(b.length, at + 2 + b.readUInt16BE(at));
  at += 2;
  let sni: string | undefined;
  let alpn: string[] | undefined;
  while (at + 4 <= end) {
    const type = b.readUInt16BE(at);
    const len = b.readUInt16BE(at + 2);
    const data = b.subarray(at + 4, Math.min(end, at + 4 + len));
    if (type === 0 && data.length >= 5 && data[2] === 0) sni = data.subarray(5, 5 + data.readUInt16BE(3)).toString('latin1');
    if (type === 16 && data.length >= 2) {
      alpn = [];
      for (let i = 2; i < data.length; i += 1 + data[i]!) alpn.push(data.subarray(i + 1, i + 1 + data[i]!).toString('latin1'));
    }
    at += 4 + len;
  }
  const parts = [...(sni !== undefined ? [`SNI ${sni}`] : ['no SNI']), ...(alpn ? [`ALPN ${alpn.join(', ')}`] : [])];
  return ` (${parts.join(', ')})`;
}
