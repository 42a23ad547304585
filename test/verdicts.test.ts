import { expect } from 'chai';
import { computeFacts } from '../harness/observe/facts';
import { evaluateChecks, evaluateChecksFor, compareWith2015, worstVerdict } from '../harness/verdicts/evaluate';
import { checkExpectations } from '../harness/verdicts/expectations';
import { failureCode } from '../harness/evidence/failure';
import type { CaseRecord } from '../harness/evidence/record';
import type { ConnectionTrace, ProxyEvent } from '../harness/evidence/events';
import { leadingResponseHeads } from '../harness/wire/http-head';
import { parseRequestHead } from '../harness/wire/http-head';
import { loadFixtures } from '../harness/cases/load';
import { analyseFlakes } from '../harness/runs/flakes';

const HOST = 'case-1234.connect.test';
const b64 = (s: string | Buffer) => Buffer.from(s as string, typeof s === 'string' ? 'latin1' : undefined).toString('base64');

function conn(id: number, requests: { t: number; text: string }[], events: ProxyEvent[], early = ''): ConnectionTrace {
  return {
    id,
    index: id,
    clientPort: 50000 + id,
    openedAt: events[0]?.t ?? 0,
    earlyBytes: b64(early),
    protocol: 'h1',
    requests: requests.map((r) => ({ t: r.t, head: parseRequestHead(Buffer.from(r.text, 'latin1'))!, raw: b64(r.text) })),
    events,
  };
}

function record(partial: Partial<CaseRecord>): CaseRecord {
  return {
    caseId: 'x',
    fixtureFile: 'fixtures/x.json',
    host: HOST,
    marker: 'm',
    client: { name: 'chromium', label: 'Chromium', version: '1', executablePath: '/x' },
    startedAt: '2026-01-01T00:00:00Z',
    connections: [],
    origin: [],
    harness: { contextClosedAt: 1000, settledAt: 990, durationMs: 1000, notes: [], strays: [] },
    ...partial,
  };
}

const head = (extra = '') =>
  `CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\nProxy-Connection: keep-alive\r\nUser-Agent: UA\r\n${extra}\r\n`;
/** An event as the proxy records it: bytes, plus the typed response a proxy → client head carries. */
function ev(t: number, kind: 'open' | 'c2p' | 'p2c' | 'client-fin' | 'proxy-close' | 'tunnel-open', data?: string): ProxyEvent {
  if (kind === 'open') return { t, kind, clientPort: 1 };
  if (kind === 'tunnel-open') return { t, kind, mode: 'tls', originPort: 2, proxyPort: 3 };
  if (kind === 'c2p' || kind === 'p2c') return { t, kind, data: b64(data ?? '') };
  return { t, kind };
}
/** What the proxy logs when it sends a response head: the typed head, then the bytes. */
function sent(t: number, text: string): ProxyEvent[] {
  const heads = leadingResponseHeads(Buffer.from(text, 'latin1')).heads.map(
    (h): ProxyEvent => ({
      t,
      kind: 'response',
      version: h.version,
      status: h.status,
      reason: h.reason,
      headers: h.headers,
      interim: h.status < 200,
    }),
  );
  return [...heads, ev(t, 'p2c', text)];
}

