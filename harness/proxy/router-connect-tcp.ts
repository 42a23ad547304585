/**
 * connect-tcp (draft-ietf-httpbis-connect-tcp §3.1 / §3.2): the proxy answers by itself (101 over
 * HTTP/1.1, 200 over HTTP/2) and splices to the in-process origin; every client-side rule is
 * recorded as a typed check on the connection.
 */
import type { Endpoint, TunnelOpener } from './endpoint';
import type { TcpRequest } from './connect-tcp';
import type { Routing } from './routing';

export async function routeConnectTcp(conn: Endpoint, r: TcpRequest, routing: Routing): Promise<void> {
  const session = r.target ? routing.sessionFor(r.target.host) : undefined;
  session?.attach(conn);
  for (const c of r.checks) conn.log({ kind: 'connect-tcp-check', id: c.id, level: c.level, ok: c.ok, detail: c.detail });
  const h2 = conn.protocol === 'h2';
  const mode = r.target?.port === 80 ? 'plain' : 'tls';
  const opener: TunnelOpener = { mode, open: () => routing.target.connect(mode) };
  const noTunnel: TunnelOpener = { mode, open: () => Promise.reject(new Error('no tunnel')) };
  const refuse = async (status: string) => {
    await conn.run({ do: 'send', text: `HTTP/1.1 ${status}\r\nContent-Length: 0\r\n${h2 ? '' : 'Connection: close\r\n'}\r\n` }, noTunnel);
    await conn.run({ do: 'close' }, noTunnel);
  };
  if (!r.wellFormed) return refuse('400 Bad Request');
  if (!session) {
    routing.stray(conn.id, `connect-tcp to ${r.target?.host}:${r.target?.port}`, r.target?.host);
    return refuse('403 Forbidden');
  }
  const success = h2
    ? 'HTTP/1.1 200 OK\r\n\r\n'
    : 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: connect-tcp\r\n\r\n';
  await conn.run({ do: 'send', text: success }, opener);
  await conn.run({ do: 'tunnel' }, opener);
}
