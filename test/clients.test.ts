import { expect } from 'chai';
import { Lab } from '../harness/runner/lab';
import { runCase } from '../harness/runner/run-case';
import { CLIENTS } from '../harness/clients/registry';
import { unsupportedReason } from '../harness/clients/client';
import { loadFixtures } from '../harness/cases/load';
import { computeFacts } from '../harness/observe/facts';
import { invalidValue } from '../harness/vocabulary/facts';
import { failureText } from '../harness/evidence/failure';

const fixtures = loadFixtures();
const fixture = (id: string) => fixtures.find((f) => f.id === id)!;

describe('client adapters against the real proxy', function () {
  this.timeout(60_000);
  for (const name of ['curl', 'node-agent', 'node-undici', 'webkit']) {
    const kind = CLIENTS[name]!;
    describe(kind.label, () => {
      let lab: Lab;
      before(async function () {
        if (!kind.resolve().path) this.skip();
        lab = await Lab.start(kind, 'h1');
      });
      after(async () => lab?.close());

      it('loads the origin through a 200 tunnel (proven by the marker) and records a version', async () => {
        const rec = await runCase(lab, fixture('baseline-200'));
        expect(rec.client.version).to.not.equal('');
        expect(computeFacts(rec).page).to.equal('loaded');
        expect(computeFacts(rec)['request-line']).to.match(/^CONNECT \{host\}:443 HTTP\/1\.[01]$/);
      });

      it('reports a 403 as an error in the shared vocabulary, with the raw message kept', async () => {
        const rec = await runCase(lab, fixture('status-403-body'));
        const facts = computeFacts(rec);
        expect(facts.page).to.not.equal('loaded');
        expect(facts['origin-tls']).to.equal('none');
        // Either an error in the shared vocabulary with its raw message kept, or (https-proxy-agent)
        // the 403 itself committed as the response: never neither.
        const nav = rec.navigation!;
        if (nav.failure) {
          expect(failureText(nav.failure).trim(), 'the raw message is kept').to.not.equal('');
          expect(facts.error, 'a failure is an error code').to.not.equal('none');
          expect(invalidValue('error', facts.error!), String(facts.error)).to.equal(undefined);
        } else expect(nav.status, 'no error recorded, so the 403 must be the committed status').to.equal(403);
      });
    });
  }

  it('says what a client cannot do instead of running it', () => {
    expect(unsupportedReason(CLIENTS.curl!, fixture('ws-wss-h1-origin'))).to.match(/^unsupported: curl has no page/);
    expect(unsupportedReason(CLIENTS.webkit!, fixture('auth-407-with-credentials'))).to.match(/^unsupported: .*credentials/);
    expect(unsupportedReason(CLIENTS.chromium!, fixture('ws-wss-h1-origin'))).to.equal(undefined);
  });

  it('registers every client with the capabilities the suite relies on', () => {
    for (const kind of Object.values(CLIENTS)) {
      expect(kind.capabilities.transports, kind.name).to.include('h1');
      expect(kind.name, kind.name).to.match(/^[a-z][a-z0-9-]*$/);
    }
  });
});
