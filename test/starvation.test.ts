/**
 * A bound spent waiting for a CPU is the harness's: the CPU wait is measured for real (processes
 * made to share one core), every outcome of the starvation rule is driven from constructed
 * evidence, the re-run loop is driven attempt by attempt, and the machine gate is shared by real
 * processes.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuWaitBetween, processTree, sampleSched } from '../harness/runner/cpu-wait';
import { boundsRanOut, MAX_ATTEMPTS, STARVED_SHARE, starvedBounds } from '../harness/runner/starvation';
import { outcomeText } from '../harness/evidence/machine';
import { runUnstarved } from '../harness/runner/run-unstarved';
import { MachineGate } from '../harness/runner/machine-gate';
import { HarnessBoundError, HarnessError } from '../harness/vocabulary/harness-errors';
import { loadFixtures } from '../harness/cases/load';
import type { CaseRecord, NavigationRecord } from '../harness/evidence/record';
import type { CpuWait } from '../harness/evidence/machine';
import { WS_NO_RESULT } from '../harness/clients/page-observation';

const fixtures = loadFixtures();
const fixture = (id: string) => fixtures.find((f) => f.id === id)!;
const noAnswer = fixture('fault-no-answer');
const bound = noAnswer.client.timeoutMs;

const wait = (maxThreadWaitMs: number, windowMs = bound): CpuWait => ({
  windowMs,
  waitMs: maxThreadWaitMs * 3,
  maxThreadWaitMs,
  cpuMs: 100,
  processes: 3,
});
const timedOut: NavigationRecord = {
  url: 'https://x/',
  committed: false,
  failure: { by: 'automation', name: 'TimeoutError', message: `page.goto: Timeout ${bound}ms exceeded.` },
  durationMs: bound,
  finalUrl: '',
  title: '',
  text: '',
  originMarkerFound: false,
  proxyMarkerFound: false,
};
const refused: NavigationRecord = {
  ...timedOut,
  failure: { by: 'automation', message: 'net::ERR_TUNNEL_CONNECTION_FAILED' },
  durationMs: 40,
};

function record(navigation: NavigationRecord, harness: Partial<CaseRecord['harness']> = {}): CaseRecord {
  return {
    caseId: noAnswer.id,
    fixtureFile: noAnswer.file,
    host: 'h',
    marker: 'm',
    client: { name: 'chromium', label: 'Chromium', version: '1', executablePath: '/x' },
    startedAt: new Date(0).toISOString(),
    navigation,
    connections: [],
    origin: [],
    harness: { contextClosedAt: 0, settledAt: 0, durationMs: 0, notes: [], strays: [], ...harness },
  };
}

/** The core that was idle longest over 300 ms (/proc/stat), so another job on the machine weighs least. */
async function idlestCore(): Promise<number> {
  const idle = () =>
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d+ /.test(l))
      .map((l) => Number(l.split(/\s+/)[4]));
  const a = idle();
  await new Promise((r) => setTimeout(r, 300));
  const b = idle();
  const gained = b.map((v, i) => v - (a[i] ?? 0));
  return gained.indexOf(Math.max(...gained));
}

describe('CPU wait, measured', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('finds this process and its children in the process tree', async () => {
    const child = spawn('sleep', ['5']);
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    expect(processTree()).to.include.members([process.pid, child.pid!]);
  });

  it('sees busy processes made to share one core wait for it (the control: one of them alone waits far less)', async function () {
    this.timeout(20_000);
    const core = await idlestCore();
    const busy = (ms: number) =>
      spawn('taskset', ['-c', String(core), process.execPath, '-e', `const e=Date.now()+${ms};while(Date.now()<e){}`]);
    // Sampled while they run (a process that ended is gone from /proc), just before they end.
    const sampleWhile = async (n: number): Promise<CpuWait> => {
      const start = sampleSched();
      const procs = Array.from({ length: n }, () => busy(1500));
      children.push(...procs);
      await new Promise((r) => setTimeout(r, 1300));
      const end = sampleSched();
      await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
      return cpuWaitBetween(start, end);
    };
    // The core may be busy with something else too: the difference is what the sharing added (none
    // else: about 0 % alone against 67 % for three; with one outside loop, 50 % against 75 %).
    const alone = await sampleWhile(1);
    const shared = await sampleWhile(3);
    expect(shared.maxThreadWaitMs - alone.maxThreadWaitMs, `${JSON.stringify(alone)} ${JSON.stringify(shared)}`).to.be.above(
      0.15 * shared.windowMs,
    );
  });
});

