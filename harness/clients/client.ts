/**
 * The client interface. A client kind (a browser engine driven by Playwright, WebKitGTK through
 * WebDriver, curl, a Node agent) says what it can do and starts a driver per worker; the driver
 * performs one case's visit and gives back the raw navigation record. Adding a client is one file
 * that exports a ClientKind, plus one line in registry.ts.
 */
import type { ClientInfo, NavigationRecord } from '../evidence/record';
import type { VisitFailure } from '../evidence/failure';
import { PROXY_BODY_MARKER, PROXY_STATUS_MARKER } from '../vocabulary/markers';
import type { PhaseTimes } from '../evidence/phases';
import type { LoadedFixture } from '../cases/load';
import type { Transport } from '../vocabulary/transports';
import type { SkipReason } from '../vocabulary/verdicts';

/** Where the client finds the mock proxy, and what it must trust to reach the origin through it. */
export interface ProxyEndpoint {
  /** http://127.0.0.1:PORT, or https://127.0.0.1:PORT for an HTTPS proxy. */
  url: string;
  scheme: 'http' | 'https';
  port: number;
  /** The run's CA (PEM): it signed the origin's and the HTTPS proxy's certificates. */
  caPem: string;
  /** base64 sha256 of the SPKI of the leaf key every run certificate shares (Chromium's pin). */
  spki: string;
  /** The "list" transport: the PAC the client is configured with instead of the proxy URL. */
  pac?: string;
}

export interface Capabilities {
  /** Renders a page: page text, title and a screenshot are observed (not just a response). */
  page: boolean;
  screenshot: boolean;
  /** Can run the page's WebSocket probe. */
  websocket: boolean;
  /** How it uses proxy credentials: answers a 407 challenge, or sends them pre-emptively. */
  credentials: 'challenge' | 'preemptive' | 'none';
  /** How it can reach the proxy. */
  transports: readonly Transport[];
  /** Why it has no project for a transport it lacks (shown on the coverage page: "not applicable" with a reason). */
  transportGaps?: Partial<Record<Transport, string>>;
  /**
   * Why it cannot show what it does with a defective HTTPS-proxy certificate (sec-proxy-cert),
   * when it cannot: e.g. it runs with certificate checks off. Absent: it verifies the proxy.
   */
  proxyCertificateUnverified?: string;
  /**
   * What a client without a page keeps across one case's visits (a per-case state folder: a cookie
   * jar, an HSTS and an Alt-Svc cache), and whether it follows a Location: the consequence classes
   * it can run. A client with a page keeps all of it. Absent: it keeps nothing.
   */
  keeps?: readonly StateKind[];
}

/** A consequence class's state: what a client must keep between visits (or do) for the class to run there. */
export const STATE_KINDS = ['cookies', 'redirects', 'refresh', 'hsts', 'alt-svc', 'storage'] as const;
export type StateKind = (typeof STATE_KINDS)[number];

/** What a stateful case needs of a client, from the consequence fact its checks read (Refresh: a Location-like move by a page's header). */
export function stateNeeded(fixture: Pick<LoadedFixture, 'checks' | 'client' | 'controls'>): StateKind[] {
  const read = new Set([
    ...fixture.checks.flatMap((c) => c.outcomes.flatMap((o) => Object.keys(o.when))),
    ...Object.keys(fixture.controls?.shows ?? {}),
  ]);
  const needs: StateKind[] = [];
  if (read.has('answer-cookies')) needs.push('cookies');
  if (read.has('redirect-followed')) needs.push(fixture.client.dwellMs ? 'refresh' : 'redirects');
  if (read.has('http-visit')) needs.push('hsts');
  if (read.has('alt-svc-used')) needs.push('alt-svc');
  if (read.has('origin-state')) needs.push('cookies', 'storage');
  return needs;
}

export interface VisitRequest {
  fixture: LoadedFixture;
  /** The first visit's URL ({host} filled in). */
  url: string;
  /** Every visit's URL, in order. */
  urls: string[];
  /** Called with the 1-based visit number just before each navigation: the proxy answers per visit, and the record keeps when each began. */
  beginVisit(visit: number): void;
  host: string;
  marker: string;
  screenshotPath?: string;
}

export interface VisitOutcome {
  /** Every navigation (one per fixture visit), the last one first-class. */
  visits: NavigationRecord[];
  screenshot?: string;
  notes: string[];
  /** Where the visit's time went (context, navigation, page read, screenshot…). */
  phases?: PhaseTimes;
  /** The client process is still there (a crash is a harness error, not an observation). */
  alive(): boolean;
  /** Ends the case's context / process; called after the wire has settled. */
  dispose(): Promise<void>;
}

