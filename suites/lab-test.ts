/**
 * Playwright fixtures for the conformance suite: one lab (proxy + origin + browser) per worker,
 * a fresh browser context per case (made inside runCase).
 */
import { test as base } from '@playwright/test';
import { Lab } from '../harness/clients/lab';
import { ENGINES } from '../harness/clients/engines';
import { resolveExecutable, type EngineName } from '../harness/clients/executables';
import type { Transport } from '../harness/clients/transports';

export interface SuiteOptions {
  engineName: EngineName;
  transport: Transport;
}

export const test = base.extend<{}, SuiteOptions & { lab: Lab }>({
  engineName: ['chromium', { option: true, scope: 'worker' }],
  transport: ['h1', { option: true, scope: 'worker' }],
  lab: [
    async ({ engineName, transport }, use) => {
      const exe = resolveExecutable(engineName);
      if (!exe.path) {
        // A CI run without the browser must be red; elsewhere the column says "not available".
        if (process.env.CI) throw new Error(`${engineName} is not available: ${exe.how}`);
        base.skip(true, `${engineName} not available: ${exe.how}`);
      }
      const lab = await Lab.start(ENGINES[engineName], transport);
      await lab.open();
      await use(lab);
      await lab.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';
