import { expect } from 'chai';
import http2 from 'node:http2';
import tls from 'node:tls';
import { startTestbed, type Testbed } from '../harness/runner/testbed';
import { parseResponseHead } from '../harness/wire/http-head';
import { connectHead, script } from './helpers';
import { CERTIFICATE_DEFECTS } from '../harness/vocabulary/transports';

const OK = { do: 'send', text: 'HTTP/1.1 200 Connection established\r\n\r\n' };

function h2Client(bed: Testbed): http2.ClientHttp2Session {
  return http2.connect(`https://127.0.0.1:${bed.proxy.port}`, { ca: bed.ca.caPem, servername: undefined as unknown as string });
}

/** Sends a CONNECT stream and collects interim statuses, the final status and how the stream ended. */
function connectStream(session: http2.ClientHttp2Session, authority: string, extra: http2.OutgoingHttpHeaders = {}) {
  const stream = session.request({ ':method': 'CONNECT', ':authority': authority, ...extra }, { endStream: false });
  const info: number[] = [];
  stream.on('headers', (h) => info.push(Number(h[':status'])));
  const response = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('response', resolve));
  const closed = new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? 0)));
  stream.on('error', () => {});
  // A stream closes when both sides have ended: end ours once the proxy ended its side.
  stream.on('end', () => stream.end());
  return { stream, info, response, closed };
}

describe('HTTPS mock proxy over HTTP/2 (RFC 9113 §8.5) with a Node http2 client', () => {
  let bed: Testbed;
  let n = 0;
  const host = () => `h2unit-${++n}-${Date.now().toString(36)}.connect.test`;
  beforeEach(async () => {
    bed = await startTestbed('h2');
  });
  afterEach(async () => {
    await bed.close();
  });

  it("records the CONNECT stream's pseudo-headers and fields in order, and tunnels to the TLS origin", async () => {
    const h = host();
    const session = bed.proxy.openCase(h, script([{ steps: [OK, { do: 'tunnel' }] }]));
    bed.origin.register(h, { marker: 'marker-h2' });
    const client = h2Client(bed);
    const { stream, response } = connectStream(client, `${h}:443`, { 'user-agent': 'unit' });
    expect((await response)[':status']).to.equal(200);
    // TLS to the origin inside the stream, then an HTTP/1.1 request.
    const inner = tls.connect({ socket: stream as unknown as import('node:net').Socket, servername: h, ca: bed.ca.caPem });
    await new Promise<void>((r) => inner.once('secureConnect', () => r()));
    inner.write(`GET / HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`);
    let body = '';
    await new Promise<void>((r) => {
      inner.on('data', (d: Buffer) => (body += d.toString()));
      inner.on('end', () => r());
    });
    expect(body).to.contain('marker-h2');
    client.close();
    const [trace] = session.traces();
    expect(trace!.protocol).to.equal('h2');
    expect(trace!.requests[0]!.head.version).to.equal('HTTP/2');
    expect(trace!.requests[0]!.head.headers.map((x) => x.name)).to.deep.equal([':method', ':authority', 'user-agent']);
    expect(trace!.events.filter((e) => e.kind === 'response').map((e) => e.kind === 'response' && [e.status, e.frame?.type])).to.deep.equal(
      [[200, 'HEADERS']],
    );
  });

  it('translates an HTTP/1.1 script: 1xx as interim HEADERS, drops connection-specific fields, body as DATA', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([
        {
          steps: [
            { do: 'send', text: 'HTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n' },
            { do: 'send', text: 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope' },
            { do: 'close' },
          ],
        },
      ]),
    );
    const client = h2Client(bed);
    const { stream, info, response, closed } = connectStream(client, `${h}:443`);
    let body = '';
    stream.on('data', (d: Buffer) => (body += d.toString()));
    const res = await response;
    expect(await closed).to.equal(0);
    expect(info).to.deep.equal([103]);
    expect(res[':status']).to.equal(403);
    expect(res.connection).to.equal(undefined);
    expect(body).to.equal('nope');
    client.close();
    const responses = session
      .traces()[0]!
      .events.flatMap((e) => (e.kind === 'response' ? [{ status: e.status, interim: e.interim, dropped: e.dropped }] : []));
    expect(responses).to.deep.equal([
      { status: 103, interim: true, dropped: undefined },
      { status: 403, interim: false, dropped: ['connection'] },
    ]);
  });

  it('resets with RST_STREAM CONNECT_ERROR and puts each retry on a new stream of the same connection', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([{ when: { proxyAuthorization: 'absent' }, steps: [{ do: 'reset' }] }, { steps: [OK, { do: 'close' }] }]),
    );
    const client = h2Client(bed);
    const first = connectStream(client, `${h}:443`);
    expect(await first.closed).to.equal(http2.constants.NGHTTP2_CONNECT_ERROR);
    const second = connectStream(client, `${h}:443`, { 'proxy-authorization': 'Basic YTpi' });
    expect((await second.response)[':status']).to.equal(200);
    client.close();
    const traces = session.traces();
    expect(traces.map((t) => t.h2Stream)).to.deep.equal([1, 3]);
    expect(traces[0]!.id).to.equal(traces[1]!.id);
  });

  it('refuses a CONNECT for a host no case owns', async () => {
    const client = h2Client(bed);
    const { response } = connectStream(client, 'example.com:443');
    expect((await response)[':status']).to.equal(403);
    client.close();
    expect(bed.proxy.strays.map((s) => s.host)).to.deep.equal(['example.com']);
  });

  it('speaks HTTP/1.1 over TLS when the client does not offer h2', async () => {
    const h = host();
    bed.proxy.openCase(h, script([{ steps: [{ do: 'send', text: 'HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n' }, { do: 'close' }] }]));
    const socket = tls.connect({ host: '127.0.0.1', port: bed.proxy.port, ca: bed.ca.caPem, ALPNProtocols: ['http/1.1'] });
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    expect(socket.alpnProtocol).to.equal('http/1.1');
    socket.write(connectHead(h));
    const text = await new Promise<string>((r) => {
      let t = '';
      socket.on('data', (d: Buffer) => (t += d.toString()));
      socket.on('end', () => r(t));
    });
    expect(text).to.match(/^HTTP\/1\.1 407/);
    socket.destroy();
  });
});

