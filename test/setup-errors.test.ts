/**
 * A set-up problem the user must fix (an invalid or unreadable fixture, a missing browser, a port
 * in use) is one clear message naming what and where, never a stack trace, and the exit code says
 * which kind of failure it was.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../harness/cases/load';
import { MockProxy } from '../harness/proxy/mock-proxy';
import { Lab, proxyPortFor } from '../harness/runner/lab';
import { CLIENTS } from '../harness/clients/registry';

const STACK_FRAME = /^\s+at .+[:(]/m;

function runSuite(args: string[], env: Record<string, string>) {
  const r = spawnSync('npx', ['tsx', 'scripts/run-suite.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return {
    status: r.status,
    output: (r.stdout + r.stderr)
      .split('\n')
      .filter((l) => !l.startsWith('npm warn'))
      .join('\n'),
  };
}

async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('set-up problems: a clear message, not a stack', function () {
  this.timeout(120_000);
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), 'cc-setup-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('an invalid and an unreadable fixture: exit 3 before any browser starts, naming file, field and reason', () => {
    const dir = join(scratch, 'fixtures', 'mine');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES_DIR, '2xx/baseline-200.json'), join(dir, 'baseline-200.json'));
    const bad = JSON.parse(readFileSync(join(FIXTURES_DIR, '2xx/baseline-200.json'), 'utf8'));
    bad.proxy.exchanges[0] = { steps: [{ do: 'shout' }] };
    writeFileSync(join(dir, 'bad-step.json'), JSON.stringify(bad));
    symlinkSync(join(scratch, 'nowhere.json'), join(dir, 'dangling.json'));
    const { status, output } = runSuite([], { CC_FIXTURES_DIR: join(scratch, 'fixtures'), CC_REPORTS_DIR: join(scratch, 'reports') });
    expect(status).to.equal(3);
    expect(output).to.contain('fixtures/mine/bad-step.json');
    expect(output).to.contain('proxy.exchanges[0].steps[0].do');
    expect(output).to.match(/fixtures\/mine\/dangling\.json[\s\S]*unreadable: ENOENT/);
    expect(output).to.contain('exit 3: nothing ran');
    expect(output).not.to.match(STACK_FRAME);
  });

  it('a missing browser in CI: exit 3 naming the browser and how to get it', () => {
    const { status, output } = runSuite(['--project=chromium'], {
      CI: 'true',
      CHROMIUM_PATH: join(scratch, 'no-chromium'),
      CC_REPORTS_DIR: join(scratch, 'reports'),
    });
    expect(status).to.equal(3);
    expect(output).to.contain(`Chromium is not available: CHROMIUM_PATH=${join(scratch, 'no-chromium')} does not exist`);
    expect(output).not.to.match(STACK_FRAME);
  });

  it('a proxy port in use: the proxy says so, the lab leaves nothing listening, and a run reports a harness error (exit 2)', async function () {
    const taken = await occupiedPort();
    try {
      const proxy = new MockProxy({ connect: () => Promise.reject(new Error('never')) });
      let error: Error | undefined;
      await proxy.listen(taken.port).catch((e: Error) => (error = e));
      expect(error?.message).to.equal(`the mock proxy cannot listen on 127.0.0.1:${taken.port}: the port is in use by another process`);
      await proxy.close();

      expect(() => proxyPortFor(0, 'eighty')).to.throw('CC_PROXY_PORT="eighty" is not a port number');
      const curl = CLIENTS.curl!;
      if (!curl.resolve().path) this.skip();
      const { status, output } = runSuite(['--project=curl', '-g', 'baseline-200$'], {
        CC_PROXY_PORT: String(taken.port),
        CC_WORKERS: '1',
        CC_REPORTS_DIR: join(scratch, 'reports'),
      });
      expect(status).to.equal(2);
      expect(output).to.contain(
        `SetupError: curl over h1: the mock proxy cannot listen on 127.0.0.1:${taken.port}: the port is in use by another process`,
      );
      expect(output).not.to.match(STACK_FRAME);
      // The origin the failed lab had started is closed again: a Lab.start that fails leaks nothing.
      await Lab.start(curl, 'h1', { proxyPort: taken.port }).then(
        (lab) => lab.close().then(() => expect.fail('the lab started on a taken port')),
        (e: Error) => expect(e.message).to.contain('in use'),
      );
    } finally {
      await taken.close();
    }
  });
});
