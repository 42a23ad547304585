/**
 * Runs one fixture in one client and returns the raw record. Everything the browser does is an
 * observation (including navigation errors and timeouts within the fixture's bound); only failures
 * of the harness itself throw, as HarnessError.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Page } from '@playwright/test';
import type { CaseContext, Lab } from './lab';
import type { LoadedFixture } from '../cases/load';
import type { Step } from '../cases/schema';
import { normaliseNavigationError } from './navigation-error';
import { PROXY_BODY_MARKER, type CaseRecord, type NavigationRecord } from '../observe/record';

export class HarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}

/** The longest a script can legitimately keep a case busy: its declared waits and holds. */
export function declaredWaitMs(fixture: LoadedFixture): number {
  const stepMs = (s: Step) => (s.do === 'wait' || s.do === 'hold' ? s.ms : s.do === 'send' ? (s.gapMs ?? 0) * ((s.segments?.length ?? 1) - 1) : 0);
  return fixture.proxy.exchanges.reduce((sum, ex) => sum + ex.steps.reduce((a, s) => a + stepMs(s), 0), 0);
}

async function guarded<T>(what: string, p: Promise<T>, ms: number, notes: string[]): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } catch (e) {
    notes.push(`${what} failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function describePage(page: Page, marker: string, notes: string[]): Promise<Pick<NavigationRecord, 'finalUrl' | 'title' | 'text' | 'originMarkerFound' | 'proxyMarkerFound'>> {
  const finalUrl = page.url();
  const title = (await guarded('reading the title', page.title(), 3000, notes)) ?? '';
  const html = (await guarded('reading the page', page.content(), 3000, notes)) ?? '';
  const text = (await guarded('reading the text', page.evaluate(() => document.body?.innerText ?? ''), 3000, notes)) ?? '';
  return {
    finalUrl,
    title,
    text: text.slice(0, 2000),
    originMarkerFound: html.includes(marker),
    proxyMarkerFound: [html, title, finalUrl].some((s) => s.includes(PROXY_BODY_MARKER)),
  };
}

export interface RunOptions {
  screenshotPath?: string;
}

export async function runCase(lab: Lab, fixture: LoadedFixture, options: RunOptions = {}): Promise<CaseRecord> {
  if (!lab.client) throw new HarnessError('the lab has no browser open');
  const nonce = randomBytes(4).toString('hex');
  const host = `${fixture.id}-${nonce}.connect.test`;
  const marker = `origin-marker-${randomBytes(8).toString('hex')}`;
  const notes: string[] = [];
  const strayStart = lab.proxy.strays.length;
  const session = lab.proxy.openCase(host, fixture.proxy, { host });
  lab.origin.register(host, {
    marker,
    close: fixture.origin.connection === 'close',
    protocol: fixture.origin.protocol,
    connectProtocol: fixture.origin.connectProtocol,
    page: fixture.origin.page,
    ...(fixture.origin.upgradeHeader ? { upgradeHeader: fixture.origin.upgradeHeader } : {}),
  });
  const t0 = session.startedAbs;
  const rel = (at: number) => Math.round((at - t0) * 10) / 10;

  // Credentials are browser-wide state in Firefox (a proxy identity is then sent pre-emptively
  // on every later CONNECT), so a case with credentials gets a browser of its own.
  const isolated = !!fixture.client.credentials;
  if (isolated) notes.push('ran in a browser of its own (credentials are browser-wide state)');

  let navigation: NavigationRecord | undefined;
  const visits: NavigationRecord[] = [];
  let screenshot: string | undefined;
  let contextClosedAt = 0;
  let settledAt = 0;
  let caseContext: CaseContext | undefined;
  try {
    caseContext = await lab
      .caseContext(fixture.client.credentials ? { httpCredentials: fixture.client.credentials } : {}, isolated)
      .catch((e: Error) => {
        throw new HarnessError(`creating a browser context failed: ${e.message}`, { cause: e });
      });
    const { context, alive } = caseContext;
    try {
      const page = await context.newPage();
      const url = fixture.client.url.replaceAll('{host}', host);
      for (let visit = 1; visit <= fixture.client.visits; visit++) {
        const navStart = performance.now();
        let committed = false;
        let status: number | undefined;
        let error: NavigationRecord['error'];
        try {
          const response = await page.goto(url, { timeout: fixture.client.timeoutMs, waitUntil: 'load' });
          committed = true;
          status = response?.status();
        } catch (e) {
          if (!alive()) throw new HarnessError(`the browser went away during navigation: ${(e as Error).message}`, { cause: e });
          error = normaliseNavigationError(e);
        }
        let probe: string | undefined;
        if (fixture.client.action === 'websocket' && committed) {
          // The page reports its WebSocket echo in #ws-result; waiting is bounded like the navigation.
          probe = await page
            .waitForFunction(() => { const t = document.getElementById('ws-result')?.textContent; return t && t !== 'pending' ? t : undefined; }, undefined, { timeout: fixture.client.timeoutMs })
            .then((h) => h.jsonValue() as Promise<string>)
            .catch(() => 'no result within the bound');
        }
        const durationMs = Math.round(performance.now() - navStart);
        const seen = await describePage(page, marker, notes);
        navigation = { url, committed, ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}), ...(probe ? { probe } : {}), durationMs, ...seen };
        visits.push(navigation);
      }
      // The screenshot and the wait for the wire to go quiet overlap: neither needs the other.
      const shot = options.screenshotPath
        ? guarded('the screenshot', page.screenshot({ path: options.screenshotPath, timeout: 5000 }), 7000, notes)
        : Promise.resolve(undefined);
      await Promise.all([shot, session.settled(fixture.proxy.settleMs, declaredWaitMs(fixture) + fixture.proxy.settleMs + 3000)]);
      if (options.screenshotPath && (await shot)) screenshot = options.screenshotPath;
      settledAt = rel(performance.now());
    } finally {
      contextClosedAt = rel(performance.now());
      await guarded('closing the context', caseContext.dispose(), 10_000, notes);
    }
  } finally {
    lab.proxy.closeCase(session);
    lab.origin.unregister(host);
  }

  const connections = session.traces();
  const origin = lab.origin
    .take(connections.flatMap((c) => (c.originPort !== undefined ? [c.originPort] : [])))
    .map(({ at, ...e }) => ({ ...e, t: rel(at) }))
    .sort((a, b) => a.t - b.t);

  return {
    caseId: fixture.id,
    fixtureFile: fixture.file,
    host,
    marker,
    client: lab.client,
    startedAt: session.startedAt,
    ...(fixture.client.credentials ? { credentials: fixture.client.credentials } : {}),
    ...(navigation ? { navigation } : {}),
    ...(visits.length > 1 ? { visits } : {}),
    ...(screenshot ? { screenshot } : {}),
    connections,
    origin,
    harness: { contextClosedAt, settledAt, durationMs: Math.round(performance.now() - t0), notes, strays: lab.proxy.strays.slice(strayStart) },
  };
}
