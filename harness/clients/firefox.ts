/**
 * Firefox ESR through WebDriver BiDi (Playwright's moz-firefox channel). Under BiDi Playwright's
 * `proxy` option only sets the http proxy, so the proxy is configured by prefs for both http and
 * ssl. MOZ_REMOTE_SETTINGS_DEVTOOLS=1 silences the remote-settings polling that would otherwise
 * send CONNECTs of its own (see platform-notes.md).
 */
import { firefox, type LaunchOptions } from '@playwright/test';
import type { Engine, LaunchSetup } from './engine';

export const firefoxEngine: Engine = {
  name: 'firefox',
  label: 'Firefox',
  lineage2015: 'firefox',
  launchOptions({ executablePath, proxyPort }: LaunchSetup): LaunchOptions {
    return {
      channel: 'moz-firefox',
      executablePath,
      headless: true,
      env: { ...(process.env as Record<string, string>), MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      firefoxUserPrefs: {
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': proxyPort,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': proxyPort,
        'network.proxy.allow_hijacking_localhost': true,
        'network.proxy.no_proxies_on': '',
        'network.proxy.share_proxy_settings': false,
      },
    };
  },
  // The origin's certificate comes from a CA made at run time; BiDi's acceptInsecureCerts is
  // Firefox's only switch for it.
  contextOptions: { ignoreHTTPSErrors: true },
  launch: (options) => firefox.launch(options),
};
