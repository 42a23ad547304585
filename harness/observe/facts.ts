/**
 * Derives the facts (harness/observe/fact-names.ts) from a raw case record. Pure and
 * deterministic: the report recomputes them from stored evidence, so changing a definition here
 * re-reads old runs rather than trusting what was written at the time.
 */
import { beginsTlsHandshake } from '../wire/bytes';
import { headerValue } from '../wire/http-head';
import type { ConnectionTrace } from '../proxy/trace';
import type { CaseRecord } from './record';
import type { Facts } from './fact-names';

const b64 = (s: string) => Buffer.from(s, 'base64');

function withHost(text: string, host: string): string {
  return text.split(host).join('{host}');
}

/** Events of a connection that happened while the case was live (before the harness closed it). */
function liveEvents(c: ConnectionTrace, rec: CaseRecord) {
  return c.events.filter((e) => e.t < rec.harness.contextClosedAt);
}

function pageFact(rec: CaseRecord): string {
  const nav = rec.navigation;
  if (!nav) return 'no outcome';
  if (nav.originMarkerFound) return 'loaded';
  if (nav.proxyMarkerFound) return 'proxy body shown';
  if (nav.error?.code === 'timeout') return 'no outcome';
  if (nav.error) return 'error page';
  return 'other content';
}