describe('the starvation rule, from constructed evidence', () => {
  it('a navigation bound that ran out while a thread waited past the share is starved', () => {
    const r = record(timedOut, { cpuWait: [wait(STARVED_SHARE * bound + 1)] });
    expect(starvedBounds(r, noAnswer).map((b) => b.window)).to.deep.equal([0]);
  });

  it("a navigation bound that ran out on a machine that gave the client its CPU is the client's observation", () => {
    const r = record(timedOut, { cpuWait: [wait(STARVED_SHARE * bound - 1)] });
    expect(boundsRanOut(r, noAnswer)).to.have.length(1);
    expect(starvedBounds(r, noAnswer)).to.deep.equal([]);
  });

  it("an outcome that came before any bound is the client's, however long it waited", () => {
    expect(starvedBounds(record(refused, { cpuWait: [wait(bound)] }), noAnswer)).to.deep.equal([]);
  });

  it('a bound with no CPU measurement (a machine without scheduler statistics) is never called starved', () => {
    expect(starvedBounds(record(timedOut), noAnswer)).to.deep.equal([]);
  });

  it('the WebSocket probe and the settle bound are bounds too, judged over their own windows', () => {
    const ws = record({ ...refused, failure: undefined, committed: true, probe: WS_NO_RESULT }, { cpuWait: [wait(bound)] });
    expect(starvedBounds(ws, noAnswer).map((b) => b.what)).to.deep.equal([`visit 1: the WebSocket probe's bound (${bound} ms)`]);
    const settle = record(refused, { settleBoundRanOut: true, cpuWait: [wait(bound)], settleCpuWait: wait(0, 4000) });
    expect(starvedBounds(settle, noAnswer), 'settle window quiet').to.deep.equal([]);
    const starvedSettle = record(refused, { settleBoundRanOut: true, settleCpuWait: wait(100_000, 4000) });
    expect(starvedBounds(starvedSettle, noAnswer).map((b) => b.window)).to.deep.equal(['settle']);
  });

  it('in a case of several visits, each bound is judged over its own visit', () => {
    const r = { ...record(timedOut, { cpuWait: [wait(bound), wait(0)] }), visits: [refused, timedOut] };
    expect(starvedBounds(r, noAnswer), 'visit 2 timed out on a quiet machine').to.deep.equal([]);
  });
});