describe('HTTP/1.1 response heads for HTTP/2 translation', () => {
  it('parses status and fields, and refuses what is not a complete head', () => {
    expect(parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n\r\nrest'))).to.deep.equal({
      version: 'HTTP/1.1',
      status: 200,
      reason: 'OK',
      headers: [{ name: 'A', value: 'b' }],
      malformedLines: [],
      bareLf: false,
      length: 25,
    });
    expect(parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\n folded\r\n\r\n'))!.malformedLines).to.deep.equal([' folded']);
    expect(parseResponseHead(Buffer.from('HTTP/1.1 20'))).to.equal(undefined);
    expect(parseResponseHead(Buffer.from('HELLO\r\n\r\n'))).to.equal(undefined);
  });
});

describe('the HTTPS proxy presents a defective certificate for one case (sec-proxy-cert)', () => {
  const handshake = (port: number, ca: string) =>
    new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'] }, () => {
        s.destroy();
        resolve('ok');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });

  it('fails verification with each defect, and the proxy is itself again after the case', async () => {
    const bed = await startTestbed('h1-tls');
    try {
      expect(await handshake(bed.proxy.port, bed.ca.caPem)).to.equal('ok');
      const seen: Record<string, string> = {};
      for (const defect of CERTIFICATE_DEFECTS) {
        bed.proxy.presentIdentity(await bed.ca.defectiveIdentity(defect, '127.0.0.1'));
        seen[defect] = await handshake(bed.proxy.port, bed.ca.caPem);
      }
      expect(seen).to.deep.equal({
        'wrong-name': 'ERR_TLS_CERT_ALTNAME_INVALID',
        expired: 'CERT_HAS_EXPIRED',
        untrusted: 'SELF_SIGNED_CERT_IN_CHAIN',
      });
      bed.proxy.presentIdentity();
      expect(await handshake(bed.proxy.port, bed.ca.caPem)).to.equal('ok');
    } finally {
      await bed.close();
    }
  });

  it('asks for a client certificate only while a case says so, and records which handshakes carried one', async () => {
    const bed = await startTestbed('h1-tls');
    // A client that answers a CertificateRequest with a certificate (any: the proxy accepts any) or with none.
    const withCert = async (cert: boolean) => {
      const before = bed.proxy.tlsHandshakes.length;
      return new Promise<string>((resolve) => {
        const s = tls.connect(
          {
            host: '127.0.0.1',
            port: bed.proxy.port,
            ca: bed.ca.caPem,
            ALPNProtocols: ['http/1.1'],
            ...(cert ? { key: bed.ca.leafKeyPem, cert: leaf } : {}),
          },
          async () => {
            // TLS 1.3: the client is done before the proxy has read its certificate and Finished.
            for (let i = 0; i < 100 && bed.proxy.tlsHandshakes.length === before; i++) await new Promise((r) => setTimeout(r, 10));
            s.destroy();
            resolve('ok');
          },
        );
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    };
    const leaf = await bed.ca.chainFor('client.connect.test');
    try {
      expect(await withCert(true)).to.equal('ok');
      expect(bed.proxy.clientCertificates, 'not asked for, a certificate is not sent').to.have.length(0);
      bed.proxy.presentIdentity(undefined, { requestClientCertificate: true });
      expect(await withCert(false)).to.equal('ok');
      expect(bed.proxy.clientCertificates, 'asked for, none sent').to.have.length(0);
      expect(await withCert(true)).to.equal('ok');
      expect(bed.proxy.clientCertificates, 'asked for and sent').to.have.length(1);
      bed.proxy.presentIdentity();
      expect(await withCert(true)).to.equal('ok');
      expect(bed.proxy.clientCertificates, 'no longer asked for after the case').to.have.length(1);
    } finally {
      await bed.close();
    }
  });
});
