/**
 * Browsers driven by Playwright (Chromium over CDP, Firefox ESR over WebDriver BiDi) as clients:
 * one visit's observation (the navigations, the dwell, the WebSocket probe, the page read, the
 * screenshot). The browser's life is browser-lifecycle.ts; how a page is read, page-observation.ts.
 */
import type { Page, Request } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import type { NavigationRecord } from '../evidence/record';
import { resolveExecutable } from './executables';
import type { Engine } from './engine';
import { stripAnsi } from '../wire/bytes';
import type { ClientDriver, ClientKind, ProxyEndpoint, VisitOutcome, VisitRequest } from './client';
import type { Transport } from '../vocabulary/transports';
import { guarded, HarnessBoundError, HarnessError, TIMED_OUT, within } from '../vocabulary/harness-errors';
import { PhaseClock } from '../evidence/phases';
import { PlaywrightBrowser, RESPONSIVE_MS } from './browser-lifecycle';
import { pageFields, READ_PAGE_EXPRESSION, WS_NO_RESULT, WS_RESULT_EXPRESSION, type PageFields, type PageRead } from './page-observation';
import { screenshotOptions } from './screenshot';

export function playwrightClient(engine: Engine): ClientKind {
  return {
    name: engine.name,
    label: engine.label,
    concurrency: engine.concurrency,
    capabilities: {
      page: true,
      screenshot: true,
      websocket: true,
      credentials: 'challenge',
      transports: ['h1', 'h1-tls', 'h2', 'list'],
      ...(engine.proxyCertificateUnverified ? { proxyCertificateUnverified: engine.proxyCertificateUnverified } : {}),
    },
    resolve: () => resolveExecutable(engine.name),
    async start(endpoint: ProxyEndpoint, transport: Transport) {
      const exe = resolveExecutable(engine.name);
      if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
      const browser = new PlaywrightBrowser(engine, endpoint, exe.path, transport);
      await browser.open();
      return new PlaywrightDriver(browser);
    },
  };
}

/** How long one read of a page may take. */
const PAGE_READ_MS = 3000;

/**
 * The page as the visit left it: one round trip for title, markup, text, cookies and storage. On a
 * page whose load fired, a read that does not answer in time is the harness's bound running out
 * (judged for starvation, re-run or a harness error), never "other content"; on a page still
 * loading (a proxy that never answers) the read may wait on the load, and nothing is read.
 */
async function describePage(page: Page, marker: string, notes: string[], loaded: boolean): Promise<PageFields> {
  const reading = page.evaluate(READ_PAGE_EXPRESSION) as Promise<PageRead>;
  if (loaded) {
    const read = await within(reading, PAGE_READ_MS).catch((e: Error) => {
      notes.push(`reading the page failed: ${e.message.split('\n')[0]}`);
      return undefined;
    });
    if (read === TIMED_OUT) throw new HarnessBoundError(`reading the loaded page took longer than ${PAGE_READ_MS} ms`, PAGE_READ_MS);
    return pageFields(page.url(), read, marker);
  }
  return pageFields(page.url(), await guarded('reading the page', reading, PAGE_READ_MS, notes), marker);
}

class PlaywrightDriver implements ClientDriver {
  constructor(private readonly browser: PlaywrightBrowser) {}