describe('the re-run of a starved case', () => {
  class CountingGate {
    entered = 0;
    left = 0;
    alone = 0;
    released = 0;
    async enter() {
      this.entered++;
    }
    leave() {
      this.left++;
    }
    async alone_() {
      return { waitedMs: 0, others: 0, release: () => void this.released++ };
    }
  }
  const gateOf = (g: CountingGate) => ({
    enter: () => g.enter(),
    leave: () => g.leave(),
    alone: () => {
      g.alone++;
      return g.alone_();
    },
  });

  it('an attempt that was not starved is the record, run once, with the machine shared', async () => {
    const g = new CountingGate();
    let runs = 0;
    const r = await runUnstarved(noAnswer, gateOf(g), async () => {
      runs++;
      return record(timedOut, { cpuWait: [wait(0)] });
    });
    expect([runs, g.alone, g.entered, g.left]).to.deep.equal([1, 0, 1, 1]);
    expect(r.harness.starvedAttempts).to.equal(undefined);
  });

  it('a starved attempt is run again alone, and the record keeps the attempt it replaced', async () => {
    const g = new CountingGate();
    const attempts = [record(timedOut, { cpuWait: [wait(bound)] }), record(refused, { cpuWait: [wait(0)] })];
    const r = await runUnstarved(noAnswer, gateOf(g), async () => attempts.shift()!);
    expect([g.alone, g.released]).to.deep.equal([1, 1]);
    expect(r.navigation?.failure).to.deep.equal(refused.failure);
    expect(r.harness.starvedAttempts?.map((a) => [outcomeText(a.failures), a.bounds.length])).to.deep.equal([['timeout', 1]]);
  });

  it('starved again alone with the outcome of the attempt before is kept: the outcome did not depend on the wait', async () => {
    const g = new CountingGate();
    let runs = 0;
    const r = await runUnstarved(noAnswer, gateOf(g), async () => {
      runs++;
      return record(timedOut, { cpuWait: [wait(bound)] });
    });
    expect([runs, g.alone]).to.deep.equal([2, 1]);
    expect(r.harness.starvedAttempts).to.have.length(1);
    expect(r.harness.notes.join(' ')).to.match(/did not depend on the wait/);
  });

  it(`starved on all ${MAX_ATTEMPTS} attempts with outcomes that differ is a harness error that says so, never an observation`, async () => {
    const g = new CountingGate();
    let runs = 0;
    // A timeout, then a bound that ran out elsewhere (the WebSocket probe), then a timeout again.
    const ws = { ...refused, failure: undefined, committed: true, probe: WS_NO_RESULT };
    const e = await runUnstarved(noAnswer, gateOf(g), async () => {
      runs++;
      return record(runs % 2 ? timedOut : ws, { cpuWait: [wait(bound)] });
    }).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e).to.be.instanceOf(HarnessError);
    expect(e!.message).to.match(/starved of CPU on all 3 attempts/);
    expect([runs, g.alone, g.released, g.left]).to.deep.equal([MAX_ATTEMPTS, MAX_ATTEMPTS - 1, MAX_ATTEMPTS - 1, 1]);
  });

  it('a harness error that is not a bound (a crash) is passed on as it is, and so is a hang bound on a machine that was not starving the client', async () => {
    const g = new CountingGate();
    const e = await runUnstarved(noAnswer, gateOf(g), async () => {
      throw new HarnessError('the browser went away');
    }).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e?.message).to.equal('the browser went away');
    const hang = await runUnstarved(noAnswer, gateOf(g), async () => {
      throw new HarnessBoundError('Chromium stopped answering (hung)', 10_000);
    }).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(hang?.message).to.equal('Chromium stopped answering (hung)');
    expect(g.alone).to.equal(0);
  });
});

describe('the machine gate, shared by real processes', () => {
  it("a worker that takes the machine alone waits for the others' cases, and holds new ones back until it releases", async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'cc-gate-test-'));
    // Another worker: a process that enters a case, holds it 600 ms, leaves, then tries to enter again.
    const other = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(process.cwd(), 'harness/runner/machine-gate.ts')}').then(async ({ MachineGate }) => {
          const g = new MachineGate(${JSON.stringify(dir)});
          await g.enter(); console.log('entered ' + Date.now());
          await new Promise((r) => setTimeout(r, 600)); g.leave(); console.log('left ' + Date.now());
          await new Promise((r) => setTimeout(r, 100));
          await g.enter(); console.log('entered again ' + Date.now()); g.leave();
        });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    other.stdout!.on('data', (d) => (out += d));
    while (!out.includes('entered')) await new Promise((r) => setTimeout(r, 20));
    const me = new MachineGate(dir);
    await me.enter();
    const held = await me.alone();
    const tookAt = Date.now();
    await new Promise((r) => setTimeout(r, 800));
    held.release();
    const releasedAt = Date.now();
    me.leave();
    await new Promise((r) => other.once('exit', r));
    const at = (what: string) => Number(new RegExp(`${what} (\\d+)`).exec(out)?.[1]);
    expect(held.others, 'the other worker was in a case').to.equal(1);
    expect(tookAt, 'alone only once the other case ended').to.be.at.least(at('left'));
    expect(at('entered again'), 'the next case waited for the release').to.be.at.least(releasedAt - 5);
    me.dispose();
  });
});
