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
      },
      async visit({ fixture, urls, beginVisit, marker }: VisitRequest): Promise<VisitOutcome> {
        const visits: NavigationRecord[] = [];
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
            `${STATUS_MARK}%{http_code}`,
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
          const status = cut >= 0 ? Number(result.stdout.slice(cut + STATUS_MARK.length)) : 0;
          const failure =
            result.code === 0 ? undefined : { by: 'exit' as const, program: 'curl', exitCode: result.code, stderr: result.stderr };
          visits.push(
            bodyNavigation(url, t0, body, marker, {
              committed: result.code === 0 && status > 0,
              ...(status > 0 ? { status } : {}),
              ...(failure ? { failure } : {}),
            }),
          );
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
