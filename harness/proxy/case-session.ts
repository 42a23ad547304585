/**
 * One running case at the proxy: the connections its host owns, the exchange chosen for each
 * request, and whether the script is still busy (for settling). Both protocol forms are served by
 * the same loop: an HTTP/1.1 connection may carry several requests, an HTTP/2 stream carries one.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Endpoint, TunnelOpener } from './endpoint';
import { headerValue, requestAuthority, type RequestHead } from '../wire/http-head';
import type { Exchange, ProxyScript } from '../cases/schema';
import type { ConnectionTrace } from '../evidence/events';

export interface TunnelTarget {
  /** Opens a socket to the in-process origin (TLS for CONNECT, plain for absolute-form requests and CONNECT to port 80). */
  connect(kind: 'tls' | 'plain'): Promise<net.Socket>;
}

/** Where a tunnel goes: CONNECT to port 80 (ws://, http: over CONNECT) and absolute-form requests reach the plain origin; other CONNECTs the TLS origin. */
export function openerFor(head: RequestHead, target: TunnelTarget): TunnelOpener {
  const mode = head.method !== 'CONNECT' || requestAuthority(head)?.port === 80 ? 'plain' : 'tls';
  return { mode, open: () => target.connect(mode) };
}

/** Connections kept in full per case (the first ones and the last TRACE_TAIL); the rest are counted. */
export const TRACE_LIMIT = 60;
const TRACE_TAIL = 10;

export class CaseSession extends EventEmitter {
  readonly startedAbs = performance.now();
  readonly startedAt = new Date().toISOString();
  /** The connections traced in full: the first ones and a sliding window of the latest. */
  private readonly kept: Endpoint[] = [];
  /** Connections between the two: their logs are dropped, their requests counted once they close. */
  private readonly middle = new Set<Endpoint>();
  private readonly omittedRequests: { t: number; method: string }[] = [];
  private omittedCount = 0;
  /** 1-based order of each connection among the case's connections. */
  private readonly order = new WeakMap<Endpoint, number>();
  private attached = 0;
  private busy = 0;
  /** The client visit in progress (1-based), set by the engine before each navigation (see beginVisit). */
  visit = 1;
  /** Requests received since the visit began. */
  private requestsInVisit = 0;

  beginVisit(visit: number): void {
    this.visit = visit;
    this.requestsInVisit = 0;
  }
  lastActivity = performance.now();

  constructor(
    readonly host: string,
    readonly script: ProxyScript,
    readonly vars: Readonly<Record<string, string>> = {},
  ) {
    super();
  }

  touch(): void {
    this.lastActivity = performance.now();
    this.emit('activity');
  }

  /** True while some connection is executing steps (not idle awaiting a request, not finished). */
  get isBusy(): boolean {
    return this.busy > 0;
  }

  /** True while any connection of the case is still open. */
  get hasOpenConnections(): boolean {
    return this.kept.some((c) => !c.isClosed) || [...this.middle].some((c) => !c.isClosed);
  }

  pick(head: RequestHead, conn: Endpoint, requestOnConnection: number): { exchange: Exchange; index: number } {
    const connection = this.order.get(conn) ?? 0;
    const auth = headerValue(head, 'proxy-authorization') !== undefined ? 'present' : 'absent';
    const hostKind = requestAuthority(head)?.host === this.host ? 'case' : 'subdomain';
    const inVisit = ++this.requestsInVisit;
    const index = this.script.exchanges.findIndex(
      ({ when: w }) =>
        !w ||
        ((w.proxyAuthorization === undefined || w.proxyAuthorization === auth) &&
          (w.connection === undefined || w.connection === connection) &&
          (w.requestOnConnection === undefined || w.requestOnConnection === requestOnConnection) &&
          (w.host === undefined || w.host === hostKind) &&
          (w.visit === undefined || w.visit === this.visit) &&
          (w.requestInVisit === undefined || w.requestInVisit === inVisit) &&
          (w.method === undefined || w.method === head.method)),
    );
    return { exchange: this.script.exchanges[index]!, index };
  }