export interface ClientDriver {
  readonly info: ClientInfo;
  readonly launchMs: number;
  readonly launchConfig: Record<string, unknown>;
  visit(request: VisitRequest): Promise<VisitOutcome>;
  /**
   * Why this case must reach the proxy on a port of its own (a client that would carry the case's
   * state, e.g. proxy credentials, to every later case at the same proxy host:port), or undefined.
   * The case host then names that port for the client's PAC (ownProxyPortLabel).
   */
  ownProxyPort?(fixture: LoadedFixture): string | undefined;
  close(): Promise<void>;
  /** Throw away a client that hung, so the next visit starts a fresh one. */
  recycle?(): Promise<void>;
  /** Fault injection for the harness's own tests: make the client process die now. */
  crash?(): Promise<void>;
  /** Fault injection: make the client process stop answering (hang) without exiting. */
  hang?(): Promise<void>;
}

export interface ClientKind {
  name: string;
  label: string;
  capabilities: Capabilities;
  /** CI may run without it when npm run setup could not install its packages (see registry.ts). */
  optionalInCi?: boolean;
  /** Cases of this client run at once by default (one lab each), as measured with npm run bench. */
  concurrency: number;
  /** Where the client is, or what to do to get it. */
  resolve(): { path?: string; how: string };
  start(proxy: ProxyEndpoint, transport: Transport): Promise<ClientDriver>;
}

/** Why a client cannot run a fixture at all (the cell then says "unsupported"), or undefined. */
export function unsupportedReason(kind: ClientKind, fixture: LoadedFixture): string | undefined {
  const caps = kind.capabilities;
  if (fixture.client.action === 'websocket' && !caps.websocket) return `unsupported: ${kind.label} has no page to open a WebSocket from`;
  if (fixture.client.credentials && caps.credentials === 'none') return `unsupported: ${kind.label} cannot be given proxy credentials`;
  if (fixture.proxy.certificate && caps.proxyCertificateUnverified) return `unsupported: ${caps.proxyCertificateUnverified}`;
  if (fixture.client.cookieJar && !caps.page) {
    if (!caps.keeps?.length)
      return `unsupported: ${kind.label} keeps no state between visits in this suite (no cookie jar, storage, HSTS or Alt-Svc cache, no page)`;
    const missing = stateNeeded(fixture).filter((k) => !caps.keeps!.includes(k));
    if (missing.length)
      return `unsupported: ${kind.label} keeps or does no ${missing.join(', ')} between visits (it keeps ${caps.keeps.join(', ')})`;
  }
  return undefined;
}

/** Text with marker checks, shared by the clients that only see a response body. */
export function bodyNavigation(
  url: string,
  startedAt: number,
  body: string,
  marker: string,
  result: { committed: boolean; status?: number; failure?: VisitFailure },
): NavigationRecord {
  return {
    url,
    committed: result.committed,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.failure ? { failure: result.failure } : {}),
    finalUrl: url,
    title: '',
    text: body.slice(0, 2000),
    originMarkerFound: body.includes(marker),
    proxyMarkerFound: body.includes(PROXY_BODY_MARKER),
    proxyStatusMarkerFound: body.includes(PROXY_STATUS_MARKER),
    durationMs: Math.round(performance.now() - startedAt),
  };
}

/**
 * Why a client project never runs a fixture (not over its transport, or the client cannot), or
 * undefined. One definition for the config (such tests are left out of the project: a skipped
 * test still costs a worker about 33 ms of CPU), the spec (which checks it again) and the reporter
 * (which writes the cell with this reason, as if the test had been skipped).
 */
export function leftOutReason(
  kind: ClientKind,
  transport: Transport,
  fixture: LoadedFixture,
): { reason: SkipReason; detail: string } | undefined {
  if (!fixture.transports.includes(transport)) return { reason: 'not applicable', detail: `not applicable over ${transport}` };
  const unsupported = unsupportedReason(kind, fixture);
  return unsupported ? { reason: 'unsupported', detail: unsupported } : undefined;
}

/**
 * A project's grepInvert for the fixtures it leaves out: matched against Playwright's grep title
 * ("<project> <file> <title> <tags>"), whole words only, so a user's own --grep applies unchanged.
 */
export function leftOutPattern(kind: ClientKind, transport: Transport, fixtures: readonly LoadedFixture[]): RegExp | undefined {
  const ids = fixtures.filter((f) => leftOutReason(kind, transport, f)).map((f) => f.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return ids.length ? new RegExp(`(?:^| )(?:${ids.join('|')})(?: |$)`) : undefined;
}
