/**
 * WebKitGTK, the third engine: MiniBrowser driven by WebKitWebDriver (W3C WebDriver over HTTP)
 * under Xvfb. The W3C proxy capability is ignored by WebKitGTK, so the proxy goes in
 * MiniBrowser's --proxy argument (see platform-notes.md). A WebDriver session (a fresh MiniBrowser)
 * per case keeps cases apart. WebKitGTK has no automation hook for proxy credentials: cases that
 * need them are "unsupported".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { NavigationRecord } from '../evidence/record';
import { pageFields, READ_PAGE_EXPRESSION, WS_NO_RESULT, WS_RESULT_EXPRESSION, type PageRead } from './page-observation';
import type { ClientDriver, ClientKind, ProxyEndpoint, VisitOutcome, VisitRequest } from './client';
import { PhaseClock } from '../evidence/phases';
import { pngPath } from './screenshot';
import { childPids, signalAll } from './processes';
import { TIMED_OUT, within, HarnessBoundError } from '../vocabulary/harness-errors';

const DRIVER = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB_RUN = '/usr/bin/xvfb-run';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

class WebDriverError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export async function wd<T>(base: string, method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((e: Error) => {
    // WebKitWebDriver did not answer in time: a harness bound (hung, or starved of CPU), never the page's outcome.
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new HarnessBoundError(`WebKitWebDriver did not answer ${method} ${path} within ${timeoutMs} ms`, timeoutMs);
    throw e;
  });
  const json = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok || (json.value && typeof json.value === 'object' && 'error' in json.value && json.value.error)) {
    throw new WebDriverError(String(json.value?.error ?? res.status), String(json.value?.message ?? res.statusText));
  }
  return json.value;
}

/** The URL the page ended at and what the shared in-page script read; each read is bounded, since a page still loading blocks them. */
async function readPage(base: string, s: string, boundMs: number): Promise<[string, Partial<PageRead> | undefined]> {
  const read = <T = string>(method: string, path: string, body?: unknown) =>
    wd<T>(base, method, `${s}${path}`, body, boundMs).catch(() => undefined);
  const [finalUrl, page] = await Promise.all([
    read('GET', '/url'),
    read<Partial<PageRead>>('POST', '/execute/sync', { script: `return ${READ_PAGE_EXPRESSION};`, args: [] }),
  ]);
  return [finalUrl ?? '', page ?? undefined];
}

/**
 * After a load, for a Refresh (as the Playwright clients do, with what WebDriver can see): poll the
 * page's URL for up to dwellMs for it to move away from the URL visited and the one loaded; one that
 * moved is then waited for until its document is complete (the navigation's own bound), so a
 * Refresh that fires late on a loaded machine is still this visit's. None within dwellMs: the page
 * stays (a load under way is still let finish). Each WebDriver call is bounded: a page loading
 * blocks some of them.
 */
async function dwell(base: string, s: string, url: string, client: { dwellMs?: number; timeoutMs: number }): Promise<void> {
  const call = <T>(method: string, path: string, body?: unknown) => wd<T>(base, method, `${s}${path}`, body, 3000).catch(() => undefined);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const loaded = await call<string>('GET', '/url');
  const deadline = performance.now() + (client.dwellMs ?? 0);
  let moved = false;
  while (!moved && performance.now() < deadline) {
    const now = await call<string>('GET', '/url');
    moved = !!now && now !== url && now !== loaded;
    if (!moved) await pause(25);
  }
  const until = performance.now() + client.timeoutMs;
  for (;;) {
    const state = await call<string>('POST', '/execute/sync', { script: 'return document.readyState;', args: [] });
    if (state === 'complete' || performance.now() >= until) return;
    await pause(50);
  }
}

/**
 * WebKitWebDriver under xvfb-run with MiniBrowser's capabilities for a proxy; one throwaway session
 * learns the version (and fails early if the browser cannot start). Each case then opens a session
 * of its own: a fresh MiniBrowser. Shared by the client and the bare loop of npm run bench.
 */
