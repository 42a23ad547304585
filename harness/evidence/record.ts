/**
 * The raw record of one case run in one client: everything needed to recompute every fact and
 * verdict later, and nothing computed from it. Stored as-is in the run's results JSON.
 */
import type { CertificateDefect } from '../vocabulary/transports';
import type { ConnectionTrace, H2SessionTrace, OriginEvent, StrayRequest } from './events';
import type { PhaseTimes } from './phases';
import type { VisitFailure } from './failure';
import type { CpuWait, StarvedAttempt } from './machine';

export interface ClientInfo {
  /** The client as the suite knows it (chromium, firefox, curl…). */
  name: string;
  label: string;
  /** Full version as the client reports it. */
  version: string;
  executablePath: string;
}

export interface NavigationRecord {
  url: string;
  /**
   * A response was committed as the page at the URL. Playwright: page.goto resolved with one;
   * WebDriver, which reports a refused load as success too: the navigate returned and the page at
   * the URL carries the origin's marker; command clients: they reported a status.
   */
  committed: boolean;
  status?: number;
  /** How the visit failed, as the client reported it (the error fact is read from it). */
  failure?: VisitFailure;
  finalUrl: string;
  title: string;
  /** The first 2000 characters of the page's text, for evidence. */
  text: string;
  originMarkerFound: boolean;
  /** What an in-page probe reported (the WebSocket echo result), when the fixture runs one. */
  probe?: string;
  proxyMarkerFound: boolean;
  /** The Proxy-Status marker (only an answer's Proxy-Status field carries it) in the page text, title or URL. */
  proxyStatusMarkerFound?: boolean;
  /** document.cookie as the page's script read it (clients with a page only). */
  cookies?: string;
  /** The localStorage keys the page's script saw (clients with a page only; absent when unreadable). */
  storage?: string[];
  durationMs: number;
}

/** The first proxy of a proxy list (proxy-failover), as set up for one case run, and what reached it. */
export interface FirstProxyRecord {
  /** "refused": nothing listened on its port; "not-tls": "HTTPS a" answered TLS with plain HTTP; "script": a mock proxy of its own. */
  kind: 'refused' | 'not-tls' | 'script';
  scheme: 'PROXY' | 'HTTPS';
  port: number;
  /** TCP connections it accepted (ms from case start); a refused port leaves none to see. */
  accepts: number[];
  /** A scripted first proxy: its connections, traced like the mock proxy's. */
  connections: ConnectionTrace[];
}

export interface CaseRecord {
  caseId: string;
  fixtureFile: string;
  host: string;
  marker: string;
  client: ClientInfo;
  startedAt: string;
  credentials?: { username: string; password: string };
  /**
   * The case reached the mock proxy on a port of its own (named in its host for the client's PAC),
   * not the lab's: why (a client that keeps proxy credentials per proxy host:port for the whole browser).
   */
  proxyPort?: { port: number; why: string };
  /** The (last) navigation. */
  navigation?: NavigationRecord;
  /** Every navigation, when the fixture visits more than once. */
  visits?: NavigationRecord[];
  /** ms from case start at which each visit began (the proxy answers per visit; facts split the wire by visit). */
  visitStarts?: number[];
  /** Relative path (from the results JSON) of the screenshot, when one was taken. */
  screenshot?: string;
  /**
   * sec-proxy-cert: the defect the HTTPS proxy's certificate had; the TCP connections to the proxy,
   * the TLS handshakes clients ended (with the proxy's reading of their alert) and those that
   * completed (ms from case start).
   */
  proxyCertificate?: {
    defect: CertificateDefect;
    tcpConnections: number[];
    clientErrors: { t: number; error: string }[];
    handshakes: number[];
  };
  /**
   * proxy-client-cert: the HTTPS proxy asked every client for a certificate; its TCP connections,
   * the handshakes clients ended, those completed, and those in which the client presented one.
   */
  proxyClientAuth?: {
    tcpConnections: number[];
    clientErrors: { t: number; error: string }[];
    handshakes: number[];
    certificates: number[];
  };
  connections: ConnectionTrace[];
  /** The "list" transport: the first proxy of the PAC's list, made for this run (the mock proxy, b, is "connections"). */
  firstProxy?: FirstProxyRecord;
  /** Cases with a scripted HTTP/2 session (proxy.session): every proxy session the case's streams used or that opened during it, frame by frame. */
  h2Sessions?: H2SessionTrace[];
  origin: OriginEvent[];
  harness: {
    /** ms from case start when the harness began closing the context: later closes are its own. */
    contextClosedAt: number;
    settledAt: number;
    durationMs: number;
    notes: string[];
    /** Requests for hosts no case owned (background traffic) refused while this case ran. */
    strays: StrayRequest[];
    /** Milliseconds spent per phase of the harness (launch, context, navigation, settle…), for npm run bench. */
    phases?: PhaseTimes;
    /** Connections beyond the trace limit: counted, with their requests' times and methods. */
    omitted?: { connections: number; requests: { t: number; method: string }[] };
    /**
     * How long the worker and the client's processes waited for a CPU, per visit, over its
     * navigation bound: from the visit's start until the bound ran out, or until the visit ended if
     * sooner (Linux scheduler statistics; absent where the machine has none).
     */
    cpuWait?: CpuWait[];
    /** The same over the settle phase (the quiet the case waits for after its visits). */
    settleCpuWait?: CpuWait;
    /** The wire was still busy when the settle bound ran out (the case ended on the bound, not on quiet). */
    settleBoundRanOut?: boolean;
    /** Earlier attempts of this case thrown away because a bound ran out while the machine starved the client (harness/runner/starvation.ts). */
    starvedAttempts?: StarvedAttempt[];
  };
}
