/**
 * The proxy-list facts driven to each of their values from constructed evidence: the next proxy
 * counts as a failover only after the first was tried.
 */
import { expect } from 'chai';
import { failoverFacts } from '../harness/observe/failover-facts';
import type { CaseRecord, FirstProxyRecord } from '../harness/evidence/record';

/** A case of two visits (the second at 1000 ms): the first proxy's accepts, the next proxy's requests. */
function listCase(first: Partial<FirstProxyRecord>, nextRequests: number[]): CaseRecord {
  return {
    visitStarts: [0, 1000],
    firstProxy: { kind: 'script', scheme: 'PROXY', port: 1, accepts: [], connections: [], ...first },
    connections: [{ requests: nextRequests.map((t) => ({ t, head: { method: 'CONNECT', target: 'x:443' } })) }],
    harness: { contextClosedAt: 5000 },
  } as unknown as CaseRecord;
}

describe('proxy-list facts (every value of next-proxy)', () => {
  it('"used": the next proxy got the request after the first proxy was reached', () => {
    expect(failoverFacts(listCase({ accepts: [10] }, [20]))['next-proxy']).to.equal('used');
  });
  it('"used" after a refused first proxy: nothing listens there, so the attempt leaves no trace', () => {
    expect(failoverFacts(listCase({ kind: 'refused' }, [20]))['next-proxy']).to.equal('used');
  });
  it('"used, first not tried": the next proxy got the request and the first proxy\'s port saw nothing in that visit', () => {
    expect(failoverFacts(listCase({ accepts: [1500] }, [20]))['next-proxy']).to.equal('used, first not tried');
  });
  it('"not used": nothing reached the next proxy in the first visit', () => {
    expect(failoverFacts(listCase({ accepts: [10] }, [1500]))['next-proxy']).to.equal('not used');
  });
});
