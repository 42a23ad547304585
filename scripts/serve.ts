/**
 * npm run serve -- <case-id> [--transport h1|h1-tls|h2|list] [--port 18080] [--visits N]
 *
 * Reproduce a cell by hand: starts the mock proxy (on a fixed loopback port) and the origin for one
 * case, prints how to point any client at it (proxy URL, CA file, target URL, a curl line, a
 * Chromium command line, Firefox prefs), prints the wire live as the client talks, and on Ctrl-C
 * (or after N visits: a visit ends when the wire has been quiet for a second after a request)
 * prints the facts and verdicts as `npm run case` does. The client's own outcome (its page, its
 * error) is not observed: only the wire and the origin are.
 *
 * Exit codes: 0 served and printed, 2 harness error, 3 bad arguments (unknown case or transport,
 * a port in use).
 */
import { firefoxProxyPrefs } from '../harness/clients/firefox';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadFixtures, type LoadedFixture } from '../harness/cases/load';
import type { ClientDriver, ClientKind, ProxyEndpoint, VisitRequest } from '../harness/clients/client';
import { pacDataUrl } from '../harness/clients/engine';
import { Lab } from '../harness/runner/lab';
import { runCase } from '../harness/runner/run-case';
import type { ConnectionTrace } from '../harness/evidence/events';
import type { MockProxy } from '../harness/proxy/mock-proxy';
import { wireLogLines } from '../harness/report/wire-text';
import { TRANSPORT_NAMES, TRANSPORTS, type Transport } from '../harness/vocabulary/transports';
import { printCaseResult } from './lib/case-output';

const usage = 'usage: npm run serve -- <case-id> [--transport h1|h1-tls|h2|list] [--port 18080] [--visits N]';
const fail = (message: string): never => {
  console.error(`npm run serve: ${message}\n${usage}`);
  process.exit(3);
};
const args = process.argv.slice(2);
const VALUED = ['--transport', '--port', '--visits'];
for (const a of args) if (a.startsWith('--') && !VALUED.includes(a.split('=')[0]!)) fail(`unknown option ${a}`);
const option = (name: string) => {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
};
const positional = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''));
if (positional.length !== 1) fail(positional.length ? `one case at a time (got ${positional.join(', ')})` : 'which case?');
const id = positional[0]!;
const whole = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
};
const port = whole('--port', option('--port'), 1, 65535) ?? 18080;
const visitsWanted = whole('--visits', option('--visits'), 1, 100);

let fixtures: LoadedFixture[] = [];
try {
  fixtures = loadFixtures();
} catch (e) {
  fail((e as Error).message.split('\n')[0]!);
}
const fixture = fixtures.find((f) => f.id === id) ?? fail(`no case "${id}" (npm run fixtures:check lists them; the matrix shows every id)`);
const transport = (option('--transport') ?? (fixture.transports.includes('h1') ? 'h1' : fixture.transports[0]!)) as Transport;
if (!TRANSPORT_NAMES.includes(transport)) fail(`no transport "${transport}" (known: ${TRANSPORT_NAMES.join(', ')})`);
if (!fixture.transports.includes(transport))
  fail(`${fixture.id} does not run over ${transport} (it lists ${fixture.transports.join(', ')})`);

const out = (s = '') => console.log(s);
const dir = resolve('reports', 'serve', fixture.id);
mkdirSync(dir, { recursive: true });

/** How to point clients at the proxy, for this endpoint and target. */
function instructions(endpoint: ProxyEndpoint, url: string): string[] {
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, endpoint.caPem);
  const https = endpoint.scheme === 'https';
  const lines = [
    `serving ${fixture.id} (${fixture.file}) over ${TRANSPORTS[transport].label}; the wire is printed below as clients talk`,
    `  proxy:    ${endpoint.pac ? `a PAC (${join(dir, 'proxy.pac')})` : endpoint.url}`,
    `  target:   ${url}`,
    `  CA file:  ${ca}  (it signed the origin's certificate${https ? " and the HTTPS proxy's" : ''})`,
  ];
  if (endpoint.pac) writeFileSync(join(dir, 'proxy.pac'), endpoint.pac);
  lines.push(
    endpoint.pac
      ? '  curl:     (curl takes one proxy: a proxy list does not apply)'
      : `  curl:     curl -sS --proxy ${endpoint.url}${https ? ` --proxy-cacert ${ca}` : ''} --cacert ${ca} ${url}`,
  );
  const proxyFlag = endpoint.pac ? `--proxy-pac-url=${pacDataUrl(endpoint.pac)}` : `--proxy-server=${endpoint.url}`;
  lines.push(
    `  chromium: chromium ${proxyFlag} --ignore-certificate-errors-spki-list=${endpoint.spki} --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" --user-data-dir=$(mktemp -d) ${url}`,
  );
  const profile = join(dir, 'firefox-profile');
  mkdirSync(profile, { recursive: true });
  const prefs = firefoxProxyPrefs({ proxyUrl: endpoint.url, ...(endpoint.pac ? { pac: endpoint.pac } : {}) });
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(prefs)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  );
  lines.push(
    `  firefox:  firefox -no-remote -profile ${profile} ${url}   (prefs in its user.js; trust the CA first: certutil -A -d sql:${profile} -n connect-conformance -t C,, -i ${ca})`,
    `  ${visitsWanted ? `ends after ${visitsWanted} visit(s)` : 'Ctrl-C ends it'} and prints the facts and verdicts${fixture.client.visits > 1 ? `; this case expects ${fixture.client.visits} visits (${fixture.client.urls?.join(', ') ?? url})` : ''}`,
    '',
  );
  return lines;
}

