/**
 * curl as a reference client: the command-line HTTP client most people test proxies with. Its
 * outcome is its exit code and message (curl: (56) …), the HTTP status and the body; there is no
 * page and no screenshot. Credentials go the way curl users pass them (--proxy-user), which curl
 * sends pre-emptively as Basic.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { bodyNavigation, type ClientDriver, type ClientKind, type ProxyEndpoint, type VisitOutcome, type VisitRequest } from './client';
import type { NavigationRecord } from '../evidence/record';

const run = promisify(execFile);
const CURL = process.env.CURL_PATH || '/usr/bin/curl';
const STATUS_MARK = '\nCC-CURL-STATUS:';

export const curlClient: ClientKind = {
  name: 'curl',
  label: 'curl',
  concurrency: 2,
  capabilities: {
    page: false,
    screenshot: false,
    websocket: false,
    credentials: 'preemptive',
    // With a state folder per case: a cookie jar (-b/-c), an HSTS cache (--hsts) and an Alt-Svc
    // cache (--alt-svc), and -L, as a user scripting several requests would run it. No Refresh
    // (curl reads no HTML), no storage.
    keeps: ['cookies', 'redirects', 'hsts', 'alt-svc'],
    transports: ['h1', 'h1-tls'],
    transportGaps: {
      h2: "Debian 12's curl (7.88) has no --proxy-http2 (curl 8.1 and later): it speaks HTTP/1.1 to an HTTPS proxy, which is its h1-tls column",
      list: 'takes one proxy (-x), so it has no proxy list',
    },
  },
  resolve: () => (existsSync(CURL) ? { path: CURL, how: 'system package' } : { how: 'not found: apt-get install curl, or set CURL_PATH' }),
  async start(endpoint: ProxyEndpoint) {
    const { stdout } = await run(CURL, ['--version']);
    const dir = mkdtempSync(join(tmpdir(), 'cc-curl-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, endpoint.caPem);
    const version = /^curl (\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? 'unknown';
    const proxy = endpoint.url;
    const driver: ClientDriver = {
      info: { name: 'curl', label: 'curl', version, executablePath: CURL },
      launchMs: 0,
      launchConfig: {
        proxy,
        args: ['--proxy', proxy, '--cacert', '<run CA>', ...(endpoint.scheme === 'https' ? ['--proxy-cacert', '<run CA>'] : [])],
        stateArgs:
          'cases that read state across visits: --location --cookie/--cookie-jar <case folder>/cookies.txt --hsts <case folder>/hsts.txt --alt-svc <case folder>/alt-svc.txt',
      },
      async visit({ fixture, urls, beginVisit, marker }: VisitRequest): Promise<VisitOutcome> {
        const visits: NavigationRecord[] = [];
        // A case that reads state across its visits gets a state folder of its own, gone after it.
        const state = fixture.client.cookieJar ? mkdtempSync(join(dir, 'state-')) : undefined;
        const stateArgs = state
          ? [
              '--location',
              '--cookie',
              join(state, 'cookies.txt'),
              '--cookie-jar',
              join(state, 'cookies.txt'),
              '--hsts',
              join(state, 'hsts.txt'),
              '--alt-svc',
              join(state, 'alt-svc.txt'),
            ]
          : [];
        try {
          for (const [i, url] of urls.entries()) {
            beginVisit(i + 1);
            const args = [
              '--silent',
              '--show-error',
              '--max-time',
              String(fixture.client.timeoutMs / 1000),
              '--proxy',
              proxy,
              '--cacert',
              ca,
              '--output',
              '-',
              '--write-out',
              `${STATUS_MARK}%{http_code} %{url_effective}`,
              ...stateArgs,
            ];
            if (endpoint.scheme === 'https') args.push('--proxy-cacert', ca);
            if (fixture.client.credentials)
              args.push('--proxy-user', `${fixture.client.credentials.username}:${fixture.client.credentials.password}`);
            const t0 = performance.now();
            const result = await run(CURL, [...args, url], { encoding: 'latin1', maxBuffer: 16 * 1024 * 1024 }).then(
              (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
              (e: { code?: number; stdout?: string; stderr?: string }) => ({
                code: e.code ?? -1,
                stdout: e.stdout ?? '',
                stderr: e.stderr ?? '',
              }),
            );
            const cut = result.stdout.lastIndexOf(STATUS_MARK);
            const body = cut >= 0 ? result.stdout.slice(0, cut) : result.stdout;
            const [code, effective] = cut >= 0 ? result.stdout.slice(cut + STATUS_MARK.length).split(' ') : [];
            const status = Number(code ?? 0) || 0;
            const failure =
              result.code === 0 ? undefined : { by: 'exit' as const, program: 'curl', exitCode: result.code, stderr: result.stderr };
            visits.push(
              bodyNavigation(url, t0, body, marker, {
                committed: result.code === 0 && status > 0,
                ...(status > 0 ? { status } : {}),
                ...(failure ? { failure } : {}),
              }),
            );
            // Where -L ended: a followed Location is where the visit ended, as a browser's final URL.
            if (state && effective && effective !== url) visits[visits.length - 1]!.finalUrl = effective;
          }
        } finally {
          if (state) rmSync(state, { recursive: true, force: true });
        }
        const navigation = visits.reduce((n, v) => n + v.durationMs, 0);
        return { visits, notes: [], phases: { navigation }, alive: () => true, dispose: async () => {} };
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return driver;
  },
};
