/**
 * The life of a Playwright browser behind one worker: launch (a browser, or a persistent context
 * where the engine needs one), a context per case (or pages of the persistent one, emptied after),
 * crash and hang detection with relaunch, and fault injection for the harness's own tests. What a
 * visit observes is playwright-client.ts and page-observation.ts.
 */
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions, Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientInfo } from '../evidence/record';
import { describeLaunch, type Engine } from './engine';
import type { ProxyEndpoint } from './client';
import type { Transport } from '../vocabulary/transports';
import { HarnessBoundError, HarnessError, TIMED_OUT, within } from '../vocabulary/harness-errors';
import { signalAll, withNewChildren } from './processes';

/** How long a browser may take to answer a trivial call before it counts as hung. */
export const RESPONSIVE_MS = 10_000;

/** Closes a browser; one that does not close in time (hung) is killed instead of waited for. */
async function closeOrKill(close: () => Promise<void>, pids: readonly number[], ms = 5000): Promise<void> {
  const closing = close().catch(() => {});
  if ((await within(closing, ms)) !== TIMED_OUT) return;
  signalAll(pids, 'SIGKILL');
  await within(closing, ms);
}

export interface CaseContext {
  context: BrowserContext;
  /** A page of the case's own (in a persistent context, the case's pages are told apart from those of cases in flight beside it). */
  newPage(): Promise<Page>;
  alive(): boolean;
  dispose(): Promise<void>;
}

export class PlaywrightBrowser {
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
    readonly engine: Engine,
    private readonly endpoint: ProxyEndpoint,
    private readonly executablePath: string,
    private readonly transport: Transport,
  ) {}

  private setup() {
    return {
      executablePath: this.executablePath,
      proxyUrl: this.endpoint.url,
      spki: this.endpoint.spki,
      caPem: this.endpoint.caPem,
      ...(this.endpoint.pac ? { pac: this.endpoint.pac } : {}),
    };
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
    this.engine.prepareProfile?.(dir, this.setup());
    const options = {
      ...this.engine.launchOptions(this.setup()),
      ...this.contextOptions(extra),
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

  /**
   * A context for one case. In a persistent context (one per worker: Firefox behind an HTTPS proxy)
   * the case gets pages of it instead: its proxy credentials are set for the case and taken back
   * after, and its cookies are cleared after it, so a Domain=connect.test cookie (the consequence
   * matrix's controls set one) never reaches a later case host.
   */
  async caseContext(extra: BrowserContextOptions): Promise<CaseContext> {
    if (this.persistent) {
      const context = this.persistentContext!;
      // Only this case's pages are closed after it: cases may be in flight beside it in this
      // browser (a lab's per-client concurrency), each with pages of its own.
      const mine = new Set<Page>();
      this.inFlight++;
      if (extra.httpCredentials) await context.setHTTPCredentials(extra.httpCredentials);
      return {
        context,
        newPage: async () => {
          const page = await context.newPage();
          mine.add(page);
          return page;
        },
        alive: () => !this.persistentGone,
        dispose: async () => {
          this.inFlight--;
          await Promise.all([...mine].map((p) => p.close().catch(() => {})));
          // The suite runs one case at a time per browser: the jar is emptied for the next case.
          // With others in flight beside it, emptying it would take their cookies: it is emptied
          // when the last one ends.
          if (this.inFlight === 0) await context.clearCookies();
          if (extra.httpCredentials) await context.setHTTPCredentials(null);
        },
      };
    }
    const browser = this.browser!;
    const context = await browser.newContext(this.contextOptions(extra));
    return { context, newPage: () => context.newPage(), alive: () => browser.isConnected(), dispose: () => context.close() };
  }

  /** Cases with pages in the persistent context right now. */
  private inFlight = 0;

  /** Set when the browser crashed or hung: the next case gets a fresh one. */
  suspect = false;

  /** Awaits a driver call that must answer in time; one that does not marks the browser hung. */
  async bounded<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
    const value = await within(p, ms).catch((e: Error) => {
      throw e instanceof HarnessError ? e : new HarnessError(`${what} failed: ${e.message}`, { cause: e });
    });
    if (value !== TIMED_OUT) return value;
    this.suspect = true;
    throw new HarnessBoundError(
      `${this.engine.label} stopped answering (hung): ${what} took longer than ${ms} ms; it is relaunched for the next case`,
      ms,
    );
  }

  async recycle(): Promise<void> {
    this.suspect = true;
  }

  /** Whether the browser crashed or hung since the last case (then relaunch() before the next). */
  get needsRelaunch(): boolean {
    const connected = this.persistent ? !!this.persistentContext && !this.persistentGone : this.browser?.isConnected();
    return !connected || this.suspect;
  }

  /** After a crash or hang the next case gets a fresh browser; the failed case was a harness error. */
  async relaunch(notes: string[]): Promise<void> {
    this.suspect = false;
    notes.push(`${this.engine.label} was relaunched (the previous one crashed or hung)`);
    // A hung case never disposed its pages: the fresh browser has none in flight.
    this.inFlight = 0;
    await this.close();
    this.dirs = [];
    await this.open();
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
