/**
 * Bugs found by reading (issue 20), each with a test that failed before its fix.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredWaitMs } from '../harness/cases/derive';
import { FixtureError, loadFixtures, parseFixtureFile } from '../harness/cases/load';
import { proxyTlsEvidence } from '../harness/runner/run-case';
import { updateExpectationsFrom } from '../harness/runs/update-expectations';
import { writeExpectations } from '../harness/verdicts/expectations';
import { hostileRun } from './support/hostile-run';

describe('regressions (issue 20)', () => {
  it('declaredWaitMs counts the gaps between chunkBytes segments (fault-dribble waits 1.9 s, not 0)', () => {
    const dribble = loadFixtures().find((f) => f.id === 'fault-dribble')!;
    // "HTTP/1.1 200 Connection established\r\n\r\n" is 39 bytes, one a segment: 38 gaps of 50 ms.
    expect(declaredWaitMs(dribble)).to.equal(1900);
  });

  it('a misspelt {placeholder} is a load error naming the field, not literal bytes on the wire', () => {
    const family = {
      id: 'fam',
      title: 'x',
      description: 'x',
      group: '2xx',
      proxy: { exchanges: [{ steps: [{ do: 'send', text: 'HTTP/1.1 {staus} OK\r\n\r\n' }, { do: 'tunnel' }] }] },
      checks: [
        {
          requirement: 'resp-2xx-tunnel',
          outcomes: [{ when: { page: 'loaded' }, verdict: 'pass', means: 'x' }],
          otherwise: { verdict: 'fail', means: 'x' },
        },
      ],
      variants: [{ id: 'fam-200', vars: { status: '200' } }],
    };
    try {
      parseFixtureFile('fixtures/x/fam.json', JSON.stringify(family));
      throw new Error('accepted');
    } catch (e) {
      expect(e).to.be.instanceOf(FixtureError);
      const p = (e as FixtureError).problems[0]!;
      expect(p.field).to.equal('variants[0] (fam-200): proxy.exchanges[0].steps[0].text');
      expect(p.message).to.match(/\{staus\} is not filled/);
    }
  });

  it("the HTTPS proxy's TLS evidence of a case survives the proxy trimming its lists mid-case", () => {
    const proxy = { tlsErrors: [] as { at: number; error: string }[], tlsHandshakes: [] as number[], tcpAccepts: [] as number[] };
    for (let i = 0; i < 999; i++) proxy.tcpAccepts.push(i);
    const start = proxy.tcpAccepts.length; // what the old code remembered
    const t0 = 5000;
    for (let i = 0; i < 3; i++) {
      proxy.tcpAccepts.push(t0 + i);
      // The proxy's own trimming (mock-proxy.ts): past 1000 entries, the oldest 500 go.
      if (proxy.tcpAccepts.length > 1000) proxy.tcpAccepts.splice(0, 500);
    }
    expect(proxy.tcpAccepts.slice(start)).to.deep.equal([]); // the old, index-based reading lost them
    expect(proxyTlsEvidence(proxy, t0, t0 + 10, (at) => at - t0).tcpConnections).to.deep.equal([0, 1, 2]);
  });

  it('expectations:update over a subset of fixtures keeps the expectations of the cases it did not run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-exp-'));
    try {
      writeExpectations(
        {
          client: 'chromium',
          recordedWith: '1',
          updatedAt: 'x',
          cases: { 'auth-407-digest': { page: 'loaded' }, 'gone-case': { page: 'loaded' } },
        },
        dir,
      );
      const run = hostileRun();
      run.fixtures = run.fixtures.filter((f) => f.id === 'baseline-200'); // a CC_FIXTURES_DIR with one case
      run.results = run.results.filter((r) => r.caseId === 'baseline-200');
      updateExpectationsFrom(run, dir);
      const cases = JSON.parse(readFileSync(join(dir, 'chromium.json'), 'utf8')).cases;
      expect(Object.keys(cases).sort()).to.deep.equal(['auth-407-digest', 'baseline-200']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('regressions (issue 20): facts', () => {
  it('ws-tunnels, like connects, leaves out CONNECTs that came after the harness closed the context', async () => {
    const { computeFacts } = await import('../harness/observe/facts');
    const run = hostileRun();
    const rec = structuredClone(run.results.find((r) => r.caseId === 'baseline-200' && r.record)!.record!);
    const live = rec.connections[0]!;
    const late = structuredClone(live);
    late.id = 99;
    late.openedAt = rec.harness.contextClosedAt + 10;
    late.requests = late.requests.map((r) => ({ ...r, t: rec.harness.contextClosedAt + 10 }));
    rec.connections.push(late);
    const facts = computeFacts(rec);
    expect(facts['ws-tunnels']).to.equal(facts.connects);
  });
});
