/**
 * The clients Node users actually put behind proxies: https-proxy-agent / http-proxy-agent with
 * node:https, and undici's ProxyAgent (the dispatcher behind Node's fetch). They run in the
 * worker's process. Credentials go in the proxy URL, which both send pre-emptively.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VisitFailure } from '../evidence/failure';
import { performance } from 'node:perf_hooks';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { HttpProxyAgent } from 'http-proxy-agent';
import { fetch as undiciFetch, ProxyAgent } from 'undici';
import {
  bodyNavigation,
  type Capabilities,
  type ClientDriver,
  type ClientKind,
  type ProxyEndpoint,
  type VisitOutcome,
  type VisitRequest,
} from './client';
import type { NavigationRecord } from '../evidence/record';

const require = createRequire(import.meta.url);
/** A package's version, found from its entry point (some packages do not export package.json). */
function versionOf(pkg: string): string {
  for (let dir = dirname(require.resolve(pkg)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (json.name === pkg) return json.version ?? 'unknown';
    }
  }
  return 'unknown';
}

function proxyUrl(endpoint: ProxyEndpoint, credentials?: { username: string; password: string }): string {
  const auth = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
  return `${endpoint.scheme}://${auth}127.0.0.1:${endpoint.port}`;
}

/** The error and its causes, outermost first, as thrown: the error fact reads its code from them. */
function failureOf(e: unknown): VisitFailure {
  const chain: { name?: string; code?: string | number; message?: string }[] = [];
  for (let x = e as { cause?: unknown } | undefined; x && chain.length < 8; x = x.cause as typeof x) {
    const { name, code, message } = x as { name?: unknown; code?: unknown; message?: unknown };
    chain.push({
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    });
  }
  return { by: 'library', chain };
}

function driverFor(
  kind: ClientKind,
  version: string,
  fetchOnce: (url: string, req: VisitRequest) => Promise<{ status: number; body: string }>,
  config: Record<string, unknown>,
): ClientDriver {
  return {
    info: { name: kind.name, label: kind.label, version, executablePath: `node ${process.version}` },
    launchMs: 0,
    launchConfig: config,
    async visit(req: VisitRequest): Promise<VisitOutcome> {
      const visits: NavigationRecord[] = [];
      for (const [i, url] of req.urls.entries()) {
        req.beginVisit(i + 1);
        const t0 = performance.now();
        // A hard bound around the whole exchange: some agents never settle on a stalled proxy.
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(Object.assign(new Error(`no outcome within ${req.fixture.client.timeoutMs} ms`), { name: 'TimeoutError' })),
            req.fixture.client.timeoutMs + 250,
          );
        });
        const r = await Promise.race([fetchOnce(url, req), bound])
          .finally(() => clearTimeout(timer))
          .then(
            (ok) => ({ ok }),
            (e: unknown) => ({ failure: failureOf(e) }),
          );
        visits.push(
          'ok' in r
            ? bodyNavigation(url, t0, r.ok.body, req.marker, { committed: true, status: r.ok.status })
            : bodyNavigation(url, t0, '', req.marker, { committed: false, failure: r.failure }),
        );
      }
      const navigation = visits.reduce((n, v) => n + v.durationMs, 0);
      return { visits, notes: [], phases: { navigation }, alive: () => true, dispose: async () => {} };
    },
    async close() {},
  };
}

/** What both Node agents can do: a response, no page; one proxy URL, spoken to in HTTP/1.1. */
const AGENT_CAPABILITIES: Capabilities = {
  page: false,
  screenshot: false,
  websocket: false,
  credentials: 'preemptive',
  transports: ['h1', 'h1-tls'],
  transportGaps: {
    h2: 'speaks HTTP/1.1 CONNECT to the proxy, also over TLS (its h1-tls column)',
    list: 'takes one proxy URL, so it has no proxy list',
  },
};

export const httpsProxyAgentClient: ClientKind = {
  name: 'node-agent',
  label: 'Node https-proxy-agent',
  concurrency: 2,
  capabilities: AGENT_CAPABILITIES,
  resolve: () => ({ path: `node ${process.version}`, how: 'npm package' }),
  async start(endpoint) {
    const version = `https-proxy-agent ${versionOf('https-proxy-agent')} / http-proxy-agent ${versionOf('http-proxy-agent')}`;
    return driverFor(
      this,
      version,
      (url, { fixture }) =>
        new Promise((resolve, reject) => {
          const proxy = proxyUrl(endpoint, fixture.client.credentials);
          const tlsToProxy = { ca: endpoint.caPem };
          const isHttps = url.startsWith('https:');
          const agent = isHttps ? new HttpsProxyAgent(proxy, tlsToProxy) : new HttpProxyAgent(proxy, tlsToProxy);
          const mod = isHttps ? https : http;
          // The whole exchange is bounded (a socket timeout alone misses a stalled CONNECT).
          const timer = setTimeout(
            () => req.destroy(Object.assign(new Error(`no response within ${fixture.client.timeoutMs} ms`), { name: 'TimeoutError' })),
            fixture.client.timeoutMs,
          );
          const done = () => {
            clearTimeout(timer);
            agent.destroy();
          };
          const req = mod.get(url, { agent, ca: endpoint.caPem }, (res) => {
            let body = '';
            res.setEncoding('latin1');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => {
              done();
              resolve({ status: res.statusCode ?? 0, body });
            });
            const failed = (e: Error) => {
              done();
              reject(e);
            };
            res.on('error', failed);
            res.on('aborted', () => failed(new Error('response aborted')));
          });
          req.on('error', (e) => {
            done();
            reject(e);
          });
        }),
      { agent: 'HttpsProxyAgent for https:, HttpProxyAgent for http:' },
    );
  },
};

export const undiciClient: ClientKind = {
  name: 'node-undici',
  label: 'Node undici ProxyAgent (fetch)',
  concurrency: 2,
  capabilities: AGENT_CAPABILITIES,
  resolve: () => ({ path: `node ${process.version}`, how: 'npm package' }),
  async start(endpoint) {
    const version = `undici ${versionOf('undici')}`;
    return driverFor(
      this,
      version,
      async (url, { fixture }) => {
        const dispatcher = new ProxyAgent({
          uri: proxyUrl(endpoint, fixture.client.credentials),
          requestTls: { ca: endpoint.caPem },
          proxyTls: { ca: endpoint.caPem },
        });
        try {
          const res = await undiciFetch(url, { dispatcher, signal: AbortSignal.timeout(fixture.client.timeoutMs) });
          return { status: res.status, body: await res.text() };
        } finally {
          // destroy, not close: close waits for requests the proxy may never answer.
          await dispatcher.destroy().catch(() => {});
        }
      },
      { dispatcher: 'undici ProxyAgent', fetch: 'undici fetch' },
    );
  },
};