export async function startWebKitDriver(proxy: string) {
  const port = await freePort();
  const t0 = performance.now();
  // xvfb-run gives the browser a display; -a picks a free one so workers do not clash.
  const proc: ChildProcess = spawn(XVFB_RUN, ['-a', '-s', '-screen 0 1280x1024x24', DRIVER, `--port=${port}`], {
    stdio: 'ignore',
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await wd(base, 'GET', '/status', undefined, 1000);
      break;
    } catch {
      if (i > 100 || proc.exitCode !== null) throw new Error(`WebKitWebDriver did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const capabilities = {
    alwaysMatch: {
      browserName: 'MiniBrowser',
      acceptInsecureCerts: true,
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', `--proxy=${proxy}`] },
    },
  };
  const probe = await wd<{ sessionId: string; capabilities: { browserVersion?: string } }>(base, 'POST', '/session', { capabilities });
  await wd(base, 'DELETE', `/session/${probe.sessionId}`).catch(() => {});
  return { base, capabilities, proc, version: probe.capabilities.browserVersion ?? 'unknown', launchMs: performance.now() - t0 };
}

/**
 * Ends the driver, then xvfb: the driver alone first, so xvfb-run sees its command end, stops Xvfb
 * and exits, every process reaped by its parent (their CPU then counts in this process's children,
 * as npm run bench reads it); the whole process group if that takes more than 3 s.
 */
export async function stopWebKitDriver(proc: ChildProcess): Promise<void> {
  if (!proc.pid || proc.exitCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  signalAll([...childPids(proc.pid)], 'SIGTERM');
  if ((await within(exited, 3000)) !== TIMED_OUT) return;
  try {
    process.kill(-proc.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

export const webkitClient: ClientKind = {
  name: 'webkit',
  label: 'WebKitGTK MiniBrowser',
  concurrency: 2,
  optionalInCi: true,
  capabilities: {
    page: true,
    screenshot: true,
    websocket: true,
    credentials: 'none',
    transports: ['h1'],
    transportGaps: {
      'h1-tls': 'the driver gives MiniBrowser one http:// proxy (--proxy): an HTTPS proxy is not measured yet',
      h2: 'the driver gives MiniBrowser one http:// proxy (--proxy): an HTTPS proxy is not measured yet',
      list: 'the driver gives MiniBrowser one http:// proxy (--proxy): a PAC list is not measured yet',
    },
  },
  resolve: () => {
    const missing = [DRIVER, MINIBROWSER, XVFB_RUN].filter((p) => !existsSync(p));
    return missing.length
      ? { how: `not found: ${missing.join(', ')} (npm run setup installs webkit2gtk-driver and xvfb on Debian)` }
      : { path: DRIVER, how: 'system package' };
  },
  async start(endpoint: ProxyEndpoint) {
    const { base, capabilities, proc, version, launchMs } = await startWebKitDriver(endpoint.url);
    const driver: ClientDriver = {
      info: {
        name: 'webkit',
        label: 'WebKitGTK MiniBrowser',
        version,
        executablePath: MINIBROWSER,
      },
      launchMs,
      launchConfig: { driver: DRIVER, display: 'xvfb-run -a', capabilities },
      async visit({ fixture, urls, beginVisit, marker, screenshotPath }: VisitRequest): Promise<VisitOutcome> {
        const notes: string[] = [];
        const clock = new PhaseClock();
        const { sessionId } = await clock.time('context', wd<{ sessionId: string }>(base, 'POST', '/session', { capabilities }));
        const s = `/session/${sessionId}`;
        const dispose = async () => void (await wd(base, 'DELETE', s).catch(() => {}));
        try {
          await clock.time(
            'context',
            wd(base, 'POST', `${s}/timeouts`, { pageLoad: fixture.client.timeoutMs, script: fixture.client.timeoutMs }),
          );
          const visits: NavigationRecord[] = [];
          let stillLoading = false;
          for (const [i, url] of urls.entries()) {
            beginVisit(i + 1);
            const navStart = performance.now();
            let failure: NavigationRecord['failure'];
            try {
              await clock.time('navigation', wd(base, 'POST', `${s}/url`, { url }, fixture.client.timeoutMs + 2000));
            } catch (e) {
              if (e instanceof HarnessBoundError) throw e;
              const err = e as WebDriverError;
              failure = { by: 'webdriver', error: err.error ?? '', message: err.message };
            }
            if (fixture.client.dwellMs && !failure) await clock.time('dwell', dwell(base, s, url, fixture.client));
            let probe: string | undefined;
            if (fixture.client.action === 'websocket' && !failure) {
              probe = await clock.time('probe', () =>
                wd<string>(base, 'POST', `${s}/execute/async`, {
                  script: `const done = arguments[0]; const t = setInterval(() => { const v = ${WS_RESULT_EXPRESSION}; if (v) { clearInterval(t); done(v); } }, 50);`,
                  args: [],
                }).catch(() => WS_NO_RESULT),
              );
            }
            // A page still "loading" (a proxy that never answers) blocks these calls: bound each.
            // After a timed-out load every read waits for it: a short bound then, the page is not there.
            stillLoading = failure?.by === 'webdriver' && failure.error === 'timeout';
            const [finalUrl, read] = await clock.time('page read', readPage(base, s, stillLoading ? 1500 : 3000));
            const fields = pageFields(finalUrl, read, marker);
            // WebDriver reports a refused load as success while the page stays put: whether a
            // response was committed at the URL is decided by the origin's marker there.
            const committed = !failure && finalUrl === url && fields.originMarkerFound;
            visits.push({
              url,
              committed,
              ...(failure ? { failure } : !committed ? { failure: { by: 'page absent' as const, finalUrl } } : {}),
              ...(probe ? { probe } : {}),
              ...fields,
              durationMs: Math.round(performance.now() - navStart),
            });
          }
          let screenshot: string | undefined;
          if (screenshotPath) {
            const png = await clock.time('screenshot', () =>
              wd<string>(base, 'GET', `${s}/screenshot`, undefined, stillLoading ? 1500 : 5000).catch((e: Error) => {
                notes.push(`screenshot failed: ${e.message}`);
                return undefined;
              }),
            );
            if (png) {
              // WebDriver's screenshot is PNG only (no encoder here to make it JPEG): the file says so.
              const path = pngPath(screenshotPath);
              mkdirSync(dirname(path), { recursive: true });
              writeFileSync(path, Buffer.from(png, 'base64'));
              screenshot = path;
            }
          }
          return {
            visits,
            ...(screenshot ? { screenshot } : {}),
            notes,
            phases: clock.times,
            alive: () => proc.exitCode === null,
            dispose,
          };
        } catch (e) {
          await dispose();
          throw e;
        }
      },
      close: () => stopWebKitDriver(proc),
    };
    return driver;
  },
};
