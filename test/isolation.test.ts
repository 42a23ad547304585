/**
 * That cases can share one browser is measured, not assumed: a cookie an origin sets for
 * the parent domain (Domain=connect.test, as the consequence matrix's positive controls do) stays in
 * its browser context; another context of the same browser, the next case's, does not send it. The
 * control: the same context carries the cookie to another host, so "not sent" could have been seen.
 * Where cases share one persistent context (Firefox behind an HTTPS proxy), the harness clears its
 * cookies after every case instead (browser-lifecycle.ts caseContext): measured below, with the
 * same control.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumEngine } from '../harness/clients/chromium';
import { firefoxEngine } from '../harness/clients/firefox';
import { resolveExecutable } from '../harness/clients/executables';
import { startTrivialProxy, type TrivialProxy } from '../scripts/lib/trivial-proxy';

/** A stage whose /set answer sets a cookie for the whole connect.test domain. */
const parentCookieStage = () =>
  startTrivialProxy((r) =>
    r.path === '/set' ? ['Set-Cookie: cc-iso=1; Domain=connect.test; Path=/; Secure; SameSite=None; Max-Age=600'] : [],
  );

/** /control (same state as /set) must carry the cookie, or "not sent" on /other could not have been seen. */
function expectKeptApart(stage: TrivialProxy, control: string, other: string): void {
  const req = (path: string) => stage.requests.find((r) => r.path === path);
  expect(req('/control')?.cookie ?? '', `the control: ${control} sends the cookie`).to.include('cc-iso=1');
  expect(req('/other'), `${other} reached the origin`).to.not.equal(undefined);
  expect(req('/other')?.cookie ?? '', `${other} sent the cookie`).to.not.include('cc-iso=1');
}

describe('what a browser context keeps to itself (and so why cases share one browser)', () => {
  for (const engine of [chromiumEngine, firefoxEngine]) {
    it(`${engine.label}: a Domain=connect.test cookie set in one context is not sent from another context of the same browser`, async function () {
      this.timeout(120_000);
      const exe = resolveExecutable(engine.name);
      if (!exe.path) this.skip();
      const stage = await parentCookieStage();
      const browser = await engine.launch(
        engine.launchOptions({ executablePath: exe.path!, proxyUrl: stage.proxyUrl, spki: stage.ca.leafSpkiSha256, caPem: stage.ca.caPem }),
      );
      // Contexts of a launched browser cannot trust the run's CA without an override (Firefox's
      // lives in a profile made before the launch): this property of contexts is measured with one.
      const options = { ...engine.contextOptions, ignoreHTTPSErrors: true };
      try {
        const first = await browser.newContext(options);
        const page = await first.newPage();
        await page.goto('https://iso-a.connect.test/set');
        await page.goto('https://iso-c.connect.test/control');
        await first.close();
        const second = await browser.newContext(options);
        await (await second.newPage()).goto('https://iso-b.connect.test/other');
        expectKeptApart(stage, 'the same context, to another host,', 'the next context');
      } finally {
        await browser.close();
        stage.close();
      }
    });
  }

  it('Firefox: in one persistent context, clearing its cookies after a case keeps a Domain=connect.test cookie from the next page', async function () {
    this.timeout(120_000);
    const exe = resolveExecutable('firefox');
    if (!exe.path) this.skip();
    const stage = await parentCookieStage();
    const dir = mkdtempSync(join(tmpdir(), 'cc-iso-'));
    const setup = { executablePath: exe.path!, proxyUrl: stage.proxyUrl, spki: stage.ca.leafSpkiSha256, caPem: stage.ca.caPem };
    firefoxEngine.prepareProfile!(dir, setup);
    const context = await firefoxEngine.launchPersistent!(dir, {
      ...firefoxEngine.launchOptions(setup),
      ...firefoxEngine.contextOptions,
    });
    try {
      const visit = async (url: string) => {
        const page = await context.newPage();
        await page.goto(url);
        await page.close();
      };
      await visit('https://iso-a.connect.test/set');
      await visit('https://iso-c.connect.test/control');
      await context.clearCookies();
      await visit('https://iso-b.connect.test/other');
      expectKeptApart(stage, 'a later page of the same context', 'the page after the clearing');
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      stage.close();
    }
  });
});
