/** HTTP/2 streams on the HTTPS proxy: each CONNECT stream is routed by its :authority. */
import type http2 from 'node:http2';
import { H2Stream, h2RequestHead } from './h2-stream';
import { checkH2, isConnectTcp } from './connect-tcp';
import { routeConnectTcp } from './router-connect-tcp';
import type { Routing } from './routing';
import type { H2Tap } from './h2-tap';

export function routeH2Stream(
  stream: http2.ServerHttp2Stream,
  connection: { id: number; port: number; tap?: H2Tap },
  rawHeaders: string[],
  endStream: boolean,
  routing: Routing,
): void {
  const head = h2RequestHead(rawHeaders);
  const endpoint = () => new H2Stream(stream, connection.id, connection.port, rawHeaders, endStream, connection.tap);
  if (isConnectTcp(head)) {
    const conn = endpoint();
    void routeConnectTcp(conn, checkH2(head, routing.authority), routing).catch((err: Error) => conn.note(`proxy error: ${err.message}`));
    return;
  }
  const host = head.target.replace(/:\d+$/, '').toLowerCase();
  const session = host ? routing.sessionFor(host) : undefined;
  if (!session) {
    routing.stray(connection.id, `${head.method} ${head.target} HTTP/2`, host || undefined);
    stream.on('error', () => {});
    stream.respond({ ':status': 403 }, { endStream: true });
    return;
  }
  const conn = endpoint();
  void session.serve(conn, routing.target).catch((err: Error) => conn.note(`proxy error: ${err.message}`));
}