  get info() {
    return this.browser.info;
  }
  get launchMs() {
    return this.browser.launchMs;
  }
  get launchConfig() {
    return this.browser.launchConfig;
  }
  private get engine(): Engine {
    return this.browser.engine;
  }
  private bounded<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
    return this.browser.bounded(what, p, ms);
  }
  recycle(): Promise<void> {
    return this.browser.recycle();
  }
  crash(): Promise<void> {
    return this.browser.crash();
  }
  hang(): Promise<void> {
    return this.browser.hang();
  }
  close(): Promise<void> {
    return this.browser.close();
  }
  ownProxyPort(fixture: VisitRequest['fixture']): string | undefined {
    return fixture.client.credentials && this.engine.proxyCredentialsPerProxyPort
      ? `${this.engine.label} keeps proxy credentials for the whole browser per proxy host:port and sends them pre-emptively from every context`
      : undefined;
  }

  /**
   * After a load, for a Refresh: wait up to dwellMs for the page to ask for another document (a
   * navigation request of its main frame to a URL other than the one visited or loaded); one that
   * came is then waited for until it loads (the navigation's own bound), so a Refresh that fires
   * late on a loaded machine is still this visit's, not the next one's. None within dwellMs: the
   * page stays as it is (then any load under way finishes, as before).
   */
  private async dwell(
    page: Page,
    url: string,
    requested: readonly string[],
    client: { dwellMs?: number; timeoutMs: number },
  ): Promise<void> {
    const loaded = page.url();
    const target = () => requested.find((u) => u !== url && u !== loaded);
    const deadline = performance.now() + (client.dwellMs ?? 0);
    while (!target() && performance.now() < deadline) await page.waitForTimeout(25);
    const moved = target();
    if (moved) await page.waitForURL(moved, { timeout: client.timeoutMs, waitUntil: 'load' }).catch(() => {});
    await page.waitForLoadState('load', { timeout: client.timeoutMs }).catch(() => {});
  }

  async visit({ fixture, urls, beginVisit, marker, screenshotPath }: VisitRequest): Promise<VisitOutcome> {
    const notes: string[] = [];
    const clock = new PhaseClock();
    // The only launch a case may carry (its 'launch' phase): a relaunch after a crash or hang.
    if (this.browser.needsRelaunch) await clock.time('launch', this.browser.relaunch(notes));
    const credentials = fixture.client.credentials;
    const cc = await clock.time(
      'context',
      this.bounded('creating a browser context', this.browser.caseContext(credentials ? { httpCredentials: credentials } : {}), 30_000),
    );
    const visits: NavigationRecord[] = [];
    let screenshot: string | undefined;
    try {
      let page = await clock.time('context', this.bounded('opening a page', cc.newPage(), 30_000));
      for (const [i, url] of urls.entries()) {
        // After a failed visit the browser commits its error page later, sometimes after the next
        // goto began, which it then interrupts (seen in Chromium >500 ms after the failure): the next
        // visit gets a page of its own in the same context (same cookies, storage, HSTS, sockets).
        if (i > 0 && visits[i - 1]?.failure) page = await clock.time('context', this.bounded('opening a page', cc.newPage(), 30_000));
        beginVisit(i + 1);
        const navStart = performance.now();
        let committed = false;
        let status: number | undefined;
        let failure: NavigationRecord['failure'];
        // The page's own navigations (a Refresh's among them), as requests: a Refresh is waited for
        // by its request, not by a fixed dwell it may outlast on a loaded machine.
        const requested: string[] = [];
        const onRequest = (r: Request) => {
          if (r.isNavigationRequest() && r.frame() === page.mainFrame()) requested.push(r.url());
        };
        if (fixture.client.dwellMs) page.on('request', onRequest);
        try {
          const response = await clock.time('navigation', page.goto(url, { timeout: fixture.client.timeoutMs, waitUntil: 'load' }));
          committed = true;
          status = response?.status();
          if (fixture.client.dwellMs) await clock.time('dwell', this.dwell(page, url, requested, fixture.client));
        } catch (e) {
          if (!cc.alive()) {
            if (!fixture.client.crashIsFinding)
              throw new HarnessError(`the browser went away during navigation: ${(e as Error).message}`, { cause: e });
            // The fixture's answer once crashed browsers: the crash is what this client did.
            this.browser.suspect = true;
            notes.push(`${this.engine.label} died during the navigation; it is relaunched for the next case`);
            visits.push({
              url,
              committed: false,
              failure: { by: 'crash', message: stripAnsi((e as Error).message).split('\n')[0] ?? '' },
              durationMs: Math.round(performance.now() - navStart),
              finalUrl: '',
              title: '',
              text: '',
              originMarkerFound: false,
              proxyMarkerFound: false,
            });
            return { visits, notes, phases: clock.times, alive: () => true, dispose: async () => {} };
          }
          // Playwright colours parts of its messages for terminals: evidence keeps the text, not the escapes.
          failure = { by: 'automation', name: (e as Error).name, message: stripAnsi((e as Error).message ?? String(e)) };
        }
        // A browser that stopped answering also "times out" a navigation: that is the harness's
        // failure, not an observation, so a trivial browser-level call must still answer.
        await clock.time('liveness', this.bounded('a trivial call (reading cookies)', cc.context.cookies(), RESPONSIVE_MS));
        let probe: string | undefined;
        if (fixture.client.action === 'websocket' && committed) {
          // The page reports its WebSocket echo in #ws-result; waiting is bounded like the navigation.
          probe = await clock.time('probe', () =>
            page
              .waitForFunction(WS_RESULT_EXPRESSION, undefined, { timeout: fixture.client.timeoutMs })
              .then((h) => h.jsonValue() as Promise<string>)
              .catch(() => WS_NO_RESULT),
          );
        }
        page.off('request', onRequest);
        const durationMs = Math.round(performance.now() - navStart);
        const seen = await clock.time('page read', describePage(page, marker, notes, committed));
        visits.push({
          url,
          committed,
          ...(status !== undefined ? { status } : {}),
          ...(failure ? { failure } : {}),
          ...(probe ? { probe } : {}),
          durationMs,
          ...seen,
        });
      }
      if (
        screenshotPath &&
        (await clock.time(
          'screenshot',
          guarded(
            'the screenshot',
            page.screenshot({ path: screenshotPath, ...screenshotOptions(screenshotPath), timeout: 5000 }),
            7000,
            notes,
          ),
        ))
      )
        screenshot = screenshotPath;
    } catch (e) {
      // A hung browser is killed at the next visit; closing its context now would only wait.
      if (!this.browser.suspect) await guarded('closing the context', cc.dispose(), 15_000, notes);
      throw e;
    }
    return { visits, ...(screenshot ? { screenshot } : {}), notes, phases: clock.times, alive: cc.alive, dispose: cc.dispose };
  }
}
