/**
 * HTTP/1.1 connections (plain, or TLS with ALPN http/1.1): the first request's authority names the
 * case; a connect-tcp Upgrade goes to its own router; anything else is refused as a stray.
 */
import type { H1Connection } from './h1-connection';
import { checkH1, isConnectTcp } from './connect-tcp';
import { routeConnectTcp } from './router-connect-tcp';
import { REFUSAL_BODY, type Routing } from './routing';
import { requestAuthority } from '../wire/http-head';

const REFUSAL = `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${REFUSAL_BODY.length}\r\nConnection: close\r\n\r\n${REFUSAL_BODY}`;

export async function routeH1(conn: H1Connection, routing: Routing, firstRequestTimeoutMs: number): Promise<void> {
  const head = await conn.nextRequest(firstRequestTimeoutMs);
  if (!head) {
    conn.socket.destroy();
    return;
  }
  if (isConnectTcp(head)) return routeConnectTcp(conn, checkH1(head, routing.authority), routing);
  const authority = requestAuthority(head);
  const session = authority ? routing.sessionFor(authority.host) : undefined;
  if (!session) {
    routing.stray(conn.id, `${head.method} ${head.target} ${head.version}`, authority?.host);
    conn.socket.end(REFUSAL);
    conn.socket.destroySoon();
    return;
  }
  await session.serve(conn, routing.target);
}
