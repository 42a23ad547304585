/**
 * The floor for `npm run bench -- --baseline`: the same client doing N visits through a trivial
 * CONNECT proxy with none of the suite's machinery (no scripted proxy, no evidence, no facts).
 *
 *   tsx scripts/lib/bare-loop.ts <chromium|firefox|webkit|curl> <visits> [<at once>]
 *
 * <at once> (default 1) loops run side by side, each with a browser of its own (curl: its own
 * sequence of commands), the visits split between them: as many as the suite's project ran cases
 * at once, so both sides pay for the same number of browsers.
 *
 * Playwright engines: one launch with the suite's own launch options for that engine, then per
 * visit a context, a page, goto https://bare-N.connect.test/ through the proxy, a screenshot as the
 * suite stores it, and close. WebKitGTK: the suite's WebKitWebDriver under xvfb-run, then per visit
 * what the suite uses to keep cases apart, a session (a fresh MiniBrowser), the navigation, the
 * PNG screenshot, and the session's end. curl: the bare command per visit. The proxy answers every CONNECT
 * with 200 and pipes to an in-process TLS origin serving one small page. Prints one JSON line; the
 * parent measures this process's CPU (its own and its reaped children's: the browser's).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTrivialProxy } from './trivial-proxy';
import { chromiumEngine } from '../../harness/clients/chromium';
import { firefoxEngine } from '../../harness/clients/firefox';
import { resolveExecutable } from '../../harness/clients/executables';
import { pngPath, SCREENSHOT_FILE, screenshotOptions } from '../../harness/clients/screenshot';
import { startWebKitDriver, stopWebKitDriver, wd } from '../../harness/clients/webkit';
import type { Engine, LaunchSetup } from '../../harness/clients/engine';

const [kind, visitsArg, atOnceArg = '1'] = process.argv.slice(2);
const visits = Number(visitsArg);
const atOnce = Number(atOnceArg);
const run = promisify(execFile);
const KINDS = ['chromium', 'firefox', 'webkit', 'curl'];
if (!kind || !KINDS.includes(kind) || !Number.isInteger(visits) || visits < 1 || !Number.isInteger(atOnce) || atOnce < 1) {
  console.error(`usage: tsx scripts/lib/bare-loop.ts <${KINDS.join('|')}> <visits> [<at once>] (a bare loop exists for these kinds only)`);
  process.exit(3);
}

const { proxyUrl, ca, connects, close } = await startTrivialProxy();
const dir = mkdtempSync(join(tmpdir(), 'cc-bare-'));

/** The visit numbers of loop `n` of `atOnce`. */
const share = (n: number) => Array.from({ length: visits }, (_, i) => i).filter((i) => i % atOnce === n);

async function playwrightLoop(engine: Engine, mine: number[]): Promise<void> {
  const exe = resolveExecutable(engine.name);
  if (!exe.path) throw new Error(`${engine.label} is not available: ${exe.how}`);
  const setup = { executablePath: exe.path, proxyUrl, spki: ca.leafSpkiSha256, caPem: ca.caPem };
  if (engine.persistent?.(setup)) return persistentLoop(engine, setup, mine);
  const browser = await engine.launch(engine.launchOptions(setup));
  for (const i of mine) {
    const shot = join(dir, `${i}-${SCREENSHOT_FILE}`);
    const context = await browser.newContext(engine.contextOptions);
    const p = await context.newPage();
    await p.goto(`https://bare-${i}.connect.test/`, { timeout: 30_000 });
    await p.screenshot({ path: shot, ...screenshotOptions(shot) });
    await context.close();
  }
  await browser.close();
}

/** As the suite drives an engine that needs a persistent context (Firefox: the CA lives in its profile): a page per visit, cookies cleared after. */
async function persistentLoop(engine: Engine, setup: LaunchSetup, mine: number[]): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'cc-bare-profile-'));
  engine.prepareProfile?.(profile, setup);
  const context = await engine.launchPersistent!(profile, { ...engine.launchOptions(setup), ...engine.contextOptions });
  for (const i of mine) {
    const shot = join(dir, `${i}-${SCREENSHOT_FILE}`);
    const p = await context.newPage();
    await p.goto(`https://bare-${i}.connect.test/`, { timeout: 30_000 });
    await p.screenshot({ path: shot, ...screenshotOptions(shot) });
    await p.close();
    await context.clearCookies();
  }
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

async function webkitLoop(mine: number[]): Promise<void> {
  const { base, capabilities, proc } = await startWebKitDriver(proxyUrl);
  for (const i of mine) {
    const shot = pngPath(join(dir, `${i}-${SCREENSHOT_FILE}`));
    const { sessionId } = await wd<{ sessionId: string }>(base, 'POST', '/session', { capabilities });
    const s = `/session/${sessionId}`;
    await wd(base, 'POST', `${s}/url`, { url: `https://bare-${i}.connect.test/` });
    writeFileSync(shot, Buffer.from(await wd<string>(base, 'GET', `${s}/screenshot`), 'base64'));
    await wd(base, 'DELETE', s);
  }
  await stopWebKitDriver(proc);
}

const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, ca.caPem);

async function curlLoop(mine: number[]): Promise<void> {
  // Asynchronous: the proxy and the origin serve from this process's event loop.
  for (const i of mine)
    await run('curl', ['-sS', '-o', '/dev/null', '--proxy', proxyUrl, '--cacert', caFile, `https://bare-${i}.connect.test/`]);
}

const loop = (mine: number[]) =>
  kind === 'chromium'
    ? playwrightLoop(chromiumEngine, mine)
    : kind === 'firefox'
      ? playwrightLoop(firefoxEngine, mine)
      : kind === 'webkit'
        ? webkitLoop(mine)
        : curlLoop(mine);
const t0 = performance.now();
await Promise.all(Array.from({ length: atOnce }, (_, n) => loop(share(n))));
const wallMs = performance.now() - t0;
close();
// The CONNECTs the proxy answered: proof the loop really went through it.
console.log(JSON.stringify({ kind, visits, atOnce, connects: connects.length, wallMs: Math.round(wallMs) }));
process.exit(0);
