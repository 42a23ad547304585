/** Proxy authentication: the 407s the proxy sent, the credentials the client answered with, and on which connection. */
import { headerValue, parseCredentials } from '../wire/http-head';
import type { CaseRecord } from '../evidence/record';
import type { ProxyEvent } from '../evidence/events';
import type { Facts } from '../vocabulary/facts';
import { allRequests, isLive } from './live';

/** A final 407 the proxy sent, over HTTP/1.1 or as HTTP/2 HEADERS. */
const is407 = (e: ProxyEvent) => e.kind === 'response' && e.status === 407;

export function authFacts(rec: CaseRecord): Pick<Facts, 'auth-retry' | 'auth-sent' | 'challenges' | 'auth-attempts'> {
  const requests = allRequests(rec).filter((x) => isLive(rec, x.r.t));
  const withAuth = requests.find((x) => headerValue(x.r.head, 'proxy-authorization') !== undefined);
  const attempts = requests.filter((x) => headerValue(x.r.head, 'proxy-authorization') !== undefined).length;
  // 407s the proxy sent before the first authorised request (from the wire, not the script).
  const untilAuth = withAuth?.r.t ?? Infinity;
  const challenges = rec.connections.flatMap((c) => c.events).filter((e) => e.t < untilAuth && isLive(rec, e.t) && is407(e)).length;
  if (!requests[0] || !withAuth) return { 'auth-retry': 'none', 'auth-sent': 'none', challenges, 'auth-attempts': attempts };
  const { scheme, token } = parseCredentials(headerValue(withAuth.r.head, 'proxy-authorization')!);
  let sent = scheme;
  if (scheme.toLowerCase() === 'basic' && rec.credentials) {
    const expected = Buffer.from(`${rec.credentials.username}:${rec.credentials.password}`).toString('base64');
    sent = token === expected ? 'Basic (the configured credentials)' : 'Basic (other credentials)';
  }
  // The retried request answers the latest 407 before it; [40] asks whether it came on that 407's
  // connection. (An earlier, abandoned connection — Chromium sometimes opens one — does not count.)
  const challenge = rec.connections
    .flatMap((c) => c.events.filter((e) => e.t < withAuth.r.t && is407(e)).map((e) => ({ conn: c.id, t: e.t })))
    .sort((a, b) => b.t - a.t)[0];
  const retry =
    withAuth === requests[0] || !challenge
      ? 'sent with the first request'
      : withAuth.conn.id === challenge.conn
        ? 'same connection'
        : 'new connection';
  return { 'auth-retry': retry, 'auth-sent': sent, challenges, 'auth-attempts': attempts };
}
