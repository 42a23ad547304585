import { expect } from 'chai';
import net from 'node:net';
import { startTestbed, type Testbed } from '../harness/runner/testbed';
import { MockProxy, TRACE_LIMIT } from '../harness/proxy/mock-proxy';
import { MAX_HEAD_BYTES } from '../harness/proxy/h1-connection';
import { Lab } from '../harness/runner/lab';
import { CLIENTS } from '../harness/clients/registry';
import { runCase, HarnessError } from '../harness/runner/run-case';
import type { ClientDriver, ClientKind } from '../harness/clients/client';
import { loadFixtures } from '../harness/cases/load';
import { computeFacts } from '../harness/observe/facts';
import { RawClient, connectHead, script } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault tolerance and isolation', function () {
  this.timeout(60_000);

  describe('the proxy under hostile clients', () => {
    let bed: Testbed;
    beforeEach(async () => (bed = await startTestbed()));
    afterEach(async () => bed.close());

    it('survives garbage, half-open clients, silent clients and huge heads without leaking sockets', async () => {
      const proxy = new MockProxy({ connect: () => Promise.reject(new Error('never')) }, 300);
      await proxy.listen();
      const rss0 = process.memoryUsage().rss;
      const clients: RawClient[] = [];
      for (let i = 0; i < 50; i++) {
        const garbage = new RawClient(proxy.port);
        garbage.send(Buffer.from(Array.from({ length: 2000 }, (_, j) => (i * 31 + j) % 256)));
        const halfOpen = new RawClient(proxy.port);
        halfOpen.send('CONNECT a.test:443 HTTP/1.1\r\n');
        halfOpen.socket.end();
        const silent = new RawClient(proxy.port);
        clients.push(garbage, halfOpen, silent);
      }
      const huge = new RawClient(proxy.port);
      huge.send('CONNECT a.test:443 HTTP/1.1\r\n' + 'X-Pad: ' + 'a'.repeat(MAX_HEAD_BYTES + 10));
      await huge.until(() => huge.text().startsWith('HTTP/1.1 431'), 5000);
      await sleep(800); // past the 300 ms request-head timeout
      for (const c of clients) c.socket.destroy();
      huge.socket.destroy();
      await sleep(100);
      expect(proxy.openSockets).to.equal(0);
      const grownMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
      console.log(`      (RSS grew ${grownMb.toFixed(1)} MiB over 151 hostile connections; open sockets afterwards: ${proxy.openSockets})`);
      await proxy.close();
    });

    it('counts a retry storm but traces only the first and last connections', async () => {
      const session = bed.proxy.openCase(
        'storm.connect.test',
        script([{ steps: [{ do: 'send', text: 'HTTP/1.1 403 No\r\nContent-Length: 0\r\n\r\n' }, { do: 'close' }] }]),
      );
      const clients = Array.from({ length: TRACE_LIMIT + 20 }, () => new RawClient(bed.proxy.port));
      for (const c of clients) c.send(connectHead('storm.connect.test'));
      await Promise.all(clients.map((c) => c.whenClosed(5000)));
      expect(session.traces()).to.have.length(TRACE_LIMIT);
      expect(session.omitted()!.connections).to.equal(20);
      expect(session.omitted()!.requests.filter((r) => r.method === 'CONNECT')).to.have.length(20);
    });

    it('keeps two cases running at once apart: each sees only its own connections', async () => {
      const a = bed.proxy.openCase('iso-a.connect.test', script([{ steps: [{ do: 'hold', ms: 300 }, { do: 'close' }] }]));
      const b = bed.proxy.openCase('iso-b.connect.test', script([{ steps: [{ do: 'hold', ms: 300 }, { do: 'close' }] }]));
      const clients = [0, 1, 2].flatMap(() => [new RawClient(bed.proxy.port), new RawClient(bed.proxy.port)]);
      for (const [i, c] of clients.entries()) c.send(connectHead(i % 2 ? 'iso-b.connect.test' : 'iso-a.connect.test'));
      await Promise.all([a.settled({ quietMs: 100, boundMs: 3000 }), b.settled({ quietMs: 100, boundMs: 3000 })]);
      await sleep(50);
      const targets = (s: typeof a) => s.traces().flatMap((t) => t.requests.map((r) => r.head.target));
      expect(targets(a)).to.deep.equal(Array(3).fill('iso-a.connect.test:443'));
      expect(targets(b)).to.deep.equal(Array(3).fill('iso-b.connect.test:443'));
      const ids = (s: typeof a) => s.traces().map((t) => t.id);
      expect(ids(a).filter((id) => ids(b).includes(id))).to.deep.equal([]);
      for (const c of clients) c.socket.destroy();
    });

    it('never dials out: the only connection it opens is to the in-process origin, and only for a tunnel', async () => {
      const dialled: string[] = [];
      const proxy = new MockProxy({
        connect: async (kind) => {
          dialled.push(kind);
          return net.connect({ host: '127.0.0.1', port: bed.origin.tlsPort });
        },
      });
      await proxy.listen();
      proxy.openCase('own.connect.test', script([{ steps: [{ do: 'send', text: 'HTTP/1.1 403 No\r\n\r\n' }, { do: 'close' }] }]));
      for (const host of ['example.com', '10.0.0.1', 'own.connect.test']) {
        const c = new RawClient(proxy.port);
        c.send(connectHead(host));
        await c.whenClosed();
      }
      expect(dialled).to.deep.equal([]);
      await proxy.close();
    });
  });

  describe('several cases in flight in one browser (the per-client concurrency)', () => {
    for (const name of ['chromium', 'firefox']) {
      it(`${name}: three cases at once in one browser each see only their own connections and facts`, async function () {
        const kind = CLIENTS[name]!;
        if (!kind.resolve().path) this.skip();
        const lab = await Lab.start(kind, 'h1');
        try {
          const fixtures = loadFixtures();
          const ids = ['baseline-200', 'status-403-body', 'status-200-connection-close'];
          const records = await Promise.all(ids.map((id) => runCase(lab, fixtures.find((f) => f.id === id)!)));
          records.forEach((rec, i) => {
            expect(rec.caseId).to.equal(ids[i]);
            // Every request any connection of the case carried names the case's own host.
            const hosts = rec.connections.flatMap((c) => c.requests.map((r) => r.head.target.split(':')[0]));
            expect(hosts.length, ids[i]).to.be.greaterThan(0);
            expect(new Set(hosts), ids[i]).to.deep.equal(new Set([rec.host]));
          });
          // No two cases share a connection, and each got its own outcome.
          const conns = records.map((r) => new Set(r.connections.map((c) => c.id)));
          for (const [i, a] of conns.entries())
            for (const b of conns.slice(i + 1)) expect([...a].filter((id) => b.has(id))).to.deep.equal([]);
          expect(records.map((r) => computeFacts(r).page)).to.deep.equal(['loaded', 'error page', 'loaded']);
        } finally {
          await lab.close();
        }
      });
    }
  });

  describe('a browser that crashes mid-case', () => {
    it('costs that case a harness error, is relaunched, and the next case runs', async function () {
      const kind = CLIENTS.chromium!;
      if (!kind.resolve().path) this.skip();
      const lab = await Lab.start(kind, 'h1');
      try {
        const fixtures = loadFixtures();
        const held = fixtures.find((f) => f.id === 'fault-no-answer')!; // the navigation is still pending at 500 ms
        const pending = runCase(lab, held);
        await sleep(500);
        await lab.driver.crash!();
        let error: unknown;
        await pending.catch((e) => (error = e));
        expect(error).to.be.instanceOf(HarnessError);
        const next = await runCase(lab, fixtures.find((f) => f.id === 'baseline-200')!);
        expect(computeFacts(next).page).to.equal('loaded');
        expect(next.harness.notes.join(' ')).to.contain('relaunched');
      } finally {
        await lab.close();
      }
    });
  });

  describe('a Firefox persistent context (behind an HTTPS proxy) that crashes mid-case', () => {
    it('is seen as crashed: a harness error, relaunched, and the next case runs', async function () {
      const kind = CLIENTS.firefox!;
      if (!kind.resolve().path) this.skip();
      const lab = await Lab.start(kind, 'h1-tls');
      try {
        const fixtures = loadFixtures();
        const pending = runCase(lab, fixtures.find((f) => f.id === 'fault-no-answer')!);
        await sleep(1500);
        await lab.driver.crash!();
        let error: unknown;
        await pending.catch((e) => (error = e));
        expect(error, 'a crashed persistent context must not pass for an observation').to.be.instanceOf(HarnessError);
        const next = await runCase(lab, fixtures.find((f) => f.id === 'baseline-200')!);
        expect(computeFacts(next).page).to.equal('loaded');
        expect(next.harness.notes.join(' ')).to.contain('relaunched');
      } finally {
        await lab.close();
      }
    });
  });

  describe('a crash where the fixture says a crash is a finding (sec-malformed-challenge)', () => {
    it('is an observation ("client crashed"), not a harness error, and the next case runs in a relaunched browser', async function () {
      const kind = CLIENTS.chromium!;
      if (!kind.resolve().path) this.skip();
      const lab = await Lab.start(kind, 'h1');
      try {
        const fixtures = loadFixtures();
        const held = fixtures.find((f) => f.id === 'fault-no-answer')!;
        const pending = runCase(lab, { ...held, client: { ...held.client, crashIsFinding: true } });
        // Crash during the navigation (its CONNECT reached the proxy), however slow the machine is.
        for (let i = 0; i < 600 && lab.proxy.openSockets === 0; i++) await sleep(25);
        await lab.driver.crash!();
        const rec = await pending;
        expect(rec.navigation?.failure?.by).to.equal('crash');
        expect(computeFacts(rec).error).to.equal('client crashed');
        expect(computeFacts(rec).page).to.equal('no outcome');
        const next = await runCase(lab, fixtures.find((f) => f.id === 'baseline-200')!);
        expect(computeFacts(next).page).to.equal('loaded');
        expect(next.harness.notes.join(' ')).to.contain('relaunched');
      } finally {
        await lab.close();
      }
    });
  });

  describe('a browser that hangs mid-case', () => {
    it('costs that case a harness error (not a "timeout" observation), is killed and relaunched, and the next case runs', async function () {
      // Detection waits for the liveness bound (RESPONSIVE_MS) and a relaunch follows: slow on a loaded machine.
      this.timeout(90_000);
      const kind = CLIENTS.chromium!;
      if (!kind.resolve().path) this.skip();
      const lab = await Lab.start(kind, 'h1');
      try {
        const fixtures = loadFixtures();
        const held = fixtures.find((f) => f.id === 'fault-no-answer')!; // navigation bound 3 s, proxy silent for 3.5 s
        const pending = runCase(lab, held);
        await sleep(1500);
        await lab.driver.hang!(); // SIGSTOP: the process stays, it just stops answering
        let error: unknown;
        await pending.catch((e) => (error = e));
        expect(error).to.be.instanceOf(HarnessError);
        expect((error as Error).message).to.match(/stopped answering \(hung\)/);
        const next = await runCase(lab, fixtures.find((f) => f.id === 'baseline-200')!);
        expect(computeFacts(next).page).to.equal('loaded');
        expect(next.harness.notes.join(' ')).to.contain('relaunched');
      } finally {
        await lab.close();
      }
    });

    it('bounds a client whose visit never returns, recycles it, and the proxy case is closed', async () => {
      let recycled = 0;
      let hangNext = true;
      const driver: ClientDriver = {
        info: { name: 'stuck', label: 'Stuck client', version: '0', executablePath: '(none)' },
        launchMs: 0,
        launchConfig: {},
        async visit({ url }) {
          if (hangNext) return new Promise(() => {}); // never settles, like a wedged driver
          return {
            visits: [
              {
                url,
                committed: false,
                finalUrl: url,
                title: '',
                text: '',
                originMarkerFound: false,
                proxyMarkerFound: false,
                durationMs: 0,
              },
            ],
            notes: [],
            alive: () => true,
            dispose: async () => {},
          };
        },
        async recycle() {
          recycled++;
          hangNext = false;
        },
        async close() {},
      };
      const stuck: ClientKind = {
        name: 'stuck',
        label: 'Stuck client',
        concurrency: 1,
        capabilities: { page: false, screenshot: false, websocket: false, credentials: 'none', transports: ['h1'] },
        resolve: () => ({ path: '(none)', how: 'test double' }),
        start: async () => driver,
      };
      const lab = await Lab.start(stuck, 'h1');
      try {
        const fixture = loadFixtures().find((f) => f.id === 'baseline-200')!;
        const t0 = Date.now();
        let error: unknown;
        await runCase(lab, fixture, { hangBoundMs: 300 }).catch((e) => (error = e));
        expect(error).to.be.instanceOf(HarnessError);
        expect((error as Error).message).to.match(/did not finish the visit within 300 ms \(hung\)/);
        expect(Date.now() - t0).to.be.below(5000);
        expect(recycled).to.equal(1);
        expect(lab.proxy.openSockets).to.equal(0);
        const next = await runCase(lab, fixture, { hangBoundMs: 300 });
        expect(next.navigation?.url).to.contain('baseline-200');
      } finally {
        await lab.close();
      }
    });
  });
});
