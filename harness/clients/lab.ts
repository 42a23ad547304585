/**
 * A lab: one certificate authority, one TLS origin, one mock proxy and one launched browser. The
 * suite makes one per worker; cases share it and are kept apart by their unique hosts.
 */
import type { Browser, BrowserContextOptions } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import type { CertificateAuthority } from '../origin/certificates';
import type { TlsOrigin } from '../origin/tls-origin';
import type { MockProxy } from '../proxy/mock-proxy';
import { startTestbed, type Testbed } from '../proxy/testbed';
import { describeLaunch, type Engine } from './engine';
import { resolveExecutable } from './executables';
import type { ClientInfo } from '../observe/record';

export class Lab {
  private constructor(
    readonly engine: Engine,
    private readonly testbed: Testbed,
    readonly executablePath: string,
  ) {}

  get ca(): CertificateAuthority {
    return this.testbed.ca;
  }
  get origin(): TlsOrigin {
    return this.testbed.origin;
  }
  get proxy(): MockProxy {
    return this.testbed.proxy;
  }

  browser: Browser | undefined;
  client: ClientInfo | undefined;
  launchMs = 0;
  launchConfig: Record<string, unknown> = {};

  static async start(engine: Engine): Promise<Lab> {
    const exe = resolveExecutable(engine.name);
    if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
    return new Lab(engine, await startTestbed(), exe.path);
  }

  /** Launches a browser wired to this lab's proxy. */
  async launch(): Promise<Browser> {
    const options = this.engine.launchOptions({ executablePath: this.executablePath, proxyPort: this.proxy.port, spki: this.ca.leafSpkiSha256 });
    this.launchConfig = describeLaunch(options);
    const t0 = performance.now();
    const browser = await this.engine.launch(options);
    this.launchMs = performance.now() - t0;
    return browser;
  }

  async open(): Promise<Browser> {
    this.browser = await this.launch();
    this.client = { name: this.engine.name, label: this.engine.label, version: this.browser.version(), executablePath: this.executablePath };
    return this.browser;
  }

  contextOptions(extra: BrowserContextOptions = {}): BrowserContextOptions {
    return { viewport: { width: 800, height: 600 }, ...this.engine.contextOptions, ...extra };
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => {});
    await this.testbed.close();
  }
}
