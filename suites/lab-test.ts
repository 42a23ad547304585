/**
 * Playwright fixtures for the conformance suite: one lab (proxy + origin + browser) per worker,
 * a fresh browser context per case (made inside runCase).
 */
import { ownCpuMs, reapedChildrenCpuMs } from '../harness/runner/cpu';
import { test as base } from '@playwright/test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Lab, proxyPortFor } from '../harness/runner/lab';
import { CLIENTS, requiredInCi } from '../harness/clients/registry';
import { projectName, type Transport } from '../harness/vocabulary/transports';
import { teardownDir, type WorkerTeardown } from '../harness/runs/results';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../harness/vocabulary/harness-errors';
import { MachineGate } from '../harness/runner/machine-gate';

export interface SuiteOptions {
  /** A key of CLIENTS (harness/clients/registry.ts). */
  clientName: string;
  transport: Transport;
}

/** A full garbage collection, without needing node --expose-gc on Playwright's workers. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

export const test = base.extend<{}, SuiteOptions & { lab: Lab }>({
  clientName: ['chromium', { option: true, scope: 'worker' }],
  transport: ['h1', { option: true, scope: 'worker' }],
  lab: [
    async ({ clientName, transport }, use, workerInfo) => {
      const kind = CLIENTS[clientName];
      if (!kind) throw new SetupError(`unknown client "${clientName}" (known: ${Object.keys(CLIENTS).join(', ')})`);
      const exe = kind.resolve();
      if (!exe.path) {
        // A CI run without a required client must be red; elsewhere the column says "not available".
        if (process.env.CI && requiredInCi(kind)) throw new SetupError(`${kind.label} is not available: ${exe.how}`);
        base.skip(true, `${kind.label} not available: ${exe.how}`);
      }
      const lab = await Lab.start(kind, transport, { proxyPort: proxyPortFor(workerInfo.parallelIndex) }).catch((e: Error) => {
        throw new SetupError(`${kind.label} over ${transport}: ${e.message}`);
      });
      await use(lab);
      await lab.close();
      new MachineGate().dispose();
      // A leak check across the worker's whole run: the proxy must hold no socket once closed.
      // RSS keeps what a retry storm once took; the JS heap in use after a full GC says whether
      // anything is still held.
      collectGarbage();
      const { rss, heapUsed } = process.memoryUsage();
      const mib = (n: number) => Math.round(n / 1024 / 1024);
      console.log(
        `lab ${clientName}/${transport}: ${lab.proxy.openSockets} proxy sockets open after close, worker RSS ${mib(rss)} MiB, JS heap in use ${mib(heapUsed)} MiB`,
      );
      // The same figures for the run's results (npm run bench prints them).
      const figures: WorkerTeardown = {
        project: projectName(clientName, transport),
        rssMiB: mib(rss),
        heapMiB: mib(heapUsed),
        openSockets: lab.proxy.openSockets,
        cpuMs: ownCpuMs(),
        clientCpuMs: reapedChildrenCpuMs(),
      };
      mkdirSync(teardownDir(process.ppid), { recursive: true });
      writeFileSync(join(teardownDir(process.ppid), `${process.pid}-${lab.startedAt}.json`), JSON.stringify(figures));
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';
