/**
 * Where the browsers are. Order: the environment (CHROMIUM_PATH / FIREFOX_PATH), the Debian
 * packages, then Playwright's own downloaded builds (a developer laptop). Nothing here downloads.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type EngineName = 'chromium' | 'firefox';

const CANDIDATES: Record<EngineName, { env: string; paths: string[]; playwrightDir: RegExp; playwrightBin: string[] }> = {
  chromium: {
    env: 'CHROMIUM_PATH',
    paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
    playwrightDir: /^chromium-\d+$/,
    playwrightBin: ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'],
  },
  firefox: {
    env: 'FIREFOX_PATH',
    paths: ['/usr/bin/firefox-esr', '/usr/bin/firefox'],
    playwrightDir: /^firefox-\d+$/,
    playwrightBin: ['firefox/firefox', 'firefox/Nightly.app/Contents/MacOS/firefox'],
  },
};

export interface Resolved {
  path?: string;
  /** How it was found, or what to do when it was not. */
  how: string;
}

export function resolveExecutable(engine: EngineName): Resolved {
  const c = CANDIDATES[engine];
  const fromEnv = process.env[c.env];
  if (fromEnv) {
    return existsSync(fromEnv) ? { path: fromEnv, how: `${c.env}` } : { how: `${c.env}=${fromEnv} does not exist` };
  }
  for (const p of c.paths) if (existsSync(p)) return { path: p, how: 'system package' };
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (existsSync(cache)) {
    for (const dir of readdirSync(cache)
      .filter((d) => c.playwrightDir.test(d))
      .sort()
      .reverse()) {
      for (const bin of c.playwrightBin) {
        const p = join(cache, dir, bin);
        if (existsSync(p)) return { path: p, how: `Playwright browser ${dir}` };
      }
    }
  }
  const hint = engine === 'chromium' ? 'apt-get install chromium' : 'apt-get install firefox-esr';
  return { how: `not found: run "npm run setup" (Debian: ${hint}) or set ${c.env}` };
}
