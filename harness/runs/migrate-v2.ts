/**
 * The one converter from results@2 (each visit stored its error as a normalised code and the raw
 * message) to results@3 (the failure as the client reported it, read into a code when facts are
 * computed). Where the client's kind says what the raw text was, it becomes that evidence again, so
 * today's reading applies; otherwise the stored code is kept as it was. Two fields were renamed
 * for what they hold: a connection's originPort (the proxy's port of its socket to the origin) is
 * tunnelProxyPort, a client's engine (its kind: chromium, curl…) is kind. The stored comparison
 * with expectations/ is dropped: it is computed whenever a run is read.
 */
import type { VisitFailure } from '../evidence/failure';
import type { CaseRecord, NavigationRecord } from '../evidence/record';
import type { ConnectionTrace } from '../evidence/events';
import type { ExpectationStatus } from '../verdicts/expectations';
import type { CaseResult, ClientRun, RunResults } from './results';

export const RESULTS_FORMAT_V2 = 'connect-conformance/results@2';

type V2Navigation = Omit<NavigationRecord, 'failure'> & { error?: { code: string; raw: string } };
type V2Connection = Omit<ConnectionTrace, 'tunnelProxyPort'> & { originPort?: number };
type V2Record = Omit<CaseRecord, 'navigation' | 'visits' | 'connections'> & {
  navigation?: V2Navigation;
  visits?: V2Navigation[];
  connections: V2Connection[];
};
type V2ClientRun = Omit<ClientRun, 'kind'> & { engine?: string };
export type V2Run = Omit<RunResults, 'format' | 'results' | 'clients'> & {
  format: typeof RESULTS_FORMAT_V2;
  clients: Record<string, V2ClientRun>;
  results: (Omit<CaseResult, 'record'> & { record?: V2Record; expectation?: ExpectationStatus })[];
};

const PLAYWRIGHT = new Set(['chromium', 'firefox']);

function failureOf(client: string, { code, raw }: { code: string; raw: string }): VisitFailure {
  if (code === 'client crashed') return { by: 'crash', message: raw };
  if (PLAYWRIGHT.has(client)) return { by: 'automation', ...(code === 'timeout' ? { name: 'TimeoutError' } : {}), message: raw };
  if (client === 'webkit') {
    if (code === 'not loaded') return { by: 'page absent', finalUrl: /the page is (\S+) without/.exec(raw)?.[1] ?? '' };
    if (code === 'timeout' || code.startsWith('webdriver: '))
      return { by: 'webdriver', error: code === 'timeout' ? 'timeout' : code.slice('webdriver: '.length), message: raw };
  }
  const curl = /^curl (?:\((\d+)\)|exit (-?\d+))$/.exec(code);
  if (client === 'curl' && curl) return { by: 'exit', program: 'curl', exitCode: Number(curl[1] ?? curl[2]), stderr: raw };
  return { by: 'stored code', code, message: raw };
}

function migrateNavigation(client: string, { error, ...nav }: V2Navigation): NavigationRecord {
  return { ...nav, ...(error ? { failure: failureOf(client, error) } : {}) };
}

export function migrateV2(run: V2Run): RunResults {
  return {
    ...run,
    format: 'connect-conformance/results@3',
    clients: Object.fromEntries(
      Object.entries(run.clients).map(([project, { engine, ...c }]) => [project, { ...c, ...(engine ? { kind: engine } : {}) }]),
    ),
    // The stored expectation status was a judgement: it is computed when a run is read now.
    results: run.results.map(({ record, expectation: _expectation, ...r }): CaseResult => {
      if (!record) return r;
      const { navigation, visits, connections, ...rest } = record;
      const client = record.client.name;
      return {
        ...r,
        record: {
          ...rest,
          connections: connections.map(({ originPort, ...c }) => ({
            ...c,
            ...(originPort !== undefined ? { tunnelProxyPort: originPort } : {}),
          })),
          ...(navigation ? { navigation: migrateNavigation(client, navigation) } : {}),
          ...(visits ? { visits: visits.map((v) => migrateNavigation(client, v)) } : {}),
        },
      };
    }),
  };
}
