/**
 * The client interface: one file per engine (chromium.ts, firefox.ts) fills it in.
 */
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions } from '@playwright/test';
import type { EngineName } from './executables';

export interface LaunchSetup {
  executablePath: string;
  /** http://127.0.0.1:PORT or https://127.0.0.1:PORT */
  proxyUrl: string;
  /** base64 sha256 of the leaf key's SPKI (origin and HTTPS proxy certificates). */
  spki: string;
  /** The "list" transport: a PAC script to configure instead of proxyUrl. */
  pac?: string;
  /** The run's CA (PEM): an engine that trusts it through its profile, not an override, imports it. */
  caPem: string;
}

export interface Engine {
  name: EngineName;
  label: string;
  /** Cases at once by default (workers, each with its own browser). */
  concurrency: number;
  /**
   * Whether proxy credentials, once used, are kept for the whole browser per proxy host:port and
   * sent pre-emptively from every context (Firefox): a case with credentials then reaches the proxy
   * on a port of its own, through the PAC (measured: test/credentials-isolation.test.ts). Chromium
   * keeps them per context (each has its own network context).
   */
  proxyCredentialsPerProxyPort?: boolean;
  /** Why it cannot judge the HTTPS proxy's own certificate, when it runs with certificate checks off. */
  proxyCertificateUnverified?: string;
  launchOptions(setup: LaunchSetup): LaunchOptions;
  contextOptions: BrowserContextOptions;
  launch(options: LaunchOptions): Promise<Browser>;
  /**
   * Some set-ups only work in a persistent context (Firefox to an HTTPS proxy: see
   * platform-notes.md); then the engine launches one and cases get pages in it.
   */
  persistent?(setup: LaunchSetup): boolean;
  /** Fills a persistent context's user data dir before the launch (Firefox: the run's CA in its NSS database). */
  prepareProfile?(userDataDir: string, setup: LaunchSetup): void;
  launchPersistent?(userDataDir: string, options: LaunchOptions & BrowserContextOptions): Promise<BrowserContext>;
}

/** A PAC script as the data: URL both browsers take. */
export function pacDataUrl(pac: string): string {
  return `data:application/x-ns-proxy-autoconfig;base64,${Buffer.from(pac).toString('base64')}`;
}

/** The launch options as recorded in results (no environment dump: only what was set for the browser). */
export function describeLaunch(options: LaunchOptions): Record<string, unknown> {
  const { env, ...rest } = options;
  return { ...rest, ...(env ? { env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('MOZ_'))) } : {}) };
}
