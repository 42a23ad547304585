/**
 * Firefox ESR through WebDriver BiDi (Playwright's moz-firefox channel). Under BiDi Playwright's
 * `proxy` option only sets the http proxy, so the proxy is configured by prefs: a PAC for every
 * scheme (proxyPac). MOZ_REMOTE_SETTINGS_DEVTOOLS=1 silences the remote-settings polling that would otherwise
 * send CONNECTs of its own (see platform-notes.md).
 */
import { firefox, type BrowserContextOptions, type LaunchOptions } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pacDataUrl, type Engine, type LaunchSetup } from './engine';
import { proxyPac } from '../vocabulary/transports';
import { SetupError } from '../vocabulary/harness-errors';

/**
 * Trusts the run's CA in a profile's own NSS database, as a user's imported root: no certificate
 * override. WebDriver's acceptInsecureCerts (Playwright's ignoreHTTPSErrors) makes every
 * certificate an override, and Firefox drops Strict-Transport-Security on an overridden connection
 * (nsHttpChannel::ProcessHSTSHeader), which left its HSTS control blind. Firefox under Playwright
 * keeps a cert9.db it finds in the user data dir (platform-notes.md).
 */
export function trustCaInProfile(dir: string, caPem: string): void {
  const certutil = (...args: string[]) => {
    const r = spawnSync('certutil', args, { encoding: 'utf8', timeout: 30_000 });
    if (r.error || r.status !== 0)
      throw new SetupError(
        `Firefox: certutil ${args.slice(0, 1).join(' ')} failed (${r.error?.message ?? `exit ${r.status}: ${(r.stderr || r.stdout).trim()}`}); ` +
          "certutil (Debian libnss3-tools) puts the run's CA into the profile: run npm run setup",
      );
  };
  const pem = join(dir, 'cc-run-ca.pem');
  writeFileSync(pem, caPem);
  certutil('-N', '-d', `sql:${dir}`, '--empty-password');
  certutil('-A', '-d', `sql:${dir}`, '-n', 'connect-conformance run CA', '-t', 'C,,', '-i', pem);
}

/**
 * How Firefox reaches the mock proxy (the suite's browsers and npm run serve's printed profile).
 * Always a PAC: an HTTPS proxy is only reachable through a PAC "HTTPS host:port" answer, a proxy
 * list is one, and Firefox keeps proxy credentials per proxy host:port for the whole browser, so a
 * credentials case reaches the proxy on a port of its own, named in its host (proxyPac).
 */
export function firefoxProxyPrefs({
  proxyUrl,
  pac: listPac,
}: Pick<LaunchSetup, 'proxyUrl' | 'pac'>): Record<string, string | number | boolean> {
  const { protocol, port } = new URL(proxyUrl);
  const pac = listPac ?? proxyPac({ scheme: protocol === 'https:' ? 'HTTPS' : 'PROXY', port: Number(port) });
  return {
    'network.proxy.type': 2,
    'network.proxy.autoconfig_url': pacDataUrl(pac),
    'network.proxy.allow_hijacking_localhost': true,
    'network.proxy.no_proxies_on': '',
  };
}

export const firefoxEngine: Engine = {
  name: 'firefox',
  label: 'Firefox',
  concurrency: 2,
  proxyCredentialsPerProxyPort: true,
  launchOptions(setup: LaunchSetup): LaunchOptions {
    const { executablePath } = setup;
    return {
      channel: 'moz-firefox',
      executablePath,
      headless: true,
      env: { ...(process.env as Record<string, string>), MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      firefoxUserPrefs: firefoxProxyPrefs(setup),
    };
  },
  // No certificate override: the run's CA is a root of the profile (trustCaInProfile), so HSTS is
  // kept as from any trusted site and the HTTPS proxy's own certificate is checked for real.
  contextOptions: {},
  launch: (options) => firefox.launch(options),
  // Every Firefox project runs in one persistent context per worker: only a profile made before the
  // launch can hold the CA (launch() refuses --profile). Cases get pages of it, emptied after each
  // (browser-lifecycle.ts); hosts are unique per case run, since Firefox's HSTS store is per profile.
  persistent: () => true,
  prepareProfile: (dir: string, setup: LaunchSetup) => trustCaInProfile(dir, setup.caPem),
  launchPersistent: (dir: string, options: LaunchOptions & BrowserContextOptions) => firefox.launchPersistentContext(dir, options),
};
