/**
 * Derives the facts (harness/vocabulary/facts.ts) from a raw case record. Pure and deterministic,
 * and reading typed fields only, never display text: the report recomputes facts from stored
 * evidence, so changing a definition here re-reads old runs rather than trusting what was written
 * at the time, and rewording a log line changes nothing.
 */
import type { CaseRecord } from '../evidence/record';
import type { Facts } from '../vocabulary/facts';
import { authFacts } from './auth-facts';
import { consequenceFacts } from './consequence-facts';
import { closeFacts } from './close-facts';
import { byOpening, isLive } from './live';
import { navigationFacts } from './navigation-facts';
import { earlyBytes, originFacts, upgradeRequested } from './origin-facts';
import { requestFacts } from './request-facts';
import { websocketFacts } from './websocket-facts';
import { h2SessionFacts } from './h2-session-facts';
import { failoverFacts } from './failover-facts';
import { answerServed } from './answer-facts';

export function computeFacts(rec: CaseRecord): Facts {
  const conns = byOpening(rec);
  // The HTTPS proxy's TLS evidence, where the case made its TLS special (a defective certificate, a client certificate request).
  const proxyTls = rec.proxyCertificate ?? rec.proxyClientAuth;
  const firstConn = conns.find((c) => c.requests.length > 0);
  const firstReq = firstConn?.requests[0]?.head;
  const omitted = rec.harness.omitted;
  return {
    ...navigationFacts(rec),
    ...originFacts(rec),
    ...consequenceFacts(rec),
    'answer-served': answerServed(rec),
    connects:
      conns.flatMap((c) => c.requests).filter((r) => r.head.method === 'CONNECT' && isLive(rec, r.t)).length +
      (omitted?.requests.filter((r) => r.method === 'CONNECT' && isLive(rec, r.t)).length ?? 0),
    // HTTP/2 streams of one connection share its id: count connections, not streams.
    connections: new Set(conns.filter((c) => isLive(rec, c.openedAt)).map((c) => c.id)).size + (omitted?.connections ?? 0),
    'early-bytes': earlyBytes(firstConn?.earlyBytes),
    ...closeFacts(firstConn, rec),
    ...authFacts(rec),
    ...websocketFacts(rec),
    ...h2SessionFacts(rec),
    ...failoverFacts(rec),
    'upgrade-requested': upgradeRequested(rec),
    ...(proxyTls
      ? {
          'proxy-tls': conns.length
            ? 'request sent'
            : proxyTls.handshakes.length
              ? 'handshake completed, nothing sent'
              : proxyTls.clientErrors.length
                ? 'refused by the client'
                : proxyTls.tcpConnections.length
                  ? 'handshake left unfinished'
                  : 'none',
        }
      : {}),
    ...(rec.proxyClientAuth
      ? {
          'client-cert': rec.proxyClientAuth.certificates.length
            ? 'sent'
            : rec.proxyClientAuth.handshakes.length
              ? 'none sent'
              : 'no handshake',
        }
      : {}),
    ...(firstReq ? requestFacts(firstReq, rec.host) : {}),
  };
}