describe('facts from raw evidence', () => {
  it('counts a ClientHello that arrived while the proxy was still dialling the origin as sent into the tunnel', () => {
    const hello = '\u0016\u0003\u0001\u0002\u0000hello';
    const early = conn(
      1,
      [{ t: 1, text: head() }],
      [
        ev(0, 'open'),
        ev(1, 'c2p', head()),
        ev(2, 'p2c', 'HTTP/1.1 200 OK\r\n\r\n'),
        ev(3, 'c2p', hello),
        ev(4, 'tunnel-open'),
        ev(5, 'client-fin'),
      ],
    );
    const failed: CaseRecord['origin'] = [{ kind: 'handshake-failed', error: 'ECONNRESET', t: 6 }];
    expect(computeFacts(record({ connections: [early], origin: failed }))['origin-tls']).to.equal('failed: ECONNRESET');
    // Only the CONNECT head on the connection: nothing was tunnelled, whatever the origin reports.
    const silent = conn(
      1,
      [{ t: 1, text: head() }],
      [ev(0, 'open'), ev(1, 'c2p', head()), ev(2, 'p2c', 'HTTP/1.1 200 OK\r\n\r\n'), ev(4, 'tunnel-open'), ev(5, 'client-fin')],
    );
    expect(computeFacts(record({ connections: [silent], origin: failed }))['origin-tls']).to.equal('none');
  });

  it('reads the request form with the host written as {host}', () => {
    const f = computeFacts(record({ connections: [conn(1, [{ t: 1, text: head() }], [ev(0, 'open'), ev(1, 'c2p', head())])] }));
    expect(f['request-line']).to.equal('CONNECT {host}:443 HTTP/1.1');
    expect(f['request-headers']).to.equal('Host, Proxy-Connection, User-Agent');
    expect(f['host-first']).to.equal('yes');
    expect(f['request-target']).to.equal('authority-form host:port');
    expect(f['host-header']).to.equal('{host}:443');
    expect(f['request-content']).to.equal('none');
  });

  it('classifies early bytes', () => {
    const tls = computeFacts(record({ connections: [conn(1, [{ t: 1, text: head() }], [ev(0, 'open')], '\x16\x03\x01\x00')] }));
    expect(tls['early-bytes']).to.equal('TLS handshake');
    const other = computeFacts(record({ connections: [conn(1, [{ t: 1, text: head() }], [ev(0, 'open')], 'GET')] }));
    expect(other['early-bytes']).to.equal('other');
  });

  it('says who closed first, ignoring closes after the harness closed the context', () => {
    const browser = computeFacts(
      record({
        connections: [
          conn(
            1,
            [{ t: 1, text: head() }],
            [ev(0, 'open'), ev(2, 'p2c', 'HTTP/1.1 403 x\r\n\r\n'), ev(9, 'client-fin'), ev(20, 'proxy-close')],
          ),
        ],
      }),
    );
    expect(browser['first-close']).to.equal('client (FIN)');
    expect(browser['client-close-ms']).to.equal(7);
    const proxy = computeFacts(
      record({
        connections: [
          conn(1, [{ t: 1, text: head() }], [ev(0, 'open'), ev(2, 'p2c', 'x'), ev(3000, 'proxy-close'), ev(3001, 'client-fin')]),
        ],
        harness: { contextClosedAt: 5000, settledAt: 0, durationMs: 0, notes: [], strays: [] },
      }),
    );
    expect(proxy['first-close']).to.equal('proxy');
    const neither = computeFacts(record({ connections: [conn(1, [{ t: 1, text: head() }], [ev(0, 'open'), ev(1200, 'client-fin')])] }));
    expect(neither['first-close']).to.equal('neither');
  });

  it('decides connection reuse after a 407 by connection identity', () => {
    const challenge = 'HTTP/1.1 407 Auth\r\n\r\n';
    const auth = head('Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n');
    const same = computeFacts(
      record({
        credentials: { username: 'alice', password: 'wonderland' },
        connections: [
          conn(
            7,
            [
              { t: 1, text: head() },
              { t: 5, text: auth },
            ],
            [ev(0, 'open'), ...sent(2, challenge)],
          ),
        ],
      }),
    );
    expect(same['auth-retry']).to.equal('same connection');
    expect(same['auth-sent']).to.equal('Basic (the configured credentials)');
    expect(same.challenges).to.equal(1);
    const fresh = computeFacts(
      record({
        connections: [
          conn(7, [{ t: 1, text: head() }], [ev(0, 'open'), ...sent(2, challenge)]),
          conn(8, [{ t: 6, text: auth }], [ev(5, 'open')]),
        ],
      }),
    );
    expect(fresh['auth-retry']).to.equal('new connection');
    expect(fresh['auth-sent']).to.equal('Basic');
  });

  it('proves a loaded tunnel by the origin marker, and a leak by the proxy marker', () => {
    const nav = {
      url: 'u',
      committed: true,
      finalUrl: 'u',
      title: '',
      text: '',
      durationMs: 1,
      originMarkerFound: true,
      proxyMarkerFound: false,
    };
    expect(computeFacts(record({ navigation: nav })).page).to.equal('loaded');
    expect(computeFacts(record({ navigation: { ...nav, originMarkerFound: false, proxyMarkerFound: true } })).page).to.equal(
      'proxy body shown',
    );
    expect(
      computeFacts(
        record({
          navigation: { ...nav, committed: false, originMarkerFound: false, failure: { by: 'automation', message: 'net::ERR_X' } },
        }),
      ).error,
    ).to.equal('net::ERR_X');
  });
});

