/**
 * The one converter from results@1 (the wire log as display text) to results@2 (typed events), so
 * runs stored before the change, such as the committed history snapshots, still render. Reading
 * the old display text is allowed here and nowhere else: this file is the only place that knows
 * what those lines looked like.
 */
import { leadingResponseHeads, requestAuthority, type WireHeader } from '../wire/http-head';
import { derive } from '../cases/derive';
import type { LoadedFixture } from '../cases/load';
import type { ParsedFixture } from '../cases/schema';
import type { ConnectionTrace, H2Frame, OriginEvent, ProxyEvent, RecordedRequest } from '../evidence/events';
import type { CaseRecord } from '../evidence/record';
import type { SkipReason } from '../vocabulary/verdicts';
import type { CaseResult, RunResults } from './results';
import type { V2Run } from './migrate-v2';

export const RESULTS_FORMAT_V1 = 'connect-conformance/results@1';

interface V1Event {
  t: number;
  kind: string;
  data?: string;
  note?: string;
}
interface V1Connection extends Omit<ConnectionTrace, 'events' | 'protocol' | 'tunnelProxyPort'> {
  protocol?: 'h1' | 'h2';
  originPort?: number;
  events: V1Event[];
}
interface V1Origin {
  t: number;
  kind: string;
  detail: string;
  servername?: string;
  path?: string;
  host?: string;
}
interface V1Record extends Omit<CaseRecord, 'connections' | 'origin'> {
  connections: V1Connection[];
  origin: V1Origin[];
}
interface V1Result extends Omit<CaseResult, 'record' | 'skip'> {
  record?: V1Record;
  strays?: number;
}
interface V1Run extends Omit<RunResults, 'format' | 'results' | 'fixtures'> {
  format: typeof RESULTS_FORMAT_V1;
  fixtures: (ParsedFixture & { file: string; requirements?: unknown })[];
  results: V1Result[];
}

const DATA: H2Frame = { type: 'DATA', flags: [] };
const END_STREAM: H2Frame = { type: 'DATA', flags: ['END_STREAM'] };

/** Values that were renamed in the fact vocabulary since v1. */
const RENAMED_VALUES: Record<string, string> = { 'browser (FIN)': 'client (FIN)', 'browser (RST)': 'client (RST)' };

/** "a: b | c: d" as header fields (a value may itself contain ": "). */
function fieldsOf(parts: string[]): WireHeader[] {
  return parts.flatMap((p) => {
    const colon = p.indexOf(':', p.startsWith(':') ? 1 : 0);
    return colon > 0 ? [{ name: p.slice(0, colon).trim(), value: p.slice(colon + 1).trim() }] : [];
  });
}

function proxyEvents(c: V1Connection): ProxyEvent[] {
  const h2 = c.protocol === 'h2';
  let requests = 0;
  let endStream = false;
  return c.events.flatMap((e): ProxyEvent[] => {
    const { t, note = '' } = e;
    switch (e.kind) {
      case 'open':
        return [{ t, kind: 'open', clientPort: c.clientPort, ...(h2 ? { h2: { connection: c.id, stream: c.h2Stream ?? 0 } } : {}) }];
      case 'c2p':
        return [{ t, kind: 'c2p', data: e.data ?? '', ...(h2 ? { frame: DATA } : {}) }];
      case 'p2c': {
        const data = e.data ?? '';
        if (h2) return [{ t, kind: 'p2c', data, frame: DATA }];
        // v1 recognised a response by its status line at the start of a chunk.
        const bytes = Buffer.from(data, 'base64');
        const { heads } = leadingResponseHeads(bytes);
        const line = /^(HTTP\/1\.[01]) (\d{3})/.exec(bytes.subarray(0, 12).toString('latin1'));
        const responses: ProxyEvent[] = heads.length
          ? heads.map((h) => ({
              t,
              kind: 'response',
              version: h.version,
              status: h.status,
              reason: h.reason,
              headers: h.headers,
              interim: h.status < 200,
            }))
          : line
            ? [{ t, kind: 'response', version: line[1]!, status: Number(line[2]), reason: '', headers: [], interim: Number(line[2]) < 200 }]
            : [];
        return [...responses, { t, kind: 'p2c', data }];
      }
      case 'frame': {
        if (note.startsWith('← HEADERS')) {
          endStream = note.includes('(END_STREAM)');
          return [];
        }
        const m = /^→ HEADERS :status: (\d{3})(.*?)(?: \(dropped for HTTP\/2: ([^)]*)\))?$/.exec(note);
        if (!m) return [{ t, kind: 'note', text: note }];
        const status = Number(m[1]);
        const dropped = m[3] ? m[3].split(', ') : [];
        return [
          {
            t,
            kind: 'response',
            version: 'HTTP/2',
            status,
            reason: '',
            headers: fieldsOf(m[2]!.split(' | ').slice(1)),
            interim: status < 200,
            frame: { type: 'HEADERS', flags: [] },
            ...(dropped.length ? { dropped } : {}),
          },
        ];
      }
      case 'request': {
        const r = c.requests[requests++];
        if (!r) return [{ t, kind: 'note', text: note }];
        return [
          {
            t,
            kind: 'request',
            index: requests,
            method: r.head.method,
            target: r.head.target,
            version: r.head.version,
            ...(h2 ? { frame: { type: 'HEADERS', flags: endStream ? ['END_STREAM'] : [] } } : {}),
          },
        ];
      }
      case 'exchange': {
        const m = /^exchanges\[(\d+)\](?: \((.*)\))?$/.exec(note);
        return m ? [{ t, kind: 'exchange', index: Number(m[1]), ...(m[2] ? { note: m[2] } : {}) }] : [{ t, kind: 'note', text: note }];
      }
      case 'tunnel-open': {
        const ports = /origin port (\d+), proxy side (\d+)/.exec(note) ?? /proxy side (\d+)/.exec(note);
        const request: RecordedRequest | undefined = c.requests[Math.max(0, requests - 1)];
        const plain = request?.head.method !== 'CONNECT' || requestAuthority(request.head)?.port === 80;
        const mode = note.startsWith('forwarding') ? 'forward-http' : plain ? 'plain' : 'tls';
        return [
          {
            t,
            kind: 'tunnel-open',
            mode,
            originPort: ports && ports.length > 2 ? Number(ports[1]) : 0,
            proxyPort: Number(ports?.[ports.length - 1] ?? c.originPort ?? 0),
          },
        ];
      }
      case 'client-fin':
        return [{ t, kind: 'client-fin', ...(h2 ? { frame: END_STREAM } : {}) }];
      case 'client-rst': {
        const code = /RST_STREAM code (\d+)/.exec(note);
        return [
          {
            t,
            kind: 'client-rst',
            ...(code ? { frame: { type: 'RST_STREAM', flags: [], errorCode: Number(code[1]) } } : note ? { errno: note } : {}),
          },
        ];
      }
      case 'proxy-close':
        return [{ t, kind: 'proxy-close', ...(note === 'no further request' ? { reason: note } : {}) }];
      case 'proxy-fin':
      case 'proxy-rst':
      case 'harness-close':
      case 'closed':
      case 'origin-fin':
        return [{ t, kind: e.kind }];
      default:
        return [{ t, kind: 'note', text: note, ...(e.data ? { data: e.data } : {}) }];
    }
  });
}

