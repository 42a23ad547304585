/**
 * Browsers driven by Playwright (Chromium over CDP, Firefox ESR over WebDriver BiDi) as clients:
 * one browser (or persistent context) per worker, a fresh context per case, a browser of its own
 * for a case with credentials.
 */
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions, Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientInfo, NavigationRecord } from '../evidence/record';
import { PROXY_BODY_MARKER } from '../vocabulary/markers';
import { describeLaunch, type Engine } from './engine';
import { resolveExecutable } from './executables';
import { stripAnsi } from '../wire/bytes';
import type { ClientDriver, ClientKind, ProxyEndpoint, VisitOutcome, VisitRequest } from './client';
import type { Transport } from '../vocabulary/transports';
import { guarded, HarnessError, TIMED_OUT, within } from '../vocabulary/harness-errors';
import { signalAll, withNewChildren } from './processes';
import { PhaseClock } from '../evidence/phases';

/** How long a browser may take to answer a trivial call before it counts as hung. */
const RESPONSIVE_MS = 5000;

/** Closes a browser; one that does not close in time (hung) is killed instead of waited for. */
async function closeOrKill(close: () => Promise<void>, pids: readonly number[], ms = 5000): Promise<void> {
  const closing = close().catch(() => {});
  if ((await within(closing, ms)) !== TIMED_OUT) return;
  signalAll(pids, 'SIGKILL');
  await within(closing, ms);
}

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
      transports: ['h1', 'h1-tls', 'h2'],
      ...(engine.proxyCertificateUnverified ? { proxyCertificateUnverified: engine.proxyCertificateUnverified } : {}),
    },
    resolve: () => resolveExecutable(engine.name),
    async start(endpoint: ProxyEndpoint, transport: Transport) {
      const exe = resolveExecutable(engine.name);
      if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
      const driver = new PlaywrightDriver(engine, endpoint, exe.path, transport);
      await driver.open();
      return driver;
    },
  };
}

async function describePage(
  page: Page,
  marker: string,
  notes: string[],
): Promise<Pick<NavigationRecord, 'finalUrl' | 'title' | 'text' | 'originMarkerFound' | 'proxyMarkerFound' | 'cookies' | 'storage'>> {
  const finalUrl = page.url();
  // One round trip for title, markup and text (three calls cost three times as much per case).
  const read = page.evaluate(() => ({
    title: document.title,
    html: document.documentElement?.outerHTML ?? '',
    text: document.body?.innerText ?? '',
    // An error page has an opaque origin, whose document.cookie throws.
    cookies: (() => {
      try {
        return document.cookie;
      } catch {
        return undefined;
      }
    })(),
    storage: (() => {
      try {
        return Object.keys(localStorage);
      } catch {
        return undefined;
      }
    })(),
  }));
  const { title, html, text, cookies, storage } = (await guarded('reading the page', read, 3000, notes)) ?? {
    title: '',
    html: '',
    text: '',
  };
  return {
    finalUrl,
    ...(cookies !== undefined ? { cookies } : {}),
    ...(storage ? { storage } : {}),
    title,
    text: text.slice(0, 2000),
    originMarkerFound: html.includes(marker),
    proxyMarkerFound: [html, title, finalUrl].some((s) => s.includes(PROXY_BODY_MARKER)),
  };
}

interface CaseContext {
  context: BrowserContext;
  alive(): boolean;
  dispose(): Promise<void>;
}

class PlaywrightDriver implements ClientDriver {
  info!: ClientInfo;
  launchMs = 0;
  launchConfig: Record<string, unknown> = {};
  private browser: Browser | undefined;
  private persistentContext: BrowserContext | undefined;
  /** A persistent context has no Browser to ask (browser() is null under BiDi): its close event says it died. */
  private persistentGone = false;
  private dirs: string[] = [];
  /** The browser processes this driver launched (for killing a hung one, and for fault injection). */
  private pids: number[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly endpoint: ProxyEndpoint,
    private readonly executablePath: string,
    private readonly transport: Transport,
  ) {}

  private setup() {
    return { executablePath: this.executablePath, proxyUrl: this.endpoint.url, spki: this.endpoint.spki };
  }

  private get persistent(): boolean {
    return !!this.engine.persistent?.(this.setup());
  }

  private contextOptions(extra: BrowserContextOptions = {}): BrowserContextOptions {
    return { viewport: { width: 800, height: 600 }, ...this.engine.contextOptions, ...extra };
  }

