import { expect } from 'chai';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { startTestbed, type Testbed } from '../harness/runner/testbed';
import { checkH1, templateTarget } from '../harness/proxy/connect-tcp';
import { parseRequestHead } from '../harness/wire/http-head';
import { connectTcpH1, connectTcpH2 } from './support/connect-tcp-client';
import { script } from './helpers';
import type { CaseSession } from '../harness/proxy/case-session';

/** The draft's client-side rules as the proxy recorded them (typed events, not log text). */
function checksOf(session: CaseSession): { id: string; level: string; ok: boolean }[] {
  return session.traces()[0]!.events.flatMap((e) => (e.kind === 'connect-tcp-check' ? [{ id: e.id, level: e.level, ok: e.ok }] : []));
}

/** TLS to the origin over the tunnel, GET /, and the body. */
async function fetchOverTunnel(stream: Duplex, host: string, ca: string): Promise<string> {
  const inner = tls.connect({ socket: stream as unknown as import('node:net').Socket, servername: host, ca });
  await new Promise<void>((r) => inner.once('secureConnect', () => r()));
  inner.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  let body = '';
  await new Promise<void>((r) => {
    inner.on('data', (d: Buffer) => (body += d.toString()));
    inner.on('end', () => r());
    inner.on('close', () => r());
  });
  return body;
}

describe('connect-tcp (draft-08) on the mock proxy, with a Node client', () => {
  let n = 0;
  const host = () => `tcp-${++n}-${Date.now().toString(36)}.connect.test`;

  describe('HTTP/1.1 Upgrade form (§3.1)', () => {
    let bed: Testbed;
    beforeEach(async () => (bed = await startTestbed('h1')));
    afterEach(async () => bed.close());

    it('switches to connect-tcp with 101 and tunnels to the target from the template', async () => {
      const h = host();
      const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'close' }] }]));
      bed.origin.register(h, { marker: 'marker-tcp-h1' });
      const t = await connectTcpH1(bed.proxy.port, h, 443);
      expect(t.status).to.equal(101);
      expect(t.headers.upgrade).to.equal('connect-tcp');
      expect(t.headers.connection).to.equal('Upgrade');
      expect(await fetchOverTunnel(t.stream, h, bed.ca.caPem)).to.contain('marker-tcp-h1');
      const checks = checksOf(session);
      expect(checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(checks).to.deep.include({ id: 'Capsule-Protocol: ?1', level: 'SHOULD', ok: true });
    });

    it('accepts the query-string template too', async () => {
      const h = host();
      bed.proxy.openCase(h, script([{ steps: [{ do: 'close' }] }]));
      bed.origin.register(h, { marker: 'marker-q' });
      const t = await connectTcpH1(bed.proxy.port, h, 443, { template: '/proxy?target_host={target_host}&target_port={target_port}' });
      expect(t.status).to.equal(101);
      expect(await fetchOverTunnel(t.stream, h, bed.ca.caPem)).to.contain('marker-q');
    });

    it('refuses with 400 when a SHALL is broken (no Connection: Upgrade), and records which', async () => {
      const h = host();
      const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'close' }] }]));
      const t = await connectTcpH1(bed.proxy.port, h, 443, { omit: ['Connection:'] });
      expect(t.status).to.equal(400);
      t.close();
      expect(checksOf(session)).to.deep.include({ id: 'Connection: Upgrade', level: 'SHALL', ok: false });
    });

    it('reports a missing Capsule-Protocol as a SHOULD, not a refusal', async () => {
      const h = host();
      const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'close' }] }]));
      bed.origin.register(h, { marker: 'm' });
      const t = await connectTcpH1(bed.proxy.port, h, 443, { capsule: false });
      expect(t.status).to.equal(101);
      t.close();
      expect(checksOf(session)).to.deep.include({ id: 'Capsule-Protocol: ?1', level: 'SHOULD', ok: false });
    });

    it('refuses a target no case owns with 403, never dialling out', async () => {
      const t = await connectTcpH1(bed.proxy.port, 'example.com', 443);
      expect(t.status).to.equal(403);
      t.close();
      expect(bed.proxy.strays.map((s) => s.host)).to.include('example.com');
    });
  });

  describe('HTTP/2 extended CONNECT form (§3.2)', () => {
    let bed: Testbed;
    beforeEach(async () => (bed = await startTestbed('h2')));
    afterEach(async () => bed.close());

    it('answers :protocol connect-tcp with 200 and tunnels', async () => {
      const h = host();
      const session = bed.proxy.openCase(h, script([{ steps: [{ do: 'close' }] }]));
      bed.origin.register(h, { marker: 'marker-tcp-h2' });
      const t = await connectTcpH2(bed.proxy.port, bed.ca.caPem, h, 443);
      expect(t.status).to.equal(200);
      expect(await fetchOverTunnel(t.stream, h, bed.ca.caPem)).to.contain('marker-tcp-h2');
      t.close();
      const checks = checksOf(session);
      expect(checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(checks).to.deep.include({ id: ':scheme and :path from the template', level: 'SHALL', ok: true });
    });
  });

  describe('request checks', () => {
    it('reads target_host and target_port from either template form', () => {
      expect(templateTarget('/.well-known/masque/tcp/a.test/8443/')).to.deep.equal({ host: 'a.test', port: 8443 });
      expect(templateTarget('/proxy?target_host=2001%3Adb8%3A%3A1&target_port=443')).to.deep.equal({ host: '2001:db8::1', port: 443 });
      expect(templateTarget('/other')).to.equal(undefined);
    });
    it('flags two Host fields', () => {
      const head = parseRequestHead(
        Buffer.from(
          'GET /.well-known/masque/tcp/a/1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: connect-tcp\r\n\r\n',
        ),
      )!;
      const r = checkH1(head, '127.0.0.1:1');
      expect(r.wellFormed).to.equal(false);
      expect(r.checks.find((c) => c.id === 'single Host naming the proxy')!.ok).to.equal(false);
    });
  });
});