/** Prints the events of the case's connections as they come. */
function printLive(proxy: MockProxy, host: string): () => void {
  const printed = new Map<string, number>();
  const tick = () => {
    const session = proxy.sessionFor(host);
    if (!session) return;
    const fresh: ConnectionTrace[] = [];
    for (const c of session.traces()) {
      const key = `${c.id}/${c.h2Stream ?? 0}/${c.index}`;
      const seen = printed.get(key) ?? 0;
      if (c.events.length > seen) fresh.push({ ...c, events: c.events.slice(seen) });
      printed.set(key, c.events.length);
    }
    for (const l of wireLogLines(fresh)) out(l);
  };
  const timer = setInterval(tick, 100);
  return () => {
    clearInterval(timer);
    tick();
  };
}

/** The client is whoever the user points at the proxy: the driver only waits for the visits to end. */
function byHand(lab: () => Lab): ClientKind {
  return {
    name: 'by-hand',
    label: 'a client driven by hand',
    concurrency: 1,
    capabilities: { page: false, screenshot: false, websocket: true, credentials: 'preemptive', transports: [...TRANSPORT_NAMES] },
    resolve: () => ({ path: '(you)', how: 'npm run serve' }),
    async start(endpoint: ProxyEndpoint): Promise<ClientDriver> {
      return {
        info: { name: 'by-hand', label: 'a client driven by hand', version: 'not observed', executablePath: '' },
        launchMs: 0,
        launchConfig: {},
        async visit(request: VisitRequest) {
          for (const l of instructions(endpoint, request.url)) out(l);
          const stop = printLive(lab().proxy, request.host);
          let visit = 1;
          request.beginVisit(visit);
          await new Promise<void>((done) => {
            process.once('SIGINT', () => done());
            let requestsSeen = 0;
            const poll = setInterval(() => {
              const session = lab().proxy.sessionFor(request.host);
              const requests = session?.traces().reduce((n, c) => n + c.requests.length, 0) ?? 0;
              // A visit ends when requests came and the wire has then been quiet for a second.
              if (requests > requestsSeen && session && performance.now() - session.lastActivity > 1000) {
                requestsSeen = requests;
                out(`-- visit ${visit} ended (the wire has been quiet for 1 s)`);
                if (visitsWanted && visit >= visitsWanted) {
                  clearInterval(poll);
                  return done();
                }
                request.beginVisit(++visit);
              }
            }, 100);
            process.once('SIGINT', () => clearInterval(poll));
          });
          stop();
          return {
            visits: [],
            notes: [
              'driven by hand (npm run serve): the client and its outcome (page, error code) are not observed, only the wire and the origin',
            ],
            alive: () => true,
            dispose: async () => {},
          };
        },
        async close() {},
      };
    },
  };
}

let labRef: Lab | undefined;
const lab = await Lab.start(
  byHand(() => labRef!),
  transport,
  { proxyPort: port },
).catch((e: Error) => fail(e.message));
labRef = lab;
try {
  const record = await runCase(lab, fixture, { hangBoundMs: 24 * 3600_000 });
  await lab.close();
  out('');
  out('The client was driven by hand: its own outcome (page, error code) is not observed, so facts about it read "no outcome"');
  out('and verdicts resting on them are not about your client. The wire and the origin log below are what it did.');
  out('');
  printCaseResult({ fixture, project: `serve-${transport}`, record, compare: false });
  process.exit(0);
} catch (e) {
  await lab.close();
  console.error(`\nHARNESS ERROR: ${(e as Error).message}`);
  process.exit(2);
}