  private async launchPersistent(extra: BrowserContextOptions): Promise<{ value: BrowserContext; pids: number[] }> {
    const dir = mkdtempSync(join(tmpdir(), `cc-${this.engine.name}-`));
    this.dirs.push(dir);
    const options = {
      ...this.engine.launchOptions(this.setup()),
      ...this.contextOptions({ ignoreHTTPSErrors: true, ...extra }),
    } as LaunchOptions & BrowserContextOptions;
    return withNewChildren(() => this.engine.launchPersistent!(dir, options));
  }

  async open(): Promise<void> {
    const options = this.engine.launchOptions(this.setup());
    this.launchConfig = { ...describeLaunch(options), transport: this.transport, ...(this.persistent ? { persistentContext: true } : {}) };
    const t0 = performance.now();
    let version: string;
    if (this.persistent) {
      const { value, pids } = await this.launchPersistent({});
      this.persistentContext = value;
      this.persistentGone = false;
      value.on('close', () => {
        if (this.persistentContext === value) this.persistentGone = true;
      });
      this.pids = pids;
      version = this.persistentContext.browser()?.version() ?? 'unknown';
    } else {
      const { value, pids } = await withNewChildren(() => this.engine.launch(options));
      this.browser = value;
      this.pids = pids;
      version = this.browser.version();
    }
    this.launchMs = performance.now() - t0;
    this.info = { name: this.engine.name, label: this.engine.label, version, executablePath: this.executablePath };
  }

  /** A browser of its own for one case, launched with its context ready. */
  private async launchIsolated(extra: BrowserContextOptions): Promise<CaseContext> {
    if (this.persistent) {
      const { value: context, pids } = await this.launchPersistent(extra);
      let gone = false;
      context.on('close', () => (gone = true));
      return { context, alive: () => !gone, dispose: () => closeOrKill(() => context.close(), pids) };
    }
    const { value: browser, pids } = await withNewChildren(() => this.engine.launch(this.engine.launchOptions(this.setup())));
    const context = await browser.newContext(this.contextOptions(extra));
    return { context, alive: () => browser.isConnected(), dispose: () => closeOrKill(() => browser.close(), pids) };
  }

  /** A context for one case; with credentials, a browser of its own (they are browser-wide in Firefox). */
  private async caseContext(extra: BrowserContextOptions, isolated: boolean): Promise<CaseContext> {
    if (isolated) return this.launchIsolated(extra);
    if (this.persistent) {
      const context = this.persistentContext!;
      const before = new Set(context.pages());
      return {
        context,
        alive: () => !this.persistentGone,
        dispose: async () =>
          void (await Promise.all(
            context
              .pages()
              .filter((p) => !before.has(p))
              .map((p) => p.close()),
          )),
      };
    }
    const browser = this.browser!;
    const context = await browser.newContext(this.contextOptions(extra));
    return { context, alive: () => browser.isConnected(), dispose: () => context.close() };
  }

  private suspect = false;

