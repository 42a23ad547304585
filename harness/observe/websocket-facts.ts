/** The page's WebSocket: how its handshake reached the origin (RFC 8441 or HTTP/1.1 Upgrade) and whether the echo came back. */
import type { CaseRecord } from '../evidence/record';
import type { OriginEvent } from '../evidence/events';
import { isLive } from './live';
import type { Facts } from '../vocabulary/facts';

/** The pseudo-headers RFC 8441 §4 requires on an extended CONNECT. */
const EXTENDED_CONNECT = [':method', ':protocol', ':scheme', ':path', ':authority'];

export function websocketFacts(
  rec: CaseRecord,
): Pick<Facts, 'ws-result' | 'ws-handshake' | 'ws-pseudo-headers' | 'ws-key' | 'ws-pseudo-check' | 'ws-tunnels'> {
  const ws = rec.origin.find((e): e is Extract<OriginEvent, { kind: 'websocket' }> => e.kind === 'websocket');
  const pseudo = ws ? ws.headers.filter((h) => h.name.startsWith(':')).map((h) => h.name) : [];
  const missing = EXTENDED_CONNECT.filter((p) => !pseudo.includes(p));
  return {
    'ws-result': rec.navigation?.probe ?? 'none',
    'ws-handshake': ws?.via ?? 'none',
    'ws-pseudo-headers': pseudo.length ? pseudo.join(', ') : 'none',
    'ws-key': !ws ? 'none' : ws.headers.some((h) => h.name.toLowerCase() === 'sec-websocket-key') ? 'sent' : 'not sent',
    'ws-pseudo-check': ws?.via !== 'h2 extended CONNECT' ? 'none' : missing.length ? `missing ${missing.join(', ')}` : 'complete',
    // Like "connects": only what the client did while the case was live, not a retry into a closed context.
    'ws-tunnels': rec.connections.flatMap((c) => c.requests).filter((r) => r.head.method === 'CONNECT' && isLive(rec, r.t)).length,
  };
}
