/** What reached the origin behind the tunnel: the TLS handshake, the requests, the paths. */
import { beginsTlsHandshake } from '../wire/bytes';
import { cookiePairs, headerValue } from '../wire/http-head';
import { isAnswerCookie } from '../vocabulary/markers';

/**
 * A consequence case's answer cookie carries its case host as value; one with another host reached
 * this case through Domain=connect.test in a jar shared across cases (Firefox's persistent context):
 * it is not this case's evidence.
 */
export const fromAnotherCase = (p: { name: string; value: string }, host: string): boolean => isAnswerCookie(p.name) && p.value !== host;
import type { CaseRecord } from '../evidence/record';
import type { OriginEvent } from '../evidence/events';
import type { Facts } from '../vocabulary/facts';

const b64 = (s: string) => Buffer.from(s, 'base64');

/**
 * Bytes the client sent into its tunnels: everything on a tunnelled connection that is not a
 * request head. Counting only bytes logged after "tunnel-open" would miss a ClientHello that
 * arrived while the proxy was still dialling the origin (buffered, then forwarded).
 */
function tunnelledBytes(rec: CaseRecord): number {
  return rec.connections.reduce((sum, c) => {
    if (!c.events.some((e) => e.kind === 'tunnel-open')) return sum;
    const sent = c.events.reduce((n, e) => n + (e.kind === 'c2p' ? b64(e.data).length : 0), 0);
    // Over HTTP/2 a request head is a HEADERS frame, never c2p data; over HTTP/1.1 it is in the stream.
    const heads = c.protocol === 'h2' ? 0 : c.requests.reduce((n, r) => n + b64(r.raw).length, 0);
    return sum + Math.max(0, sent - heads);
  }, 0);
}

function originTls(rec: CaseRecord): string {
  if (rec.origin.some((e) => e.kind === 'handshake-completed')) return 'completed';
  // A tunnel the client closed without sending a byte is no handshake attempt, whatever the
  // origin's TLS stack reports when its socket goes away.
  if (tunnelledBytes(rec) === 0) return 'none';
  const failed = rec.origin.find((e) => e.kind === 'handshake-failed');
  return failed ? `failed: ${failed.error}` : 'none';
}

/** Requests for the page and its subresources, not the browser's own favicon fetch. */
const pageRequests = (rec: CaseRecord) =>
  rec.origin.filter((e): e is Extract<OriginEvent, { kind: 'request' }> => e.kind === 'request' && e.path !== '/favicon.ico');

/** Every HTTP request and WebSocket handshake that reached the origin, favicon fetches included. */
const originHeads = (rec: CaseRecord) =>
  rec.origin.filter((e): e is Extract<OriginEvent, { kind: 'request' | 'websocket' }> => e.kind === 'request' || e.kind === 'websocket');

/** Cookie names from Cookie fields ("a=1; b=2"), sorted and without repeats (another case's answer cookies left out). */
function originCookies(rec: CaseRecord): string {
  const names = new Set<string>();
  for (const e of originHeads(rec))
    for (const h of e.headers)
      if (h.name.toLowerCase() === 'cookie') for (const p of cookiePairs(h.value)) if (!fromAnotherCase(p, rec.host)) names.add(p.name);
  return names.size ? [...names].sort().join(', ') : 'none';
}

/** Proxy credentials inside the tunnel: Proxy-Authorization, or Authorization carrying the proxy's Basic credentials. */
function credentialsInTunnel(rec: CaseRecord): Facts['credentials-in-tunnel'] {
  const heads = originHeads(rec).flatMap((e) => e.headers);
  if (heads.some((h) => h.name.toLowerCase() === 'proxy-authorization')) return 'Proxy-Authorization';
  const c = rec.credentials;
  const basic = c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
  if (basic && heads.some((h) => h.name.toLowerCase() === 'authorization' && h.value.trim() === basic))
    return "Authorization (the proxy's credentials)";
  return 'none';
}

export function originFacts(
  rec: CaseRecord,
): Pick<Facts, 'origin-tls' | 'origin-requests' | 'origin-paths' | 'origin-cookies' | 'credentials-in-tunnel'> {
  // Sorted: parallel fetches (a page and a preload) reach the origin in either order.
  const paths = pageRequests(rec)
    .map((e) => e.path)
    .sort();
  return {
    'origin-tls': originTls(rec),
    'origin-requests': paths.length,
    'origin-paths': paths.length ? paths.join(', ') : 'none',
    'origin-cookies': originCookies(rec),
    'credentials-in-tunnel': credentialsInTunnel(rec),
  };
}

/** The first Upgrade a request carried: at the proxy, or (for requests that went through a forwarded connection) at the origin. */
export function upgradeRequested(rec: CaseRecord): string {
  const atProxy = rec.connections.flatMap((c) => c.requests).map((r) => headerValue(r.head, 'upgrade'));
  const atOrigin = rec.origin.map((e) => (e.kind === 'request' ? upgradeValue(e) : undefined));
  return [...atProxy, ...atOrigin].find((v) => v !== undefined) ?? 'none';
}

/** Node joins repeated fields with ", ": the same value the origin saw. */
function upgradeValue(e: Extract<OriginEvent, { kind: 'request' }>): string | undefined {
  const values = e.headers.filter((h) => h.name.toLowerCase() === 'upgrade').map((h) => h.value);
  return values.length ? values.join(', ') : undefined;
}

export function earlyBytes(earlyBase64: string | undefined): 'none' | 'TLS handshake' | 'other' {
  const early = b64(earlyBase64 ?? '');
  if (early.length === 0) return 'none';
  return beginsTlsHandshake(early) ? 'TLS handshake' : 'other';
}
