/**
 * Firefox ESR through WebDriver BiDi (Playwright's moz-firefox channel). Under BiDi Playwright's
 * `proxy` option only sets the http proxy, so the proxy is configured by prefs for both http and
 * ssl. MOZ_REMOTE_SETTINGS_DEVTOOLS=1 silences the remote-settings polling that would otherwise
 * send CONNECTs of its own (see platform-notes.md).
 */
import { firefox, type BrowserContextOptions, type LaunchOptions } from '@playwright/test';
import { pacDataUrl, type Engine, type LaunchSetup } from './engine';

export const firefoxEngine: Engine = {
  name: 'firefox',
  label: 'Firefox',
  concurrency: 2,
  credentialsAreBrowserWide: true,
  launchOptions({ executablePath, proxyUrl, pac: listPac }: LaunchSetup): LaunchOptions {
    const { protocol, port } = new URL(proxyUrl);
    const proxyPort = Number(port);
    // An HTTPS proxy is only reachable through a PAC "HTTPS host:port" answer; a proxy list is a PAC.
    const pac = pacDataUrl(listPac ?? `function FindProxyForURL(url, host) { return "HTTPS 127.0.0.1:${proxyPort}"; }`);
    const proxyPrefs: Record<string, string | number | boolean> =
      protocol === 'https:' || listPac
        ? { 'network.proxy.type': 2, 'network.proxy.autoconfig_url': pac }
        : {
            'network.proxy.type': 1,
            'network.proxy.http': '127.0.0.1',
            'network.proxy.http_port': proxyPort,
            'network.proxy.ssl': '127.0.0.1',
            'network.proxy.ssl_port': proxyPort,
            'network.proxy.share_proxy_settings': false,
          };
    return {
      channel: 'moz-firefox',
      executablePath,
      headless: true,
      env: { ...(process.env as Record<string, string>), MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      firefoxUserPrefs: {
        ...proxyPrefs,
        'network.proxy.allow_hijacking_localhost': true,
        'network.proxy.no_proxies_on': '',
      },
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
