/**
 * Firefox ESR through WebDriver BiDi (Playwright's moz-firefox channel). Under BiDi Playwright's
 * `proxy` option only sets the http proxy, so the proxy is configured by prefs: a PAC for every
 * scheme (proxyPac). MOZ_REMOTE_SETTINGS_DEVTOOLS=1 silences the remote-settings polling that would otherwise
 * send CONNECTs of its own (see platform-notes.md).
 */
import { firefox, type BrowserContextOptions, type LaunchOptions } from '@playwright/test';
import { pacDataUrl, type Engine, type LaunchSetup } from './engine';
import { proxyPac } from '../vocabulary/transports';

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
  // The origin's certificate comes from a CA made at run time; BiDi's acceptInsecureCerts is
  // Firefox's only switch for it.
  contextOptions: { ignoreHTTPSErrors: true },
  proxyCertificateUnverified:
    "Firefox runs with acceptInsecureCerts (WebDriver BiDi's only way to trust the run's CA), which accepts the HTTPS proxy's certificate too, whatever is wrong with it",
  launch: (options) => firefox.launch(options),
  // Measured here: with an HTTPS proxy Firefox only completes the tunnel in a persistent context
  // with ignoreHTTPSErrors (the proxy certificate is checked outside per-context overrides).
  persistent: ({ proxyUrl }) => proxyUrl.startsWith('https:'),
  launchPersistent: (dir: string, options: LaunchOptions & BrowserContextOptions) => firefox.launchPersistentContext(dir, options),
};
