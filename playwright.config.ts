import { defineConfig } from '@playwright/test';
import type { SuiteOptions } from './suites/lab-test';

/**
 * Projects are the clients. Each worker runs one browser; cases spread over workers and are kept
 * apart by unique hosts, so the run is parallel without cross-talk.
 */
export default defineConfig<SuiteOptions>({
  testDir: 'suites',
  testMatch: /.*\.spec\.ts$/,
  fullyParallel: true,
  workers: process.env.CC_WORKERS ? Number(process.env.CC_WORKERS) : 2,
  retries: 0,
  timeout: 90_000,
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results',
  reporter: [
    [process.env.CC_CONSOLE_REPORTER ?? (process.env.CI ? 'line' : 'list')],
    ['./harness/report/playwright-reporter.ts'],
  ],
  projects: [
    { name: 'chromium', use: { engineName: 'chromium' } },
    { name: 'firefox', use: { engineName: 'firefox' } },
  ],
});
