/**
 * A synthetic run with the shape of a full one: browsers over several transports (list included),
 * Node clients with long labels, one Node client whose every cookie cell of the consequence matrix
 * fails with the same sentence, a standard check failing for two browsers in several cases, and a
 * cut-off head committed by Firefox (a security finding). For the findings page's grouping,
 * per-client views and chart; built from the hostile run's loaded baseline record.
 */
import { loadFixtures } from '../../harness/cases/load';
import type { CaseRecord, NavigationRecord } from '../../harness/evidence/record';
import type { RunResults } from '../../harness/runs/results';
import { hostileRun } from './hostile-run';

export const MANY_CLIENTS: Record<string, { label: string; kind: string; version?: string; transport: string }> = {
  chromium: { label: 'Chromium', kind: 'chromium', version: '156.0.8078.114', transport: 'h1' },
  'chromium-h2': { label: 'Chromium (HTTPS proxy, h2)', kind: 'chromium', version: '156.0.8078.114', transport: 'h2' },
  'chromium-list': { label: 'Chromium (proxy list (PAC))', kind: 'chromium', version: '156.0.8078.114', transport: 'list' },
  firefox: { label: 'Firefox', kind: 'firefox', version: '153.8.0', transport: 'h1' },
  'firefox-list': { label: 'Firefox (proxy list (PAC))', kind: 'firefox', version: '153.8.0', transport: 'list' },
  'node-agent': {
    label: 'Node https-proxy-agent',
    kind: 'node-agent',
    version: 'https-proxy-agent 9.1.0 / http-proxy-agent 9.1.0',
    transport: 'h1',
  },
  'node-undici-h1-tls': {
    label: 'Node undici ProxyAgent (fetch) (HTTPS proxy, http/1.1 only)',
    kind: 'node-undici',
    version: 'undici 6.29.1',
    transport: 'h1-tls',
  },
};

/** The cookie cells of the consequence matrix over a plain HTTP proxy: Node's agent fails every one. */
export const COOKIE_CELLS = loadFixtures()
  .filter((f) => f.consequence && f.id.endsWith('-cookie') && (f.transports ?? ['h1']).includes('h1'))
  .map((f) => f.id);

/** The 2xx cases where Chromium and Firefox (h1) get no working tunnel: one sentence, three cases. */
export const TUNNEL_FAILS = ['status-201-tunnel', 'status-204-tunnel', 'status-206-tunnel'];

/** Every kind of cookie a consequence answer sets: the Set-Cookie control must show all of them. */
export const EVERY_ANSWER_COOKIE = ['cc_answer_host', 'cc_answer_parent', '__Host-cc_answer'] as const;

/**
 * A two-visit consequence record whose second visit's page read the named answer cookies (valued
 * with the case host): a cell sees one kind come back, a working control every kind.
 */
export const answerCookiesBack =
  (...names: string[]) =>
  (rec: CaseRecord): void => {
    rec.visits = [
      loadedNavigation(`https://${rec.host}/cc-answer`),
      loadedNavigation(`https://${rec.host}/`, { cookies: names.map((n) => `${n}=${rec.host}`).join('; ') }),
    ];
    rec.navigation = rec.visits[1];
  };

/** A committed navigation to the origin (finalUrl = url unless `extra` says otherwise). */
export function loadedNavigation(url: string, extra: Partial<NavigationRecord> = {}): NavigationRecord {
  return {
    url,
    committed: true,
    status: 200,
    finalUrl: url,
    title: '',
    text: '',
    originMarkerFound: true,
    proxyMarkerFound: false,
    durationMs: 100,
    ...extra,
  };
}

export function manyClientsRun(): RunResults {
  const run = hostileRun();
  const fixtures = loadFixtures();
  const baseline = run.results.find((r) => r.caseId === 'baseline-200' && r.client === 'chromium')!;
  run.results = [];
  run.fixtures = run.fixtures.filter((f) => f.id === 'baseline-200');
  run.clients = Object.fromEntries(Object.entries(MANY_CLIENTS).map(([name, c]) => [name, { ...c, available: true }]));
  run.run.host.os = 'linux';
  const add = (id: string, client: string, tweak: (rec: CaseRecord) => void = () => {}) => {
    if (!run.fixtures.some((f) => f.id === id)) run.fixtures.push(fixtures.find((f) => f.id === id)!);
    const r = structuredClone(baseline);
    r.caseId = id;
    r.client = client;
    r.record!.caseId = id;
    r.record!.host = `${id}-1234abcd.connect.test`;
    r.record!.client = { ...r.record!.client, name: client, label: MANY_CLIENTS[client]!.label };
    tweak(r.record!);
    run.results.push(r);
  };
  const noTunnel = (rec: CaseRecord) => {
    rec.navigation = {
      ...rec.navigation!,
      committed: false,
      failure: { by: 'automation', message: 'net::ERR_TUNNEL_CONNECTION_FAILED' },
      originMarkerFound: false,
    };
  };
  for (const client of Object.keys(MANY_CLIENTS)) add('baseline-200', client);
  for (const id of COOKIE_CELLS) add(id, 'node-agent', answerCookiesBack('cc_answer_host'));
  add('cq-control-cookie', 'node-agent', answerCookiesBack(...EVERY_ANSWER_COOKIE));
  for (const id of TUNNEL_FAILS) for (const client of ['chromium', 'firefox']) add(id, client, noTunnel);
  add('status-201-tunnel', 'firefox-list', noTunnel);
  add('status-201-tunnel', 'chromium-list');
  add('fault-close-mid-headers', 'firefox', (rec) => {
    rec.navigation = { ...rec.navigation!, committed: true, status: 200, originMarkerFound: false };
    rec.origin = [];
  });
  add('fault-close-mid-headers', 'chromium', noTunnel);
  return run;
}