describe('verdicts and the 2015 comparison', () => {
  const fixture = loadFixtures().find((f) => f.id === 'status-100-then-200')!;

  it('maps facts to the first matching outcome, else "otherwise"', () => {
    expect(evaluateChecks(fixture, { page: 'loaded' })[0]).to.include({ verdict: 'pass', matched: 0 });
    expect(evaluateChecks(fixture, { page: 'error page' })[0]).to.include({ verdict: 'fail', matched: 'otherwise' });
  });

  it('takes the worst verdict for a cell', () => {
    expect(worstVerdict([{ verdict: 'pass' }, { verdict: 'non-strict' }, { verdict: 'informational' }] as never)).to.equal('non-strict');
  });

  it('compares with the 2015 row of the same lineage only', () => {
    expect(compareWith2015(fixture, 'chromium', { page: 'error page' })).to.include({
      status: 'same',
      browser2015: 'chrome',
      cite: '[38]',
    });
    const changed = compareWith2015(fixture, 'firefox', { page: 'loaded' })!;
    expect(changed.status).to.equal('changed');
    expect(changed.diffs).to.deep.equal([{ fact: 'page', was: 'error page', now: 'loaded' }]);
    expect(compareWith2015(fixture, 'webkit', { page: 'loaded' })).to.equal(undefined);
  });
});

describe('expectations', () => {
  const fixture = { id: 'c', observe: ['page', 'error'] as const } as never;
  const file = (cases: Record<string, unknown>) => ({ client: 'chromium', recordedWith: '1.0', updatedAt: '', cases }) as never;

  it('matches, mismatches with the differing facts, or is missing', () => {
    expect(checkExpectations(fixture, { page: 'loaded', error: 'none' }, file({ c: { page: 'loaded', error: 'none' } })).status).to.equal(
      'match',
    );
    const mm = checkExpectations(fixture, { page: 'error page', error: 'none' }, file({ c: { page: 'loaded', error: 'none' } }));
    expect(mm).to.deep.include({ status: 'mismatch' });
    expect((mm as { differences: unknown[] }).differences).to.deep.equal([{ fact: 'page', expected: 'loaded', observed: 'error page' }]);
    expect(checkExpectations(fixture, { page: 'loaded' }, file({})).status).to.equal('missing');
  });

  it('accepts any of the values listed for an intermittent fact', () => {
    const f = file({ c: { page: ['loaded', 'error page'], error: 'none' } });
    expect(checkExpectations(fixture, { page: 'error page', error: 'none' }, f).status).to.equal('match');
  });
});

const ONE_CONNECT = {
  requirement: 'resp-2xx-tunnel',
  outcomes: [{ when: { connects: 1 }, verdict: 'pass', means: 'one CONNECT' }],
  otherwise: { verdict: 'fail', means: 'more than one CONNECT' },
} as const;
const WHY = 'a speculative second connection, seen in the wire log before the harness closed anything';

