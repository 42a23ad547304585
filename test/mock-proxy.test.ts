import { expect } from 'chai';
import https from 'node:https';
import http from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { HttpProxyAgent } from 'http-proxy-agent';
import { startTestbed, type Testbed } from '../harness/runner/testbed';
import { RawClient, connectHead, script } from './helpers';

const OK = { do: 'send', text: 'HTTP/1.1 200 Connection established\r\n\r\n' };

function get(mod: typeof https | typeof http, url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = mod.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('mock proxy with real Node clients', () => {
  let bed: Testbed;
  let n = 0;
  const host = () => `unit-${++n}-${Date.now().toString(36)}.connect.test`;
  beforeEach(async () => {
    bed = await startTestbed();
  });
  afterEach(async () => {
    await bed.close();
  });

  it('listens on loopback only', () => {
    expect(bed.proxy.port).to.be.greaterThan(0);
    expect((bed.proxy as unknown as { server: import('node:net').Server }).server.address()).to.include({ address: '127.0.0.1' });
  });

  it('serves a case on a port of its own (openPort) as on its main port, on loopback only, and stops accepting when closed', async () => {
    const h = host();
    const session = bed.proxy.openCase(h, script([{ steps: [OK, { do: 'tunnel' }] }]));
    bed.origin.register(h, { marker: 'marker-own-port' });
    const own = await bed.proxy.openPort();
    expect(own.port).to.not.equal(bed.proxy.port);
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${own.port}`);
    const res = await get(https, `https://${h}/`, { agent, ca: bed.ca.caPem });
    agent.destroy();
    expect(res.body).to.contain('marker-own-port');
    expect(session.traces()[0]!.requests[0]!.head.target).to.equal(`${h}:443`);
    own.close();
    const late = new RawClient(own.port);
    await late.until(() => late.ended !== undefined || late.socket.destroyed);
    expect(late.received.length, 'a closed own port answers nothing').to.equal(0);
  });

  it('tunnels a CONNECT from https-proxy-agent into the TLS origin, and logs both directions', async () => {
    const h = host();
    const session = bed.proxy.openCase(h, script([{ steps: [OK, { do: 'tunnel' }] }]));
    bed.origin.register(h, { marker: 'marker-https' });
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${bed.proxy.port}`);
    const res = await get(https, `https://${h}/`, { agent, ca: bed.ca.caPem });
    expect(res.status).to.equal(200);
    expect(res.body).to.contain('marker-https');
    agent.destroy();
    const [conn] = session.traces();
    expect(conn!.requests[0]!.head.method).to.equal('CONNECT');
    expect(conn!.requests[0]!.head.target).to.equal(`${h}:443`);
    expect(conn!.events.some((e) => e.kind === 'tunnel-open')).to.equal(true);
    expect(conn!.events.filter((e) => e.kind === 'c2p').length).to.be.greaterThan(1);
    expect(conn!.events.filter((e) => e.kind === 'p2c').length).to.be.greaterThan(1);
    const origin = bed.origin.take([conn!.tunnelProxyPort!]);
    expect(origin.map((e) => e.kind)).to.include.members(['handshake-completed', 'request']);
  });

  it('forwards an absolute-form GET from http-proxy-agent to the plain origin', async () => {
    const h = host();
    const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'tunnel' }] }]));
    bed.origin.register(h, { marker: 'marker-http' });
    const agent = new HttpProxyAgent(`http://127.0.0.1:${bed.proxy.port}`);
    const res = await get(http, `http://${h}/`, { agent });
    expect(res.body).to.contain('marker-http');
    agent.destroy();
    expect(session.traces()[0]!.requests[0]!.head.target).to.equal(`http://${h}/`);
  });

  it('chooses exchanges by Proxy-Authorization: 407, then 200 on the same connection', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([
        {
          when: { proxyAuthorization: 'absent' },
          steps: [{ do: 'send', text: 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n' }],
        },
        { steps: [OK, { do: 'fin' }] },
      ]),
    );
    const c = new RawClient(bed.proxy.port);
    c.send(connectHead(h));
    await c.until(() => c.text().includes('407'));
    c.send(connectHead(h, 'Proxy-Authorization: Basic YTpi\r\n'));
    await c.until(() => c.text().includes('200 Connection established') && c.ended === 'fin');
    const traces = session.traces();
    expect(traces).to.have.length(1);
    expect(traces[0]!.requests).to.have.length(2);
    expect(traces[0]!.events.flatMap((e) => (e.kind === 'exchange' ? [e.index] : []))).to.deep.equal([0, 1]);
    expect(traces[0]!.events.flatMap((e) => (e.kind === 'response' ? [e.status] : []))).to.deep.equal([407, 200]);
    c.socket.destroy();
  });

  it('gives each TCP connection its own id, shared by all requests on it', async () => {
    const h = host();
    const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'send', text: 'HTTP/1.1 403 No\r\nContent-Length: 0\r\n\r\n' }] }]));
    const a = new RawClient(bed.proxy.port);
    a.send(connectHead(h));
    await a.until(() => a.text().includes('403'));
    a.send(connectHead(h));
    await a.until(() => a.text().split('403').length === 3);
    const b = new RawClient(bed.proxy.port);
    b.send(connectHead(h));
    await b.until(() => b.text().includes('403'));
    const traces = session.traces();
    expect(traces.map((t) => t.requests.length)).to.deep.equal([2, 1]);
    expect(traces[0]!.id).to.not.equal(traces[1]!.id);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('sends bytes verbatim, including NUL and invalid UTF-8, split into timed segments', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([
        {
          steps: [
            { do: 'send', segments: [{ text: 'HTTP/1.1 2' }, { hex: '00 ff fe' }, { text: '00 OK\r\n\r\n' }], gapMs: 60 },
            { do: 'close' },
          ],
        },
      ]),
    );
    const c = new RawClient(bed.proxy.port);
    c.send(connectHead(h));
    await c.whenClosed();
    expect([...c.received]).to.deep.equal([
      ...Buffer.concat([Buffer.from('HTTP/1.1 2'), Buffer.from([0, 0xff, 0xfe]), Buffer.from('00 OK\r\n\r\n')]),
    ]);
    const sent = session.traces()[0]!.events.filter((e) => e.kind === 'p2c');
    expect(sent).to.have.length(3);
    expect(sent[2]!.t - sent[0]!.t).to.be.at.least(100);
  });

  it('records bytes sent before the response as early data and recognises TLS', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([{ steps: [{ do: 'wait', ms: 150 }, { do: 'send', text: 'HTTP/1.1 403 No\r\nContent-Length: 0\r\n\r\n' }, { do: 'close' }] }]),
    );
    const c = new RawClient(bed.proxy.port);
    c.send(Buffer.concat([Buffer.from(connectHead(h)), Buffer.from([0x16, 0x03, 0x01])]));
    await new Promise((r) => setTimeout(r, 40));
    c.send(Buffer.from([0x02, 0x00]));
    await c.whenClosed();
    expect([...Buffer.from(session.traces()[0]!.earlyBytes, 'base64')]).to.deep.equal([0x16, 0x03, 0x01, 0x02, 0x00]);
  });

  it('half-closes with FIN and aborts with RST', async () => {
    const h = host();
    bed.proxy.openCase(h, script([{ when: { connection: 1 }, steps: [{ do: 'fin' }] }, { steps: [{ do: 'reset' }] }]));
    const fin = new RawClient(bed.proxy.port);
    fin.send(connectHead(h));
    await fin.until(() => fin.ended === 'fin');
    const rst = new RawClient(bed.proxy.port);
    rst.send(connectHead(h));
    await rst.until(() => rst.ended === 'rst');
    fin.socket.destroy();
  });

  it('ends a hold early when the client closes, and records who closed first', async () => {
    const h = host();
    const session = bed.proxy.openCase(
      h,
      script([
        { steps: [{ do: 'send', text: 'HTTP/1.1 403 No\r\nContent-Length: 0\r\n\r\n' }, { do: 'hold', ms: 5000 }, { do: 'close' }] },
      ]),
    );
    const c = new RawClient(bed.proxy.port);
    c.send(connectHead(h));
    await c.until(() => c.text().includes('403'));
    const t0 = Date.now();
    c.socket.end();
    await session.settled({ quietMs: 50, boundMs: 4000 });
    expect(Date.now() - t0).to.be.below(2000);
    const kinds = session.traces()[0]!.events.map((e) => e.kind);
    expect(kinds.indexOf('client-fin')).to.be.greaterThan(-1);
    expect(kinds.indexOf('client-fin')).to.be.below(kinds.indexOf('proxy-close'));
  });

  it('refuses hosts no case owns, lists them as strays and never dials out', async () => {
    const c = new RawClient(bed.proxy.port);
    c.send(connectHead('example.com'));
    await c.whenClosed();
    expect(c.text()).to.match(/^HTTP\/1\.1 403/);
    expect(bed.proxy.strays.map((s) => s.host)).to.deep.equal(['example.com']);
    // The proxy's only way out is its target (the in-process origin): count every dial.
    const { MockProxy } = await import('../harness/proxy/mock-proxy');
    const dials: string[] = [];
    const counting = new MockProxy({
      connect: (kind) => {
        dials.push(kind);
        return Promise.reject(new Error('no dialling in this test'));
      },
    });
    await counting.listen();
    try {
      const stray = new RawClient(counting.port);
      stray.send(connectHead('example.com'));
      await stray.whenClosed();
      expect(stray.text()).to.match(/^HTTP\/1\.1 403/);
      expect(dials, 'a host no case owns is never dialled').to.deep.equal([]);
      // The control: the same counter sees the one dial a tunnel step makes.
      const h = host();
      const session = counting.openCase(h, script([{ steps: [OK, { do: 'tunnel' }] }]));
      const owned = new RawClient(counting.port);
      owned.send(connectHead(h));
      await owned.whenClosed(3000);
      counting.closeCase(session);
      expect(dials).to.deep.equal(['tls']);
    } finally {
      await counting.close();
    }
  });

  it('closes a connection that never sends a complete request head', async () => {
    const h = host();
    bed.proxy.openCase(h, script([{ steps: [OK] }]));
    const short = new (await import('../harness/proxy/mock-proxy')).MockProxy({ connect: () => Promise.reject(new Error('no')) }, 200);
    await short.listen();
    const c = new RawClient(short.port);
    c.send('CONNECT half');
    await c.whenClosed(2000);
    await short.close();
  });

  it('fills {host} in sent text with the case host', async () => {
    const h = host();
    bed.proxy.openCase(
      h,
      script([
        { steps: [{ do: 'send', text: 'HTTP/1.1 302 Found\r\nLocation: https://{host}/x\r\nContent-Length: 0\r\n\r\n' }, { do: 'close' }] },
      ]),
      { host: h },
    );
    const c = new RawClient(bed.proxy.port);
    c.send(connectHead(h));
    await c.whenClosed();
    expect(c.text()).to.contain(`Location: https://${h}/x`);
  });
});
