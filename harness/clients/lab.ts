/**
 * A lab: one certificate authority, one TLS origin, one mock proxy (plain or HTTPS, per transport)
 * and one launched browser. The suite makes one per worker; cases share it and are kept apart by
 * their unique hosts.
 */
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CertificateAuthority } from '../origin/certificates';
import type { TlsOrigin } from '../origin/tls-origin';
import type { MockProxy } from '../proxy/mock-proxy';
import { startTestbed, type Testbed } from '../proxy/testbed';
import { describeLaunch, type Engine } from './engine';
import { resolveExecutable } from './executables';
import type { Transport } from './transports';
import type { ClientInfo } from '../observe/record';

/** A browser context for one case and how to give it back. */
export interface CaseContext {
  context: BrowserContext;
  /** The browser is still there (a crash during a case is a harness error, not an observation). */
  alive(): boolean;
  dispose(): Promise<void>;
}

export class Lab {
  private constructor(
    readonly engine: Engine,
    readonly transport: Transport,
    private readonly testbed: Testbed,
    readonly executablePath: string,
  ) {}

  browser: Browser | undefined;
  private persistentContext: BrowserContext | undefined;
  private persistentDirs: string[] = [];
  client: ClientInfo | undefined;
  launchMs = 0;
  launchConfig: Record<string, unknown> = {};

  get ca(): CertificateAuthority {
    return this.testbed.ca;
  }
  get origin(): TlsOrigin {
    return this.testbed.origin;
  }
  get proxy(): MockProxy {
    return this.testbed.proxy;
  }

  static async start(engine: Engine, transport: Transport = 'h1'): Promise<Lab> {
    const exe = resolveExecutable(engine.name);
    if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
    return new Lab(engine, transport, await startTestbed(transport), exe.path);
  }

  private setup() {
    return { executablePath: this.executablePath, proxyUrl: `${this.proxy.scheme}://127.0.0.1:${this.proxy.port}`, spki: this.ca.leafSpkiSha256 };
  }

  private get persistent(): boolean {
    return !!this.engine.persistent?.(this.setup());
  }

  contextOptions(extra: BrowserContextOptions = {}): BrowserContextOptions {
    return { viewport: { width: 800, height: 600 }, ...this.engine.contextOptions, ...extra };
  }

  private async launchPersistent(extra: BrowserContextOptions): Promise<BrowserContext> {
    const dir = mkdtempSync(join(tmpdir(), `cc-${this.engine.name}-`));
    this.persistentDirs.push(dir);
    const options = { ...this.engine.launchOptions(this.setup()), ...this.contextOptions({ ignoreHTTPSErrors: true, ...extra }) } as LaunchOptions & BrowserContextOptions;
    return this.engine.launchPersistent!(dir, options);
  }

  /** Launches the lab's shared browser (or persistent context) wired to its proxy. */
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
    this.client = { name: this.engine.name, label: this.engine.label, version, executablePath: this.executablePath };
  }

  /**
   * A context for one case. `isolated` gives the case a browser of its own (credentials are
   * browser-wide state in Firefox and would leak into later cases).
   */
  async caseContext(extra: BrowserContextOptions, isolated: boolean): Promise<CaseContext> {
    if (this.persistent) {
      if (isolated) {
        const context = await this.launchPersistent(extra);
        return { context, alive: () => true, dispose: () => context.close() };
      }
      const context = this.persistentContext!;
      const before = new Set(context.pages());
      return {
        context,
        alive: () => this.persistentContext !== undefined,
        dispose: async () => {
          await Promise.all(context.pages().filter((p) => !before.has(p)).map((p) => p.close()));
        },
      };
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

  async close(): Promise<void> {
    await this.browser?.close().catch(() => {});
    await this.persistentContext?.close().catch(() => {});
    await this.testbed.close();
    for (const d of this.persistentDirs) rmSync(d, { recursive: true, force: true });
  }
}