describe('verdicts robust to declared nondeterminism', () => {
  const fixture = (intermittent?: object) => ({ checks: [ONE_CONNECT], ...(intermittent ? { intermittent } : {}) }) as never;
  it('judges a check over every declared value of the facts it reads and keeps the worst', () => {
    const facts = { connects: 1 };
    expect(evaluateChecksFor(fixture(), 'webkit', facts)[0]!.verdict).to.equal('pass');
    const robust = evaluateChecksFor(fixture({ webkit: { why: WHY, connects: [1, 2] } }), 'webkit', facts)[0]!;
    expect(robust.verdict).to.equal('fail');
    expect(robust.means).to.match(/in some runs \(connects vary/);
    // Another client's declaration, or a value outside the declared ones, changes nothing.
    expect(evaluateChecksFor(fixture({ firefox: { why: WHY, connects: [1, 2] } }), 'webkit', facts)[0]!.verdict).to.equal('pass');
    expect(evaluateChecksFor(fixture({ webkit: { why: WHY, connects: [2, 3] } }), 'webkit', facts)[0]!.verdict).to.equal('pass');
  });
});

describe('flake analysis (npm run flake)', () => {
  const connects = (n: number) =>
    record({
      connections: Array.from({ length: n }, (_, i) => conn(i + 1, [{ t: 1, text: head() }], [ev(0, 'open'), ev(1, 'c2p', head())])),
    });
  const run = (counts: Record<string, number[]>, intermittent?: Record<string, unknown>) =>
    ({
      fixtures: [{ id: 'c', observe: ['connects'], checks: [ONE_CONNECT], ...(intermittent ? { intermittent } : {}) }],
      results: Object.entries(counts).flatMap(([client, ns]) =>
        ns.map((n) => ({ caseId: 'c', client, status: 'observed', durationMs: 1, record: connects(n) })),
      ),
    }) as never;

  it('lists a pair whose outcome changed, with each outcome and its count, and leaves steady pairs out', () => {
    const a = analyseFlakes(run({ chromium: [1, 2, 1], firefox: [1, 1, 1] }));
    expect(a.pairs).to.equal(2);
    expect(a.runsPerPair).to.deep.equal({ min: 3, max: 3 });
    expect(a.flips).to.have.length(1);
    expect(a.flips[0]).to.deep.include({ caseId: 'c', client: 'chromium', declared: false });
    expect(a.flips[0]!.outcomes).to.deep.equal([
      { facts: { connects: 1 }, count: 2 },
      { facts: { connects: 2 }, count: 1 },
    ]);
    expect(a.flips[0]!.varying).to.deep.equal([{ fact: 'connects', values: [1, 2], declared: false }]);
  });

  it("calls a flip declared only when every value seen is in the fixture's intermittent list for that client", () => {
    expect(analyseFlakes(run({ chromium: [1, 2] }, { chromium: { why: WHY, connects: [1, 2] } })).flips[0]!.declared).to.equal(true);
    expect(analyseFlakes(run({ chromium: [1, 3] }, { chromium: { why: WHY, connects: [1, 2] } })).flips[0]!.declared).to.equal(false);
    expect(analyseFlakes(run({ chromium: [1, 2] }, { firefox: { why: WHY, connects: [1, 2] } })).flips[0]!.declared).to.equal(false);
  });

  it('counts verdict flips apart from fact flips; a declared intermittent fact cannot flip the verdict', () => {
    const undeclared = analyseFlakes(run({ chromium: [1, 2, 1], firefox: [1, 1, 1] }));
    expect(undeclared.verdictFlips).to.deep.equal([
      {
        caseId: 'c',
        client: 'chromium',
        verdicts: [
          { verdict: 'pass', count: 2 },
          { verdict: 'fail', count: 1 },
        ],
      },
    ]);
    const declared = analyseFlakes(run({ chromium: [1, 2, 1] }, { chromium: { why: WHY, connects: [1, 2] } }));
    expect(declared.flips).to.have.length(1);
    expect(declared.verdictFlips).to.deep.equal([]);
  });
});

describe('navigation error normalisation', () => {
  it('takes net::ERR_* from Chromium and NS_ERROR_* from a later line of Firefox', () => {
    expect(failureCode({ by: 'automation', message: 'page.goto: net::ERR_TUNNEL_CONNECTION_FAILED at https://x/' })).to.equal(
      'net::ERR_TUNNEL_CONNECTION_FAILED',
    );
    expect(
      failureCode({
        by: 'automation',
        message:
          'page.goto: Protocol error (browsingContext.navigate): unknown error\nMessage: Error: NS_ERROR_PROXY_FORBIDDEN at https://x/',
      }),
    ).to.equal('NS_ERROR_PROXY_FORBIDDEN');
    expect(failureCode({ by: 'automation', name: 'TimeoutError', message: 'page.goto: Timeout 100ms exceeded.' })).to.equal('timeout');
    // undici: the DOMException's numeric legacy code names nothing; the innermost string code does
    expect(
      failureCode({ by: 'library', chain: [{ name: 'TypeError', message: 'fetch failed' }, { code: 0 }, { code: 'UND_ERR_SOCKET' }] }),
    ).to.equal('UND_ERR_SOCKET');
    expect(failureCode({ by: 'exit', program: 'curl', exitCode: 56, stderr: '' })).to.equal('curl (56)');
  });
});
