/**
 * npm run serve: one case on a fixed port, driven by a client the suite does not run. A curl line
 * and a Chromium command line, exactly as printed, reach the origin through the proxy, and serve
 * then prints the wire, the facts and the verdicts; bad arguments and a port in use exit 3 with
 * one line.
 */
import { expect } from 'chai';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { resolveExecutable } from '../harness/clients/executables';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts serve and resolves with the printed instructions once they are out. */
function serve(args: string[]): {
  child: ChildProcess;
  output: () => string;
  printed: Promise<Record<string, string>>;
  exit: Promise<number>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  const printed = new Promise<Record<string, string>>((resolve, reject) => {
    const poll = setInterval(() => {
      const lines = Object.fromEntries([...text.matchAll(/^ {2}(\w+): +(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      if (lines.chromium) {
        clearInterval(poll);
        resolve(lines);
      }
    }, 50);
    void exit.then(() => {
      clearInterval(poll);
      reject(new Error(`serve exited early:\n${text}`));
    });
  });
  return { child, output: () => text, printed, exit };
}

describe('npm run serve (reproduce a cell by hand)', function () {
  this.timeout(90_000);

  it('curl, as printed, gets the page through the proxy; serve prints the wire, facts and verdicts', async () => {
    const s = serve(['baseline-200', '--port', String(await freePort()), '--visits', '1']);
    const printed = await s.printed;
    expect(printed.target).to.match(/^https:\/\/baseline-200-[0-9a-f]+\.connect\.test\/$/);
    const { stdout } = await run('/bin/sh', ['-c', printed.curl!]);
    expect(stdout).to.contain('Tunnel established');
    expect(await s.exit).to.equal(0);
    const text = s.output();
    expect(text).to.match(/client → proxy +\d+ bytes: CONNECT baseline-200-[0-9a-f]+\.connect\.test:443 HTTP\/1\.1/);
    expect(text).to.contain('-- visit 1 ended');
    expect(text).to.contain('resp-2xx-tunnel (MUST)');
    expect(text).to.match(/\* origin-tls +completed/);
    expect(text).to.match(/request-line +CONNECT \{host\}:443 HTTP\/1\.1/);
  });

  it('Chromium, with the printed flags, loads the page through the HTTPS proxy (h2)', async function () {
    const chromium = resolveExecutable('chromium').path;
    if (!chromium) this.skip();
    const s = serve(['baseline-200', '--transport', 'h2', '--port', String(await freePort()), '--visits', '1']);
    const printed = await s.printed;
    // The printed line, with the executable resolved and headless output of the DOM.
    const line = printed.chromium!.replace(/^chromium /, `${chromium} --headless --no-sandbox --disable-gpu --dump-dom `);
    const { stdout } = await run('/bin/sh', ['-c', line], { timeout: 60_000 });
    expect(stdout).to.contain('origin-marker');
    expect(await s.exit).to.equal(0);
    expect(s.output()).to.match(/request #1: CONNECT baseline-200-[0-9a-f]+\.connect\.test:443 HTTP\/2/);
  });

  it('an unknown case, a bad option and a port in use: one clear line each, exit 3', async () => {
    const unknown = serve(['no-such-case']);
    expect(await unknown.exit).to.equal(3);
    expect(unknown.output()).to.contain('no case "no-such-case"');
    const badTransport = serve(['baseline-200', '--transport', 'h3']);
    expect(await badTransport.exit).to.equal(3);
    expect(badTransport.output()).to.contain('no transport "h3"');
    const held = net.createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const busy = serve(['baseline-200', '--port', String((held.address() as net.AddressInfo).port)]);
    expect(await busy.exit).to.equal(3);
    expect(busy.output()).to.contain('the port is in use');
    held.close();
  });
});
