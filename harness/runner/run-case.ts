/**
 * Runs one fixture in one client and returns the raw record. Everything the client does is an
 * observation (including navigation errors and timeouts within the fixture's bound); only failures
 * of the harness itself throw, as HarnessError.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Lab } from './lab';
import type { LoadedFixture } from '../cases/load';
import { declaredWaitMs, visitUrls } from '../cases/derive';
import type { CaseRecord, FirstProxyRecord } from '../evidence/record';
import { FirstProxy } from './first-proxy';
import type { PageSpec } from '../origin/tls-origin';
import type { CaseSession } from '../proxy/case-session';
import { firstProxyLabel, ownProxyPortLabel } from '../vocabulary/transports';
import type { H2SessionTrace, OriginEvent } from '../evidence/events';
import type { VisitOutcome } from '../clients/client';
import { guarded, HarnessBoundError, HarnessError, TIMED_OUT, within } from '../vocabulary/harness-errors';
import { PhaseClock } from '../evidence/phases';
import { BoundWindows, cpuWaitBetween, sampleSched } from './cpu-wait';
import type { CpuWait } from '../evidence/machine';

export { HarnessError } from '../vocabulary/harness-errors';

/** The quiet a case waits for after its visit: the fixture's settleMs, always; else 300 ms while a connection stays open, 50 ms once all are closed. */
export function settleRule(fixture: LoadedFixture): { quietMs: number; closedQuietMs: number; boundMs: number } {
  const declared = fixture.proxy.settleMs;
  const quietMs = declared ?? 300;
  return { quietMs, closedQuietMs: declared ?? 50, boundMs: declaredWaitMs(fixture) + quietMs + 3000 };
}

export interface RunOptions {
  screenshotPath?: string;
  /** Overrides the hang bound (the harness's own tests use a short one). */
  hangBoundMs?: number;
}

/** How long a visit may take before the client counts as hung: the fixture's bound per visit plus a margin for launching, reading the page and the screenshot. */
export function hangBoundMs(fixture: LoadedFixture): number {
  return fixture.client.visits * (fixture.client.timeoutMs + 10_000) + 30_000;
}

/**
 * The HTTPS proxy's TLS evidence of one case: what happened between its start and end (one case at
 * a time per lab). Chosen by time, not by list position: the proxy trims these lists from the
 * front while a case runs, so an index taken at the start can point past the end.
 */
export function proxyTlsEvidence(
  proxy: {
    tlsErrors: readonly { at: number; error: string }[];
    tlsHandshakes: readonly number[];
    tcpAccepts: readonly number[];
    clientCertificates?: readonly number[];
  },
  from: number,
  to: number,
  rel: (at: number) => number,
): { clientErrors: { t: number; error: string }[]; tcpConnections: number[]; handshakes: number[]; clientCertificates: number[] } {
  const within = (at: number) => at >= from && at <= to;
  return {
    clientErrors: proxy.tlsErrors.filter((e) => within(e.at)).map((e) => ({ t: rel(e.at), error: e.error })),
    tcpConnections: proxy.tcpAccepts.filter(within).map(rel),
    handshakes: proxy.tlsHandshakes.filter(within).map(rel),
    clientCertificates: (proxy.clientCertificates ?? []).filter(within).map(rel),
  };
}

