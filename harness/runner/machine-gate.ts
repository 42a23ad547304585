/**
 * Cases share the machine; a case that must run alone (the re-run of a case that was starved of
 * CPU) gets it. Workers of one run are separate processes, so the gate is a folder of the run's
 * (the Playwright runner is every worker's parent): a worker marks itself busy while a case runs,
 * and one that wants the machine makes "alone" there, then waits for the busy marks of the others
 * to go. Every other worker waits at its next case start until "alone" is gone.
 *
 * Marks of a worker that died are ignored (its pid is gone), and every wait is bounded: the gate
 * makes starvation rare, it never decides a verdict.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const POLL_MS = 25;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MachineGate {
  private readonly aloneDir: string;
  private readonly busyFile: string;

  constructor(
    readonly dir = join(tmpdir(), `cc-gate-${process.ppid}`),
    private readonly pid = process.pid,
  ) {
    mkdirSync(dir, { recursive: true });
    this.aloneDir = join(dir, 'alone');
    this.busyFile = join(dir, `busy-${pid}`);
  }

  /** The pid that holds the machine alone, if a live one does. */
  private holder(): number | undefined {
    try {
      const [entry] = readdirSync(this.aloneDir);
      const pid = entry ? Number(entry) : Number.NaN;
      if (!Number.isInteger(pid)) return undefined;
      if (alive(pid)) return pid;
      rmSync(this.aloneDir, { recursive: true, force: true }); // its holder died
    } catch {
      // no "alone": nobody holds the machine
    }
    return undefined;
  }

  /** Waits (at most maxWaitMs) while another worker holds the machine alone, then marks this worker busy. */
  async enter(maxWaitMs = 120_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const holder = this.holder();
      if (holder === undefined || holder === this.pid || Date.now() > deadline) {
        this.mark();
        // A worker that took the machine between the look and the mark: step back and wait for it.
        const now = this.holder();
        if (now === undefined || now === this.pid || Date.now() > deadline) return;
        this.leave();
      }
      await sleep(POLL_MS);
    }
  }

  leave(): void {
    rmSync(this.busyFile, { force: true });
  }

  /** Marks this worker busy (the folder again first: a worker that finished may have removed it). */
  private mark(): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.busyFile, '');
  }

  /** The other workers' cases that are running now. */
  othersBusy(): number[] {
    let entries: string[] = [];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return [];
    }
    return entries.flatMap((e) => {
      const m = /^busy-(\d+)$/.exec(e);
      const pid = m ? Number(m[1]) : undefined;
      if (pid === undefined || pid === this.pid) return [];
      if (alive(pid)) return [pid];
      rmSync(join(this.dir, e), { force: true });
      return [];
    });
  }

  /**
   * Takes the machine: no other worker starts a case until release(), and this waits (at most
   * maxWaitMs) for the cases already running to end. Says how long it waited and for how many.
   */
  async alone(maxWaitMs = 120_000): Promise<{ release(): void; waitedMs: number; others: number }> {
    const t0 = Date.now();
    // Not busy while waiting: two workers that both want the machine must not wait for each other.
    this.leave();
    for (;;) {
      try {
        mkdirSync(this.dir, { recursive: true });
        mkdirSync(this.aloneDir);
        writeFileSync(join(this.aloneDir, String(this.pid)), '');
        break;
      } catch {
        if (this.holder() === undefined) continue; // a dead holder's folder was removed
        if (Date.now() - t0 > maxWaitMs) break; // share rather than wait for ever
        await sleep(POLL_MS);
      }
    }
    const others = this.othersBusy().length;
    while (this.othersBusy().length && Date.now() - t0 < maxWaitMs) await sleep(POLL_MS);
    this.mark();
    return {
      waitedMs: Date.now() - t0,
      others,
      release: () => {
        if (this.holder() === this.pid) rmSync(this.aloneDir, { recursive: true, force: true });
      },
    };
  }

  /** Removes the run's gate folder (the last worker's teardown, or a test's). */
  dispose(): void {
    this.leave();
    try {
      rmdirSync(this.dir);
    } catch {
      // other workers still use it
    }
  }
}
