/**
 * Why a Firefox credentials case reaches the proxy on a port of its own, measured: Firefox keeps
 * proxy credentials for the whole browser, per proxy host:port, and sends them pre-emptively from
 * every context. The control: a later context with no credentials of its own, sent to the port the
 * first context authenticated on, carries Proxy-Authorization (so "not sent" could have been seen);
 * the same context sent to another port through the suite's PAC does not.
 */
import { expect } from 'chai';
import { firefoxEngine } from '../harness/clients/firefox';
import { resolveExecutable } from '../harness/clients/executables';
import { firstProxyLabel, ownProxyPortLabel, proxyPac } from '../harness/vocabulary/transports';
import { startTrivialProxy } from '../scripts/lib/trivial-proxy';
import { loadFixtures } from '../harness/cases/load';
import { CLIENTS } from '../harness/clients/registry';
import { Lab } from '../harness/runner/lab';
import { runCase } from '../harness/runner/run-case';
import { computeFacts } from '../harness/observe/facts';

const authorized = (head: string) => /^proxy-authorization:/im.test(head);

describe('the PAC a case host steers', () => {
  const find = (pac: string, host: string) =>
    new Function(`${pac}; return FindProxyForURL('https://' + ${JSON.stringify(host)} + '/', ${JSON.stringify(host)});`)();
  it('sends a case host, and any name under it, to its own port; other hosts to the main one', () => {
    const pac = proxyPac({ scheme: 'HTTPS', port: 4000 });
    expect(find(pac, `auth-407-x-1a2b3c4d${ownProxyPortLabel(4321)}.connect.test`)).to.equal('HTTPS 127.0.0.1:4321');
    expect(find(pac, `elsewhere.auth-407-x-1a2b3c4d${ownProxyPortLabel(4321)}.connect.test`)).to.equal('HTTPS 127.0.0.1:4321');
    expect(find(pac, 'status-200-p12-1a2b3c4d.connect.test')).to.equal('HTTPS 127.0.0.1:4000');
  });
  it('lists a first proxy before the mock proxy, on its own port too', () => {
    const pac = proxyPac({ scheme: 'PROXY', port: 4000, list: true });
    expect(find(pac, `failover-1a2b3c4d${firstProxyLabel('HTTPS', 5000)}.connect.test`)).to.equal(
      'HTTPS 127.0.0.1:5000; PROXY 127.0.0.1:4000',
    );
    expect(find(pac, `failover-1a2b3c4d${firstProxyLabel('PROXY', 5000)}${ownProxyPortLabel(4321)}.connect.test`)).to.equal(
      'PROXY 127.0.0.1:5000; PROXY 127.0.0.1:4321',
    );
    expect(find(pac, 'plain-1a2b3c4d.connect.test')).to.equal('PROXY 127.0.0.1:4000');
  });
});

describe('proxy credentials in one Firefox (and so which port a credentials case reaches)', () => {
  it('credentials given on one proxy port are sent pre-emptively to that port from another context, never to another port', async function () {
    this.timeout(120_000);
    const exe = resolveExecutable('firefox');
    if (!exe.path) this.skip();
    const stage = await startTrivialProxy(() => [], { challenge: 'cc-isolation' });
    const [a, b] = [await stage.openPort(), await stage.openPort()];
    const browser = await firefoxEngine.launch(
      firefoxEngine.launchOptions({
        executablePath: exe.path!,
        proxyUrl: stage.proxyUrl,
        spki: stage.ca.leafSpkiSha256,
        caPem: stage.ca.caPem,
      }),
    );
    const visit = async (host: string, credentials?: { username: string; password: string }) => {
      // Only the CONNECTs are read here: an override for the origin's certificate changes nothing in them.
      const context = await browser.newContext({
        ...firefoxEngine.contextOptions,
        ignoreHTTPSErrors: true,
        ...(credentials ? { httpCredentials: credentials } : {}),
      });
      const from = stage.connects.length;
      await (await context.newPage()).goto(`https://${host}.connect.test/`).catch(() => {});
      await context.close();
      return stage.connects.slice(from);
    };
    try {
      const first = await visit(`cred-a${ownProxyPortLabel(a)}`, { username: 'alice', password: 'wonderland' });
      expect(
        first.map((c) => c.port),
        'the PAC sent the case host to its own port',
      ).to.include(a);
      expect(
        first.some((c) => authorized(c.head)),
        'the first context answered the challenge',
      ).to.equal(true);
      const other = await visit(`cred-b${ownProxyPortLabel(b)}`);
      const control = await visit(`cred-c${ownProxyPortLabel(a)}`);
      const main = await visit('cred-d');
      expect(control[0]?.port).to.equal(a);
      expect(authorized(control[0]?.head ?? ''), 'control: a context without credentials sends the first one to the same port').to.equal(
        true,
      );
      expect(other[0]?.port).to.equal(b);
      expect(authorized(other[0]?.head ?? ''), 'a context without credentials sent them to another port').to.equal(false);
      expect(main[0]?.port, 'a host without a port label reaches the main port').to.equal(stage.port);
      expect(authorized(main[0]?.head ?? ''), 'the main port got credentials').to.equal(false);
    } finally {
      await browser.close();
      stage.close();
    }
  });
});

describe('two credentials cases with different answers in one Firefox (the suite itself)', () => {
  const fixtures = loadFixtures();
  const fixture = (id: string) => fixtures.find((f) => f.id === id)!;
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const pair = async (ownPorts: boolean) => {
    lab = await Lab.start(CLIENTS.firefox!, 'h1');
    // The control switches the port of its own off: both cases then reach the lab's one port.
    if (!ownPorts) lab.driver.ownProxyPort = () => undefined;
    const challenged = await runCase(lab, fixture('auth-407-with-credentials'));
    const unchallenged = await runCase(lab, fixture('sec-credentials-hop-unchallenged'));
    return { challenged, unchallenged };
  };

  it('a case whose proxy never challenges sends no credentials after one whose proxy did, each on its own port', async function () {
    this.timeout(180_000);
    if (!CLIENTS.firefox?.resolve().path) this.skip();
    const { challenged, unchallenged } = await pair(true);
    expect(challenged.proxyPort?.port).to.be.a('number');
    expect(unchallenged.proxyPort?.port).to.be.a('number').and.not.equal(challenged.proxyPort?.port);
    expect(computeFacts(challenged)['auth-sent']).to.match(/^Basic/);
    expect(computeFacts(unchallenged)['auth-sent'], 'as in a browser of its own (expectations/firefox.json)').to.equal('none');
  });

  it('control: on one shared port the second case sends the first case credentials unasked', async function () {
    this.timeout(180_000);
    if (!CLIENTS.firefox?.resolve().path) this.skip();
    const { challenged, unchallenged } = await pair(false);
    expect(challenged.proxyPort).to.equal(undefined);
    expect(computeFacts(challenged)['auth-sent']).to.match(/^Basic/);
    expect(computeFacts(unchallenged)['auth-sent'], 'the leak the port of its own prevents').to.match(/^Basic/);
  });
});