  /** Makes a connection part of the case: its events keep the case from settling. */
  attach(conn: Endpoint): void {
    this.order.set(conn, ++this.attached);
    this.kept.push(conn);
    conn.onActivity = () => this.touch();
    this.touch();
    // A client in a retry loop can open thousands of connections in a few seconds (undici does on
    // some 1xx answers): past TRACE_LIMIT the middle ones keep only their requests' times and
    // methods, so memory, results and report pages stay small while the counts stay true.
    if (this.kept.length > TRACE_LIMIT) {
      const [out] = this.kept.splice(TRACE_LIMIT - TRACE_TAIL, 1);
      out!.dropLog();
      this.middle.add(out!);
      this.omittedCount++;
    }
    for (const c of this.middle) {
      if (!c.isClosed) continue;
      this.omittedRequests.push(...c.requests.map((r) => ({ t: Math.round((r.at - this.startedAbs) * 10) / 10, method: r.head.method })));
      this.middle.delete(c);
    }
  }

  /** Answers every request on a connection with its exchange, until a terminal step or the client leaves. */
  async serve(conn: Endpoint, target: TunnelTarget): Promise<void> {
    this.attach(conn);
    let head: RequestHead | undefined = conn.requests[conn.requests.length - 1]!.head;
    for (let onConnection = 1; head; onConnection++) {
      const { exchange, index } = this.pick(head, conn, onConnection);
      conn.log({
        kind: 'exchange',
        index,
        ...(exchange.note ? { note: exchange.note } : {}),
        ...(exchange.working ? { working: true } : {}),
      });
      if ((await this.runSteps(conn, exchange, openerFor(head, target))) || conn.isClosed) return;
      head = await conn.nextRequest(this.script.requestTimeoutMs);
    }
    await conn.closeIdle();
  }

  private async runSteps(conn: Endpoint, exchange: Exchange, opener: TunnelOpener): Promise<boolean> {
    this.busy++;
    try {
      for (const step of exchange.steps) if ((await conn.run(step, opener, this.vars)) === 'terminal') return true;
      return false;
    } finally {
      this.busy--;
      this.touch();
    }
  }

  /**
   * Resolves once no step is executing and the wire has been quiet: for quietMs while a connection
   * is open, or only closedQuietMs once every connection is closed (the outcome is then known;
   * the short grace catches a retry sent at once). Bounded by boundMs: says which ended the wait.
   */
  async settled({
    quietMs,
    closedQuietMs = quietMs,
    boundMs,
  }: {
    quietMs: number;
    closedQuietMs?: number;
    boundMs: number;
  }): Promise<'quiet' | 'bound'> {
    const deadline = performance.now() + boundMs;
    for (;;) {
      const now = performance.now();
      if (now >= deadline) return 'bound';
      const quiet = now - this.lastActivity;
      if (!this.isBusy && quiet >= (this.hasOpenConnections ? quietMs : closedQuietMs)) return 'quiet';
      await new Promise((r) => setTimeout(r, Math.min(10, deadline - now)));
    }
  }

  shutdown(): void {
    for (const c of [...this.kept, ...this.middle]) c.shutdown();
  }

  /** The traces of the connections kept in full (all of them, up to TRACE_LIMIT), times from caseStart (performance.now()). */
  traces(caseStart = this.startedAbs): ConnectionTrace[] {
    return this.kept.map((c) => c.trace(caseStart, this.order.get(c) ?? 0));
  }

  /** What traces() left out: how many connections, and the requests they carried. */
  omitted(): { connections: number; requests: { t: number; method: string }[] } | undefined {
    if (!this.omittedCount) return undefined;
    const open = [...this.middle].flatMap((c) =>
      c.requests.map((r) => ({ t: Math.round((r.at - this.startedAbs) * 10) / 10, method: r.head.method })),
    );
    return { connections: this.omittedCount, requests: [...this.omittedRequests, ...open].sort((a, b) => a.t - b.t) };
  }
}