export async function runCase(lab: Lab, fixture: LoadedFixture, options: RunOptions = {}): Promise<CaseRecord> {
  const nonce = randomBytes(4).toString('hex');
  // Everything the case sets up is released on every path, in reverse order, from the first
  // acquisition on: a set-up step that throws (a certificate that cannot be made) leaks nothing.
  const releases: (() => void | Promise<void>)[] = [];
  const notes: string[] = [];
  const visitStarts: number[] = [];
  let outcome: VisitOutcome | undefined;
  let contextClosedAt = 0;
  let settledAt = 0;
  let h2Sessions: H2SessionTrace[] | undefined;
  let firstProxy: FirstProxyRecord | undefined;
  let settleBoundRanOut = false;
  let settleCpuWait: CpuWait | undefined;
  // Each visit's navigation bound as a window of scheduler samples: from the visit's start until
  // the bound runs out (a timer), or until the visit ends or the next begins, if sooner.
  const windows = new BoundWindows(fixture.client.timeoutMs);
  const clock = new PhaseClock();
  let t0 = performance.now();
  const rel = (at: number) => Math.round((at - t0) * 10) / 10;
  let session: CaseSession | undefined;
  let host = '';
  let marker = '';
  let strayStart = 0;
  let ownPort: { port: number; close(): void } | undefined;
  let ownPortReason: string | undefined;
  let defect: LoadedFixture['proxy']['certificate'];
  let clientAuth = false;
  try {
    // A proxy list: the first proxy is made for this run, and the host names its port for the PAC.
    const first = fixture.proxy.first
      ? await FirstProxy.start(fixture.proxy.first, { connect: (kind) => lab.origin.connect(kind) })
      : undefined;
    if (first)
      releases.push(async () => {
        firstProxy = first.record(t0);
        await first.close();
      });
    // A client that would carry this case's state to later cases at the same proxy port gets a port of its own.
    ownPortReason = lab.driver.ownProxyPort?.(fixture);
    ownPort = ownPortReason ? await lab.proxy.openPort() : undefined;
    if (ownPort) releases.push(() => ownPort!.close());
    host = `${fixture.id}-${nonce}${first ? firstProxyLabel(first.scheme, first.port) : ''}${ownPort ? ownProxyPortLabel(ownPort.port) : ''}.connect.test`;
    marker = `origin-marker-${randomBytes(8).toString('hex')}`;
    strayStart = lab.proxy.strays.length;
    // sec-proxy-cert: for this case the HTTPS proxy presents a defective certificate.
    defect = fixture.proxy.certificate;
    clientAuth = fixture.proxy.clientCertificate === 'request';
    if (defect || clientAuth) {
      lab.proxy.presentIdentity(defect ? await lab.testbed.ca.defectiveIdentity(defect, '127.0.0.1') : undefined, {
        requestClientCertificate: clientAuth,
      });
      releases.push(() => lab.proxy.presentIdentity());
    }
    // A scripted HTTP/2 session: the case gets sessions of its own, advertising its values.
    const profile = fixture.proxy.session;
    if (profile) {
      lab.proxy.useSessionProfile(profile);
      // Taken before the profile ends: ending it closes the sessions, and that GOAWAY is the harness's.
      releases.push(() => {
        const ids = new Set(session?.traces().flatMap((c) => (c.protocol === 'h2' ? [c.id] : [])) ?? []);
        h2Sessions = lab.proxy.sessionTraces(ids, t0, t0);
        lab.proxy.useSessionProfile(undefined);
      });
    }
    const opened = lab.proxy.openCase(host, fixture.proxy, { host });
    session = opened;
    releases.push(() => lab.proxy.closeCase(opened));
    t0 = opened.startedAbs;
    const firstSession = first?.openCase(host, fixture.proxy);
    const originPage: PageSpec = {
      marker,
      close: fixture.origin.connection === 'close',
      protocol: fixture.origin.protocol,
      connectProtocol: fixture.origin.connectProtocol,
      page: fixture.origin.page,
      ...(fixture.origin.subresources ? { subresources: fixture.origin.subresources } : {}),
      ...(fixture.origin.upgradeHeader ? { upgradeHeader: fixture.origin.upgradeHeader } : {}),
      ...(fixture.origin.routes ? { routes: fixture.origin.routes } : {}),
    };
    // Visits to hosts under the case host (v2.{host}) get the case's page too.
    const visitHosts = [...new Set(visitUrls(fixture).map((u) => new URL(u.replaceAll('{host}', host)).hostname))].filter((h) =>
      h.endsWith(`.${host}`),
    );
    for (const h of [host, ...visitHosts]) {
      lab.origin.register(h, originPage);
      releases.push(() => lab.origin.unregister(h));
    }
    const urls = visitUrls(fixture).map((u) => u.replaceAll('{host}', host));
    const url = urls[0]!;
    const beginVisit = (n: number) => {
      windows.begin(n - 1);
      opened.beginVisit(n);
      firstSession?.beginVisit(n);
      visitStarts[n - 1] = rel(performance.now());
    };
    // A client that hangs (not crashes) must not hold the worker: the visit is bounded by the
    // fixture's own bound per visit plus a margin, and a hung client is recycled for the next case.
    const boundMs = options.hangBoundMs ?? hangBoundMs(fixture);
    const visit = lab.driver
      .visit({
        fixture,
        url,
        urls,
        beginVisit,
        host,
        marker,
        ...(options.screenshotPath ? { screenshotPath: options.screenshotPath } : {}),
      })
      .catch((e: Error) => {
        throw e instanceof HarnessError ? e : new HarnessError(`the client failed: ${e.message}`, { cause: e });
      });
    const visited = await within(visit, boundMs);
    if (visited === TIMED_OUT) {
      void lab.driver.recycle?.();
      throw new HarnessBoundError(
        `${lab.kind.label} did not finish the visit within ${boundMs} ms (hung); it is relaunched for the next case`,
        boundMs,
      );
    }
    outcome = visited;
    windows.end();
    clock.merge(outcome.phases);
    const settleStart = sampleSched();
    settleBoundRanOut = (await clock.time('settle', opened.settled(settleRule(fixture)))) === 'bound';
    settledAt = rel(performance.now());
    settleCpuWait = cpuWaitBetween(settleStart, sampleSched());
    if (!outcome.alive()) throw new HarnessError(`${lab.kind.label} went away during the case`);
  } finally {
    windows.end();
    contextClosedAt = rel(performance.now());
    if (outcome) await clock.time('dispose', guarded('closing the client context', outcome.dispose(), 10_000, notes));
    for (const release of releases.reverse()) await release();
  }

  const connections = session!.traces();
  const omitted = session!.omitted();
  const origin = lab.origin
    .take(connections.flatMap((c) => (c.tunnelProxyPort !== undefined ? [c.tunnelProxyPort] : [])))
    .map(({ at, ...e }): OriginEvent => ({ ...e, t: rel(at) }))
    .sort((a, b) => a.t - b.t);
  const navigation = outcome.visits[outcome.visits.length - 1];
  const { clientCertificates, ...tlsEvidence } = proxyTlsEvidence(lab.proxy, t0, performance.now(), rel);

  return {
    caseId: fixture.id,
    fixtureFile: fixture.file,
    host,
    marker,
    client: lab.driver.info,
    startedAt: session!.startedAt,
    ...(fixture.client.credentials ? { credentials: fixture.client.credentials } : {}),
    ...(ownPort ? { proxyPort: { port: ownPort.port, why: ownPortReason! } } : {}),
    ...(navigation ? { navigation } : {}),
    ...(outcome.visits.length > 1 ? { visits: outcome.visits } : {}),
    ...(visitStarts.length ? { visitStarts } : {}),
    ...(outcome.screenshot ? { screenshot: outcome.screenshot } : {}),
    ...(defect ? { proxyCertificate: { defect, ...tlsEvidence } } : {}),
    ...(clientAuth ? { proxyClientAuth: { ...tlsEvidence, certificates: clientCertificates } } : {}),
    connections,
    ...(firstProxy ? { firstProxy } : {}),
    ...(h2Sessions ? { h2Sessions } : {}),
    origin,
    harness: {
      contextClosedAt,
      settledAt,
      durationMs: Math.round(performance.now() - t0),
      phases: clock.times,
      notes: [
        ...outcome.notes,
        ...notes,
        ...(omitted ? [`${omitted.connections} further connections (a retry storm) are counted, not traced`] : []),
      ],
      strays: lab.proxy.strays.slice(strayStart),
      ...(settleBoundRanOut ? { settleBoundRanOut } : {}),
      ...(windows.waits().length ? { cpuWait: windows.waits() } : {}),
      ...(settleCpuWait ? { settleCpuWait } : {}),
      ...(omitted ? { omitted } : {}),
    },
  };
}
