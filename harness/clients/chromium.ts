/**
 * Chromium through the mock proxy. Flags come from measurements on this machine
 * (shared/reference/platform-notes.md): background networking off, Google hosts bypassed and
 * unresolvable so nothing but the case traffic reaches the proxy, and the origin's leaf key pinned
 * by SPKI so the origin is trusted without ignoreHTTPSErrors (which doubles the CONNECTs).
 */
import { chromium, type LaunchOptions } from '@playwright/test';
import { pacDataUrl, type Engine, type LaunchSetup } from './engine';

export const chromiumEngine: Engine = {
  name: 'chromium',
  label: 'Chromium',
  concurrency: 3,
  launchOptions({ executablePath, proxyUrl, spki, pac }: LaunchSetup): LaunchOptions {
    return {
      executablePath,
      headless: true,
      // A proxy list comes from a PAC (the "list" transport); Google hosts stay unresolvable either way.
      ...(pac ? {} : { proxy: { server: proxyUrl, bypass: '*.google.com,*.googleapis.com,*.gstatic.com' } }),
      args: [
        ...(pac ? [`--proxy-pac-url=${pacDataUrl(pac)}`] : []),
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Trusts the origin and the HTTPS proxy (same leaf key) without ignoreHTTPSErrors.
        `--ignore-certificate-errors-spki-list=${spki}`,
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    };
  },
  contextOptions: {},
  launch: (options) => chromium.launch(options),
};
