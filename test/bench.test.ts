/**
 * npm run bench -- --baseline compares the suite with a bare loop of the same client: the loop
 * itself must really visit through its trivial proxy, or the floor it prints means nothing.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

describe('npm run bench -- --baseline (the bare floor)', () => {
  it("curl's bare loop visits through the trivial CONNECT proxy and reports its visits", () => {
    const r = spawnSync('npx', ['tsx', 'scripts/lib/bare-loop.ts', 'curl', '3'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kind: string; visits: number; connects: number; wallMs: number };
    expect(out).to.include({ kind: 'curl', visits: 3, connects: 3 });
    expect(out.wallMs).to.be.a('number');
  });

  it("WebKitGTK's bare loop (a session per visit, as the suite) visits through the proxy", function () {
    this.timeout(120_000);
    if (!existsSync('/usr/bin/WebKitWebDriver') || !existsSync('/usr/bin/xvfb-run')) this.skip();
    const r = spawnSync('npx', ['tsx', 'scripts/lib/bare-loop.ts', 'webkit', '2'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kind: string; visits: number; connects: number };
    expect(out).to.include({ kind: 'webkit', visits: 2 });
    expect(out.connects).to.be.at.least(2);
  });

  it('refuses a kind it has no loop for, and a bad visit count, with one line and exit 3', () => {
    for (const args of [
      ['lynx', '2'],
      ['curl', 'x'],
    ]) {
      const r = spawnSync('npx', ['tsx', 'scripts/lib/bare-loop.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).to.equal(3);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
    }
  });
});
