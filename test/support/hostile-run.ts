/**
 * A synthetic run whose every wire-derived string is hostile: script tags, a closing </pre>, an
 * attribute break-out with an onerror handler, NUL and invalid UTF-8. Used to prove the report
 * renders such bytes as inert text (unit test on the HTML, and in a real browser).
 */
import { FIXTURES_DIR, loadFixtures } from '../../harness/cases/load';
import { RESULTS_FORMAT, type RunResults, type CaseResult } from '../../harness/runs/results';
import { parseRequestHead } from '../../harness/wire/http-head';
import type { CaseRecord } from '../../harness/evidence/record';
import { pinnedFacts, type ExpectationSource } from '../../harness/verdicts/expectations';
import { computeFacts } from '../../harness/observe/facts';

export const HOSTILE = '<script>window.__pwned=1</script></pre>"><img src=x onerror="window.__pwned=2">';
export const HOSTILE_BYTES = Buffer.concat([Buffer.from(HOSTILE, 'latin1'), Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28])]);

export function hostileRun(screenshot?: string): RunResults {
  const base = loadFixtures(FIXTURES_DIR).find((f) => f.id === 'status-403-held-open')!;
  const fixture = structuredClone(base);
  fixture.title = `403 ${HOSTILE}`;
  fixture.proxy.exchanges[0]!.steps[0] = { do: 'send', text: `HTTP/1.1 403 ${HOSTILE}\r\n\r\n${HOSTILE}\u0000\u00ff` };
  const other = loadFixtures(FIXTURES_DIR).find((f) => f.id === 'baseline-200')!;

  const host = 'status-403-held-open-0000.connect.test';
  const requestText = `CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\nX-Evil: ${HOSTILE}\r\n\r\n`;
  const record = (client: string): CaseRecord => ({
    caseId: fixture.id,
    fixtureFile: fixture.file,
    host,
    marker: 'origin-marker-x',
    client: { name: client, label: client === 'chromium' ? 'Chromium' : 'Firefox', version: `1.0 ${HOSTILE}`, executablePath: '/x' },
    startedAt: '2026-01-01T00:00:00.000Z',
    navigation: {
      url: `https://${host}/`,
      committed: false,
      failure: { by: 'automation', message: `page.goto: net::ERR_${HOSTILE}` },
      finalUrl: `https://${host}/"><script>window.__pwned=3</script>`,
      title: HOSTILE,
      text: HOSTILE,
      originMarkerFound: false,
      proxyMarkerFound: false,
      durationMs: 5,
    },
    ...(screenshot ? { screenshot } : {}),
    connections: [
      {
        id: 1,
        index: 1,
        clientPort: 1234,
        openedAt: 0,
        earlyBytes: HOSTILE_BYTES.toString('base64'),
        requests: [
          { t: 1, head: parseRequestHead(Buffer.from(requestText, 'latin1'))!, raw: Buffer.from(requestText, 'latin1').toString('base64') },
        ],
        protocol: 'h1',
        events: [
          { t: 0, kind: 'open', clientPort: 1234 },
          { t: 0.5, kind: 'note', text: HOSTILE },
          { t: 1, kind: 'c2p', data: Buffer.from(requestText, 'latin1').toString('base64') },
          {
            t: 1.5,
            kind: 'response',
            version: 'HTTP/1.1',
            status: 403,
            reason: HOSTILE,
            headers: [{ name: HOSTILE, value: HOSTILE }],
            interim: false,
          },
          { t: 2, kind: 'p2c', data: HOSTILE_BYTES.toString('base64') },
          { t: 3, kind: 'client-fin' },
        ],
      },
    ],
    origin: [
      { t: 4, kind: 'handshake-failed', error: HOSTILE },
      {
        t: 5,
        kind: 'request',
        method: 'GET',
        target: HOSTILE,
        version: 'HTTP/1.1',
        host,
        path: HOSTILE,
        headers: [{ name: 'X-Evil', value: HOSTILE }],
      },
    ],
    harness: {
      contextClosedAt: 100,
      settledAt: 90,
      durationMs: 100,
      notes: [HOSTILE],
      strays: [{ at: '', connectionId: 9, requestLine: HOSTILE }],
    },
  });
  const loaded = (r: CaseRecord, caseId: string): CaseRecord => {
    const { failure: _failure, ...nav } = r.navigation!;
    return { ...r, caseId, navigation: { ...nav, committed: true, status: 200, originMarkerFound: true } };
  };
  const results: CaseResult[] = [
    {
      caseId: fixture.id,
      client: 'chromium',
      status: 'observed',
      durationMs: 100,
      record: record('chromium'),
    },
    { caseId: fixture.id, client: 'firefox', status: 'harness-error', durationMs: 100, harnessError: `boom ${HOSTILE}` },
    {
      caseId: other.id,
      client: 'chromium',
      status: 'observed',
      durationMs: 100,
      record: loaded(record('chromium'), other.id),
    },
  ];
  return {
    format: RESULTS_FORMAT,
    run: {
      id: 'hostile',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      mode: 'enforce',
      host: { os: HOSTILE, arch: 'x64', node: 'v20' },
      playwright: '1.64.1',
    },
    clients: {
      chromium: { label: 'Chromium', available: true, version: `1.0 ${HOSTILE}` },
      firefox: { label: 'Firefox', available: true, version: '2.0' },
    },
    fixtures: [fixture, other],
    results,
  };
}

/**
 * Expectations for the hostile run: Chromium's file was recorded with a hostile version, pins
 * what the run shows except a hostile page value for the 403 case (the one mismatch to render).
 */
export const hostileExpectations: ExpectationSource = (client) => {
  if (client !== 'chromium') return undefined;
  const run = hostileRun();
  const pinned = (caseId: string) => {
    const fixture = run.fixtures.find((f) => f.id === caseId)!;
    const r = run.results.find((x) => x.caseId === caseId && x.client === client)!;
    return pinnedFacts(fixture, computeFacts(r.record!));
  };
  return {
    client,
    recordedWith: HOSTILE,
    updatedAt: '2026-01-01T00:00:00.000Z',
    cases: { 'status-403-held-open': { ...pinned('status-403-held-open'), page: HOSTILE }, 'baseline-200': pinned('baseline-200') },
  };
};