  /** Awaits a driver call that must answer in time; one that does not marks the browser hung. */
  private async bounded<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
    const value = await within(p, ms).catch((e: Error) => {
      throw e instanceof HarnessError ? e : new HarnessError(`${what} failed: ${e.message}`, { cause: e });
    });
    if (value !== TIMED_OUT) return value;
    this.suspect = true;
    throw new HarnessError(
      `${this.engine.label} stopped answering (hung): ${what} took longer than ${ms} ms; it is relaunched for the next case`,
    );
  }

  async recycle(): Promise<void> {
    this.suspect = true;
  }

  /** After a crash or hang the next case gets a fresh browser; the failed case was a harness error. */
  private async ensureAlive(notes: string[]): Promise<void> {
    const connected = this.persistent ? !!this.persistentContext && !this.persistentGone : this.browser?.isConnected();
    if (connected && !this.suspect) return;
    this.suspect = false;
    notes.push(`${this.engine.label} was relaunched (the previous one crashed or hung)`);
    await this.close();
    this.dirs = [];
    await this.open();
  }

  async visit({ fixture, urls, beginVisit, marker, screenshotPath }: VisitRequest): Promise<VisitOutcome> {
    const notes: string[] = [];
    const clock = new PhaseClock();
    await clock.time('launch', this.ensureAlive(notes));
    const credentials = fixture.client.credentials;
    const ownBrowser = (!!credentials && this.engine.credentialsAreBrowserWide) || !!fixture.client.ownBrowser;
    if (ownBrowser)
      notes.push(
        fixture.client.ownBrowser
          ? 'ran in a browser of its own (the case sets state that reaches every case host: parent-domain cookies, Clear-Site-Data)'
          : `ran in a browser of its own (${this.engine.label} keeps proxy credentials browser-wide)`,
      );
    const cc = await clock.time(
      ownBrowser ? 'launch' : 'context',
      this.bounded('creating a browser context', this.caseContext(credentials ? { httpCredentials: credentials } : {}, ownBrowser), 30_000),
    );
    const visits: NavigationRecord[] = [];
    let screenshot: string | undefined;
    try {
      let page = await clock.time('context', this.bounded('opening a page', cc.context.newPage(), 15_000));
      for (const [i, url] of urls.entries()) {
        // After a failed visit the browser commits its error page later, sometimes after the next
        // goto began, which it then interrupts (seen in Chromium >500 ms after the failure): the next
        // visit gets a page of its own in the same context (same cookies, storage, HSTS, sockets).
        if (i > 0 && visits[i - 1]?.failure)
          page = await clock.time('context', this.bounded('opening a page', cc.context.newPage(), 15_000));
        beginVisit(i + 1);
        const navStart = performance.now();
        let committed = false;
        let status: number | undefined;
        let failure: NavigationRecord['failure'];
        try {
          const response = await clock.time('navigation', page.goto(url, { timeout: fixture.client.timeoutMs, waitUntil: 'load' }));
          committed = true;
          status = response?.status();
          if (fixture.client.dwellMs) {
            // A Refresh fires after the load: stay, then let any navigation it started finish.
            await clock.time('dwell', page.waitForTimeout(fixture.client.dwellMs));
            await clock.time(
              'dwell',
              page.waitForLoadState('load', { timeout: fixture.client.timeoutMs }).catch(() => {}),
            );
          }
        } catch (e) {
          if (!cc.alive()) {
            if (!fixture.client.crashIsFinding)
              throw new HarnessError(`the browser went away during navigation: ${(e as Error).message}`, { cause: e });
            // The fixture's answer once crashed browsers: the crash is what this client did.
            this.suspect = true;
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
              .waitForFunction(
                () => {
                  const t = document.getElementById('ws-result')?.textContent;
                  return t && t !== 'pending' ? t : undefined;
                },
                undefined,
                { timeout: fixture.client.timeoutMs },
              )
              .then((h) => h.jsonValue() as Promise<string>)
              .catch(() => 'no result within the bound'),
          );
        }
        const durationMs = Math.round(performance.now() - navStart);
        const seen = await clock.time('page read', describePage(page, marker, notes));
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
        (await clock.time('screenshot', guarded('the screenshot', page.screenshot({ path: screenshotPath, timeout: 5000 }), 7000, notes)))
      )
        screenshot = screenshotPath;
    } catch (e) {
      // A hung browser is killed at the next visit; closing its context now would only wait.
      if (!this.suspect) await guarded('closing the context', cc.dispose(), 15_000, notes);
      throw e;
    }
    return { visits, ...(screenshot ? { screenshot } : {}), notes, phases: clock.times, alive: cc.alive, dispose: cc.dispose };
  }

  async crash(): Promise<void> {
    if (this.persistentContext) {
      // A persistent context (Firefox behind an HTTPS proxy): its processes die at once, as in a crash.
      signalAll(this.pids, 'SIGKILL');
      for (let i = 0; i < 100 && !this.persistentGone; i++) await new Promise((r) => setTimeout(r, 50));
      return;
    }
    // Chromium (CDP): the browser process aborts, as a real crash would.
    if (!this.browser) throw new Error('crash injection needs a launched browser');
    const browser = this.browser;
    const cdp = await browser.newBrowserCDPSession();
    // The reply never comes (the browser is gone): do not wait for it, wait for the disconnect.
    void cdp.send('Browser.crash' as never).catch(() => {});
    for (let i = 0; i < 100 && browser.isConnected(); i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** Fault injection for the harness's own tests: the browser process stops (SIGSTOP) but stays. */
  async hang(): Promise<void> {
    if (!this.pids.length) throw new Error('hang injection needs the browser process id (Linux /proc)');
    signalAll(this.pids, 'SIGSTOP');
  }

  async close(): Promise<void> {
    const browser = this.browser;
    const context = this.persistentContext;
    if (browser) await closeOrKill(() => browser.close(), this.pids);
    if (context) await closeOrKill(() => context.close(), this.pids);
    this.browser = undefined;
    this.persistentContext = undefined;
    this.pids = [];
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
