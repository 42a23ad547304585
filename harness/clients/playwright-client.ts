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
import type { Testbed } from '../proxy/testbed';
import type { ClientInfo, NavigationRecord } from '../observe/record';
import { PROXY_BODY_MARKER } from '../observe/record';
import { describeLaunch, type Engine } from './engine';
import { resolveExecutable } from './executables';
import { normaliseNavigationError } from './navigation-error';
import type { ClientDriver, ClientKind, VisitOutcome, VisitRequest } from './client';
import type { Transport } from './transports';
import { guarded, HarnessError } from './harness-error';

export function playwrightClient(engine: Engine): ClientKind {
  return {
    name: engine.name,
    label: engine.label,
    lineage2015: engine.lineage2015,
    capabilities: { page: true, screenshot: true, websocket: true, credentials: 'challenge', transports: ['h1', 'h1-tls', 'h2'] },
    resolve: () => resolveExecutable(engine.name),
    async start(testbed: Testbed, transport: Transport) {
      const exe = resolveExecutable(engine.name);
      if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
      const driver = new PlaywrightDriver(engine, testbed, exe.path, transport);
      await driver.open();
      return driver;
    },
  };
}

async function describePage(page: Page, marker: string, notes: string[]): Promise<Pick<NavigationRecord, 'finalUrl' | 'title' | 'text' | 'originMarkerFound' | 'proxyMarkerFound'>> {
  const finalUrl = page.url();
  const title = (await guarded('reading the title', page.title(), 3000, notes)) ?? '';
  const html = (await guarded('reading the page', page.content(), 3000, notes)) ?? '';
  const text = (await guarded('reading the text', page.evaluate(() => document.body?.innerText ?? ''), 3000, notes)) ?? '';
  return {
    finalUrl,
    title,
    text: text.slice(0, 2000),
    originMarkerFound: html.includes(marker),
    proxyMarkerFound: [html, title, finalUrl].some((s) => s.includes(PROXY_BODY_MARKER)),
  };
}

class PlaywrightDriver implements ClientDriver {
  info!: ClientInfo;
  launchMs = 0;
  launchConfig: Record<string, unknown> = {};
  private browser: Browser | undefined;
  private persistentContext: BrowserContext | undefined;
  private dirs: string[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly testbed: Testbed,
    private readonly executablePath: string,
    private readonly transport: Transport,
  ) {}

  private setup() {
    return { executablePath: this.executablePath, proxyUrl: `${this.testbed.proxy.scheme}://127.0.0.1:${this.testbed.proxy.port}`, spki: this.testbed.ca.leafSpkiSha256 };
  }

  private get persistent(): boolean {
    return !!this.engine.persistent?.(this.setup());
  }

  private contextOptions(extra: BrowserContextOptions = {}): BrowserContextOptions {
    return { viewport: { width: 800, height: 600 }, ...this.engine.contextOptions, ...extra };
  }

  private async launchPersistent(extra: BrowserContextOptions): Promise<BrowserContext> {
    const dir = mkdtempSync(join(tmpdir(), `cc-${this.engine.name}-`));
    this.dirs.push(dir);
    const options = { ...this.engine.launchOptions(this.setup()), ...this.contextOptions({ ignoreHTTPSErrors: true, ...extra }) } as LaunchOptions & BrowserContextOptions;
    return this.engine.launchPersistent!(dir, options);
  }

  async open(): Promise<void> {
    const options = this.engine.launchOptions(this.setup());
    this.launchConfig = { ...describeLaunch(options), transport: this.transport, ...(this.persistent ? { persistentContext: true } : {}) };
    const t0 = performance.now();
    let version: string;
    if (this.persistent) {
      this.persistentContext = await this.launchPersistent({});
      version = this.persistentContext.browser()?.version() ?? 'unknown';
    } else {
      this.browser = await this.engine.launch(options);
      version = this.browser.version();
    }
    this.launchMs = performance.now() - t0;
    this.info = { name: this.engine.name, label: this.engine.label, version, executablePath: this.executablePath };
  }