function targetForm(target: string, method: string): string {
  if (/^https?:\/\//i.test(target)) return 'absolute-form';
  if (target.startsWith('/')) return 'origin-form';
  if (method === 'CONNECT' || /^[^/\s]+$/.test(target)) {
    return /:\d+$/.test(target) ? 'authority-form host:port' : 'authority-form without port';
  }
  return 'other';
}

function earlyBytesFact(c: ConnectionTrace | undefined): string {
  if (!c) return 'none';
  const early = b64(c.earlyBytes);
  if (early.length === 0) return 'none';
  return beginsTlsHandshake(early) ? 'TLS handshake' : 'other';
}

function firstClose(c: ConnectionTrace | undefined, rec: CaseRecord): { who: string; browserMs?: number } {
  if (!c) return { who: 'neither' };
  const live = liveEvents(c, rec);
  const first = live.find((e) => ['client-fin', 'client-rst', 'proxy-fin', 'proxy-close', 'proxy-rst', 'origin-fin'].includes(e.kind));
  if (!first) return { who: 'neither' };
  if (first.kind === 'client-fin' || first.kind === 'client-rst') {
    const lastSent = [...live].reverse().find((e) => e.kind === 'p2c' && e.t <= first.t);
    return { who: first.kind === 'client-fin' ? 'browser (FIN)' : 'browser (RST)', ...(lastSent ? { browserMs: Math.round(first.t - lastSent.t) } : {}) };
  }
  return { who: 'proxy' };
}

/** A 407 on the wire: an HTTP/1.x status line, or HTTP/2 HEADERS with :status 407. */
const is407 = (e: { kind: string; data?: string; note?: string }) =>
  (e.kind === 'p2c' && /^HTTP\/1\.[01] 407/.test(b64(e.data ?? '').subarray(0, 12).toString('latin1'))) ||
  (e.kind === 'frame' && /^→ HEADERS :status: 407/.test(e.note ?? ''));

function authFacts(rec: CaseRecord): { retry: string; sent: string; challenges: number } {
  const requests = rec.connections.flatMap((c) => c.requests.filter((r) => r.t < rec.harness.contextClosedAt).map((r) => ({ conn: c.id, r })));
  requests.sort((a, b) => a.r.t - b.r.t);
  const first = requests[0];
  const withAuth = requests.find((x) => headerValue(x.r.head, 'proxy-authorization') !== undefined);
  // 407s the proxy sent before the first authorised request (from the wire, not the script).
  const untilAuth = withAuth?.r.t ?? Infinity;
  const challenges = rec.connections
    .flatMap((c) => c.events)
    .filter((e) => e.t < untilAuth && e.t < rec.harness.contextClosedAt && is407(e)).length;
  if (!first || !withAuth) return { retry: 'none', sent: 'none', challenges };
  const value = headerValue(withAuth.r.head, 'proxy-authorization')!;
  let sent = value.split(' ')[0] ?? value;
  if (/^basic$/i.test(sent) && rec.credentials) {
    const expected = Buffer.from(`${rec.credentials.username}:${rec.credentials.password}`).toString('base64');
    sent = value.split(' ')[1] === expected ? 'Basic (the configured credentials)' : 'Basic (other credentials)';
  }
  // The retried request answers the latest 407 before it; [40] asks whether it came on that 407's
  // connection. (An earlier, abandoned connection — Chromium sometimes opens one — does not count.)
  const challengeConn = rec.connections
    .flatMap((c) => c.events.filter((e) => e.t < withAuth.r.t && is407(e)).map((e) => ({ conn: c.id, t: e.t })))
    .sort((a, b) => b.t - a.t)[0];
  const retry = withAuth === first || !challengeConn ? 'sent with the first request' : withAuth.conn === challengeConn.conn ? 'same connection' : 'new connection';
  return { retry, sent, challenges };
}

/** Bytes the browser sent into tunnels (after a tunnel-open event). */
/**
 * Bytes the client sent into its tunnels: everything on a tunnelled connection that is not a
 * request head. Counting only bytes logged after "tunnel-open" would miss a ClientHello that
 * arrived while the proxy was still dialling the origin (buffered, then forwarded): a race
 * that made origin-tls read "none" in some runs and "failed" in others.
 */
function tunnelledBytes(rec: CaseRecord): number {
  return rec.connections.reduce((sum, c) => {
    if (!c.events.some((e) => e.kind === 'tunnel-open')) return sum;
    const sent = c.events.filter((e) => e.kind === 'c2p').reduce((n, e) => n + b64(e.data ?? '').length, 0);
    // Over HTTP/2 a request head is a HEADERS frame, never c2p data; over HTTP/1.1 it is in the stream.
    const heads = c.protocol === 'h2' ? 0 : c.requests.reduce((n, r) => n + b64(r.raw).length, 0);
    return sum + Math.max(0, sent - heads);
  }, 0);
}

function originTls(rec: CaseRecord): string {
  if (rec.origin.some((e) => e.kind === 'handshake-completed')) return 'completed';
  // A tunnel the browser closed without sending a byte is no handshake attempt, whatever the
  // origin's TLS stack reports when its socket goes away.
  if (tunnelledBytes(rec) === 0) return 'none';
  const failed = rec.origin.find((e) => e.kind === 'handshake-failed');
  return failed ? `failed: ${failed.detail}` : 'none';
}

function requestHost(target: string, method: string): string | undefined {
  if (method === 'CONNECT') return target.replace(/:\d+$/, '').toLowerCase();
  try {
    return new URL(target).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const ERROR_PAGE = /^(about:blank|about:neterror|chrome-error:)/;

function finalUrl(rec: CaseRecord): string {
  const u = rec.navigation?.finalUrl;
  if (!u) return 'none';
  if (ERROR_PAGE.test(u)) return '(error page)';
  return withHost(u, rec.host);
}

function redirectFollowed(rec: CaseRecord): string {
  const other = rec.connections.some((c) => c.requests.some((r) => r.t < rec.harness.contextClosedAt && requestHost(r.head.target, r.head.method) !== rec.host));
  const u = rec.navigation?.finalUrl ?? '';
  let moved = false;
  if (!ERROR_PAGE.test(u)) {
    try {
      moved = new URL(u).hostname !== rec.host;
    } catch {
      moved = false;
    }
  }
  return other || moved ? 'yes' : 'no';
}

function originPaths(rec: CaseRecord): string {
  // Sorted: parallel fetches (a page and a preload) reach the origin in either order.
  const paths = rec.origin.filter((e) => e.kind === 'request' && e.path !== '/favicon.ico').map((e) => e.path ?? '?').sort();
  return paths.length ? paths.join(', ') : 'none';
}

function wsFacts(rec: CaseRecord): Facts {
  const ws = rec.origin.find((e) => e.kind === 'websocket');
  const detail = ws?.detail ?? '';
  const fields = detail.split(' | ').slice(1);
  const pseudo = fields.filter((f) => f.startsWith(':')).map((f) => f.split(':').slice(0, 2).join(':').trim());
  return {
    'ws-result': rec.navigation?.probe ?? 'none',
    'ws-handshake': !ws ? 'none' : detail.startsWith('h2 extended CONNECT') ? 'h2 extended CONNECT' : 'HTTP/1.1 Upgrade',
    'ws-pseudo-headers': pseudo.length ? pseudo.join(', ') : 'none',
    'ws-key': !ws ? 'none' : /sec-websocket-key:/i.test(detail) ? 'sent' : 'not sent',
    'ws-pseudo-check': !ws || !detail.startsWith('h2 extended CONNECT')
      ? 'none'
      : ((missing) => (missing.length ? `missing ${missing.join(', ')}` : 'complete'))([':method', ':protocol', ':scheme', ':path', ':authority'].filter((p) => !pseudo.includes(p))),
    'ws-tunnels': rec.connections.flatMap((c) => c.requests).filter((r) => r.head.method === 'CONNECT').length,
  };
}

export function computeFacts(rec: CaseRecord): Facts {
  const conns = [...rec.connections].sort((a, b) => a.openedAt - b.openedAt);
  const firstConn = conns.find((c) => c.requests.length > 0);
  const firstReq = firstConn?.requests[0]?.head;
  const close = firstClose(firstConn, rec);
  const auth = authFacts(rec);
  const facts: Facts = {
    page: pageFact(rec),
    error: rec.navigation?.error?.code ?? (rec.navigation ? 'none' : 'no navigation'),
    'committed-status': rec.navigation?.committed ? (rec.navigation.status ?? 'unknown') : 'none',
    'origin-tls': originTls(rec),
    'origin-requests': rec.origin.filter((e) => e.kind === 'request' && e.path !== '/favicon.ico').length,
    connects:
      conns.flatMap((c) => c.requests).filter((r) => r.head.method === 'CONNECT' && r.t < rec.harness.contextClosedAt).length +
      (rec.harness.omitted?.requests.filter((r) => r.method === 'CONNECT' && r.t < rec.harness.contextClosedAt).length ?? 0),
    // HTTP/2 streams of one connection share its id: count connections, not streams.
    connections: new Set(conns.filter((c) => c.openedAt < rec.harness.contextClosedAt).map((c) => c.id)).size + (rec.harness.omitted?.connections ?? 0),
    'early-bytes': earlyBytesFact(firstConn),
    'first-close': close.who,
    'auth-retry': auth.retry,
    'auth-sent': auth.sent,
    challenges: auth.challenges,
    'proxy-body-shown': rec.navigation?.proxyMarkerFound ? 'yes' : 'no',
    'auth-attempts': conns.flatMap((c) => c.requests).filter((r) => r.t < rec.harness.contextClosedAt && headerValue(r.head, 'proxy-authorization') !== undefined).length,
    'redirect-followed': redirectFollowed(rec),
    'origin-paths': originPaths(rec),
    'final-url': finalUrl(rec),
    ...wsFacts(rec),
    // At the proxy, or (for requests that went through a forwarded connection) at the origin.
    'upgrade-requested':
      conns.flatMap((c) => c.requests).map((r) => headerValue(r.head, 'upgrade')).find((v) => v !== undefined) ??
      rec.origin.map((e) => /\(Upgrade: ([^)]+)\)/.exec(e.detail)?.[1]).find((v) => v !== undefined) ??
      'none',
  };
  if (close.browserMs !== undefined) facts['browser-close-ms'] = close.browserMs;
  if (firstReq) {
    const hostValue = headerValue(firstReq, 'host');
    const hostIndex = firstReq.headers.findIndex((h) => h.name.toLowerCase() === 'host');
    const cl = headerValue(firstReq, 'content-length');
    const te = headerValue(firstReq, 'transfer-encoding');
    Object.assign(facts, {
      'request-line': withHost(`${firstReq.method} ${firstReq.target} ${firstReq.version}`, rec.host),
      'request-version': firstReq.version,
      'pseudo-headers': firstReq.headers.filter((h) => h.name.startsWith(':')).map((h) => h.name).join(', ') || 'none',
      'request-target': targetForm(firstReq.target, firstReq.method),
      'request-headers': firstReq.headers.map((h) => h.name).join(', '),
      'request-headers-values': withHost(firstReq.headers.map((h) => `${h.name}: ${h.value}`).join(' | '), rec.host),
      'host-header': hostValue === undefined ? 'absent' : withHost(hostValue, rec.host),
      'host-first': hostIndex < 0 ? 'absent' : hostIndex === 0 ? 'yes' : 'no',
      'proxy-connection': headerValue(firstReq, 'proxy-connection') ?? 'absent',
      connection: headerValue(firstReq, 'connection') ?? 'absent',
      'request-content': cl === undefined && te === undefined ? 'none' : [cl !== undefined ? `Content-Length: ${cl}` : '', te !== undefined ? `Transfer-Encoding: ${te}` : ''].filter(Boolean).join(', '),
    } satisfies Facts);
  }
  return facts;
}
