/**
 * A trivial CONNECT proxy in front of an in-process TLS origin for *.connect.test: 200 to every
 * CONNECT, then a pipe. No script, no evidence: the floor for `npm run bench -- --baseline`, and a
 * plain stage for tests that ask an engine a yes/no question (does a cookie cross contexts?).
 */
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createCertificateAuthority, type CertificateAuthority } from '../../harness/origin/certificates';

export interface OriginRequest {
  /** The request line and header fields as the client sent them (latin1). */
  head: string;
  path: string;
  host: string;
  cookie?: string;
}

/** A CONNECT as the proxy received it, and on which of its ports. */
export interface ConnectRequest {
  port: number;
  head: string;
}

export interface TrivialProxy {
  proxyUrl: string;
  port: number;
  ca: CertificateAuthority;
  requests: OriginRequest[];
  connects: ConnectRequest[];
  /** The same proxy on one more loopback port (what a case with a proxy port of its own reaches). */
  openPort(): Promise<number>;
  close(): void;
}

export interface TrivialProxyOptions {
  /** A CONNECT head without Proxy-Authorization gets this 407 challenge (Basic), with the connection closed. */
  challenge?: string;
}

const listen = (server: Server) =>
  new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)));

/**
 * `answer(request)` gives the extra header lines of the origin's 200 (e.g. a Set-Cookie); the body
 * is a small page. Every request is recorded.
 */
export async function startTrivialProxy(
  answer: (r: OriginRequest) => string[] = () => [],
  options: TrivialProxyOptions = {},
): Promise<TrivialProxy> {
  const ca = await createCertificateAuthority('connect-conformance trivial-proxy CA');
  const requests: OriginRequest[] = [];
  const body = '<html><body><h1>trivial origin</h1></body></html>';
  const origin = createTlsServer(
    { key: ca.leafKeyPem, cert: await ca.chainFor('*.connect.test'), ALPNProtocols: ['http/1.1'] },
    (socket) => {
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        let end = buffered.indexOf('\r\n\r\n');
        while (end >= 0) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
          const r: OriginRequest = {
            head,
            path: head.split(' ')[1] ?? '/',
            host: field('host') ?? '',
            ...(field('cookie') ? { cookie: field('cookie')! } : {}),
          };
          requests.push(r);
          const extra = answer(r)
            .map((l) => `${l}\r\n`)
            .join('');
          socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`);
          end = buffered.indexOf('\r\n\r\n');
        }
      });
      socket.on('error', () => {});
    },
  );
  const originPort = await listen(origin);
  const connects: ConnectRequest[] = [];
  const proxy = createServer((client) => {
    client.once('data', (data) => {
      const head = data.toString('latin1');
      if (!head.startsWith('CONNECT ')) return client.destroy();
      connects.push({ port: client.localPort ?? 0, head });
      if (options.challenge && !/^proxy-authorization:/im.test(head))
        return void client.end(
          `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="${options.challenge}"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
      const upstream = connect(originPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
    });
    client.on('error', () => {});
  });
  const proxyPort = await listen(proxy);
  const extra: Server[] = [];
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    port: proxyPort,
    ca,
    requests,
    connects,
    async openPort() {
      const more = createServer((socket) => proxy.emit('connection', socket));
      extra.push(more);
      return listen(more);
    },
    close: () => {
      for (const s of extra) s.close();
      proxy.close();
      origin.close();
    },
  };
}