  /** A context for one case; with credentials, a browser of its own (they are browser-wide in Firefox). */
  private async caseContext(extra: BrowserContextOptions, isolated: boolean): Promise<{ context: BrowserContext; alive(): boolean; dispose(): Promise<void> }> {
    if (this.persistent) {
      if (isolated) {
        const context = await this.launchPersistent(extra);
        return { context, alive: () => true, dispose: () => context.close() };
      }
      const context = this.persistentContext!;
      const before = new Set(context.pages());
      return { context, alive: () => true, dispose: async () => void (await Promise.all(context.pages().filter((p) => !before.has(p)).map((p) => p.close()))) };
    }
    if (isolated) {
      const browser = await this.engine.launch(this.engine.launchOptions(this.setup()));
      const context = await browser.newContext(this.contextOptions(extra));
      return { context, alive: () => browser.isConnected(), dispose: () => browser.close() };
    }
    const browser = this.browser!;
    const context = await browser.newContext(this.contextOptions(extra));
    return { context, alive: () => browser.isConnected(), dispose: () => context.close() };
  }

  private suspect = false;

  async recycle(): Promise<void> {
    this.suspect = true;
  }

  /** After a crash or hang the next case gets a fresh browser; the failed case was a harness error. */
  private async ensureAlive(notes: string[]): Promise<void> {
    const connected = this.persistent ? this.persistentContext?.browser()?.isConnected() !== false : this.browser?.isConnected();
    if (connected && !this.suspect) return;
    this.suspect = false;
    notes.push(`${this.engine.label} was relaunched (the previous one went away)`);
    await this.close();
    this.dirs = [];
    await this.open();
  }

  async visit({ fixture, url, marker, screenshotPath }: VisitRequest): Promise<VisitOutcome> {
    const notes: string[] = [];
    await this.ensureAlive(notes);
    const credentials = fixture.client.credentials;
    if (credentials) notes.push('ran in a browser of its own (credentials are browser-wide state)');
    const cc = await this.caseContext(credentials ? { httpCredentials: credentials } : {}, !!credentials).catch((e: Error) => {
      throw new HarnessError(`creating a browser context failed: ${e.message}`, { cause: e });
    });
    const visits: NavigationRecord[] = [];
    let screenshot: string | undefined;
    try {
      const page = await cc.context.newPage();
      for (let visit = 1; visit <= fixture.client.visits; visit++) {
        const navStart = performance.now();
        let committed = false;
        let status: number | undefined;
        let error: NavigationRecord['error'];
        try {
          const response = await page.goto(url, { timeout: fixture.client.timeoutMs, waitUntil: 'load' });
          committed = true;
          status = response?.status();
        } catch (e) {
          if (!cc.alive()) throw new HarnessError(`the browser went away during navigation: ${(e as Error).message}`, { cause: e });
          error = normaliseNavigationError(e);
        }
        let probe: string | undefined;
        if (fixture.client.action === 'websocket' && committed) {
          // The page reports its WebSocket echo in #ws-result; waiting is bounded like the navigation.
          probe = await page
            .waitForFunction(() => { const t = document.getElementById('ws-result')?.textContent; return t && t !== 'pending' ? t : undefined; }, undefined, { timeout: fixture.client.timeoutMs })
            .then((h) => h.jsonValue() as Promise<string>)
            .catch(() => 'no result within the bound');
        }
        const durationMs = Math.round(performance.now() - navStart);
        const seen = await describePage(page, marker, notes);
        visits.push({ url, committed, ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}), ...(probe ? { probe } : {}), durationMs, ...seen });
      }
      if (screenshotPath && (await guarded('the screenshot', page.screenshot({ path: screenshotPath, timeout: 5000 }), 7000, notes))) screenshot = screenshotPath;
    } catch (e) {
      await cc.dispose().catch(() => {});
      throw e;
    }
    return { visits, ...(screenshot ? { screenshot } : {}), notes, alive: cc.alive, dispose: cc.dispose };
  }

  async crash(): Promise<void> {
    // Chromium only (CDP): the browser process aborts, as a real crash would.
    if (!this.browser) throw new Error('crash injection needs a launched (non-persistent) browser');
    const browser = this.browser;
    const cdp = await browser.newBrowserCDPSession();
    // The reply never comes (the browser is gone): do not wait for it, wait for the disconnect.
    void cdp.send('Browser.crash' as never).catch(() => {});
    for (let i = 0; i < 100 && browser.isConnected(); i++) await new Promise((r) => setTimeout(r, 50));
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => {});
    await this.persistentContext?.close().catch(() => {});
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