function originEvent(o: V1Origin): OriginEvent {
  const { t, detail } = o;
  switch (o.kind) {
    case 'handshake-completed': {
      const m = /^(\S+) ALPN (\S+)$/.exec(detail);
      return {
        t,
        kind: 'handshake-completed',
        tlsVersion: m?.[1] ?? detail,
        alpn: !m || m[2] === 'none' ? null : m[2]!,
        ...(o.servername ? { servername: o.servername } : {}),
      };
    }
    case 'handshake-failed':
      return { t, kind: 'handshake-failed', error: detail };
    case 'request': {
      const m = /^(\S+) (\S+) (HTTP\/[\d.]+)(?: \(Upgrade: ([^)]+)\))?$/.exec(detail);
      return {
        t,
        kind: 'request',
        method: m?.[1] ?? '',
        target: m?.[2] ?? o.path ?? '',
        version: m?.[3] ?? '',
        host: o.host ?? '',
        path: o.path ?? '',
        headers: m?.[4] ? [{ name: 'upgrade', value: m[4] }] : [],
      };
    }
    case 'websocket': {
      const [via, ...rest] = detail.split(' | ');
      if (via === 'h2 extended CONNECT')
        return {
          t,
          kind: 'websocket',
          via,
          method: 'CONNECT',
          path: o.path ?? '',
          headers: fieldsOf(rest.filter((f) => !f.startsWith('('))),
        };
      const [method = '', path = o.path ?? ''] = (rest[0] ?? '').split(' ');
      return { t, kind: 'websocket', via: 'HTTP/1.1 Upgrade', method, path, headers: fieldsOf(rest.slice(1)) };
    }
    default:
      return { t, kind: 'ws-message', text: detail };
  }
}

export function migrateRecord(rec: V1Record): CaseRecord {
  return {
    ...rec,
    connections: rec.connections.map((c) => ({ ...c, protocol: c.protocol ?? 'h1', events: proxyEvents(c) })),
    origin: rec.origin.map(originEvent),
  };
}

/** Fact values in a stored fixture's rules, under their current names. */
function renameValues<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' && RENAMED_VALUES[v] ? RENAMED_VALUES[v] : v)) as T;
}

function migrateFixture(f: V1Run['fixtures'][number]): LoadedFixture {
  const { requirements: _derived, file, ...rest } = renameValues(f);
  return { ...derive(rest as ParsedFixture), file };
}

function skipOf(r: V1Result): { reason: SkipReason; detail: string } | undefined {
  if (r.status !== 'skipped') return undefined;
  const detail = r.harnessError ?? 'skipped';
  const reason: SkipReason = detail.startsWith('not applicable')
    ? 'not applicable'
    : detail.startsWith('unsupported')
      ? 'unsupported'
      : 'not available';
  return { reason, detail };
}

export function migrateV1(run: V1Run): V2Run {
  return {
    ...run,
    format: 'connect-conformance/results@2',
    fixtures: run.fixtures.map(migrateFixture),
    results: run.results.map(({ strays: _strays, record, harnessError, ...r }) => {
      const skip = skipOf({ ...r, ...(harnessError ? { harnessError } : {}) });
      return {
        ...r,
        ...(record ? { record: migrateRecord(record) } : {}),
        ...(skip ? { skip } : harnessError ? { harnessError } : {}),
      };
    }),
  };
}
