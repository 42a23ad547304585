/**
 * npm run bench -- --baseline compares the suite with a bare loop of the same client: the loop
 * itself must really visit through its trivial proxy, or the floor it prints means nothing.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

describe('npm run bench -- --baseline (the bare floor)', () => {
  it("curl's bare loop visits through the trivial CONNECT proxy and reports its visits", () => {
    const r = spawnSync('npx', ['tsx', 'scripts/lib/bare-loop.ts', 'curl', '3'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kind: string; visits: number; wallMs: number };
    expect(out).to.include({ kind: 'curl', visits: 3 });
    expect(out.wallMs).to.be.a('number');
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
