import { defineConfig } from '@playwright/test';
import type { SuiteOptions } from './suites/lab-test';
import { resolveExecutable } from './harness/clients/executables';
import { TRANSPORT_NAMES, projectName } from './harness/vocabulary/transports';
import { CLIENTS } from './harness/clients/registry';
import { leftOutPattern } from './harness/clients/client';
import { totalWorkers, workersOver } from './harness/runner/concurrency';
import { loadFixtures } from './harness/cases/load';

/**
 * Projects are the clients. Each worker runs one lab (proxy, origin, client); a client's cases
 * spread over up to its concurrency of workers and are kept apart by unique hosts, so the run is
 * parallel without cross-talk (harness/runner/concurrency.ts).
 */
// Invalid fixtures are reported by the spec (and before Playwright starts, by npm test): here they count as none.
const fixtures = (() => {
  try {
    return loadFixtures();
  } catch {
    return [];
  }
})();

export default defineConfig<SuiteOptions>({
  testDir: 'suites',
  fullyParallel: true,
  workers: totalWorkers(),
  // In CI a case whose observation differs is run once more: a consistent change still fails, a
  // one-off flip is reported as flaky (and npm run flake is the tool to find and mark those).
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results',
  reporter: [[process.env.CC_CONSOLE_REPORTER ?? (process.env.CI ? 'line' : 'list')], ['./harness/report/playwright-reporter.ts']],
  projects: [
    // One project per client × transport: "chromium" (plain HTTP proxy), "chromium-h2" (HTTPS
    // proxy offering h2), "chromium-h1-tls" (HTTPS proxy offering only http/1.1), and so on.
    // A case the project never runs (not over its transport, or the client cannot) is left out of
    // it, not skipped at run time; the reporter writes its cell with the reason all the same.
    ...Object.values(CLIENTS).flatMap((client) =>
      TRANSPORT_NAMES.filter((t) => client.capabilities.transports.includes(t)).map((transport) => {
        const leftOut = leftOutPattern(client, transport, fixtures);
        return {
          name: projectName(client.name, transport),
          testMatch: /conformance\.spec\.ts$/,
          workers: workersOver(client, transport, fixtures),
          ...(leftOut ? { grepInvert: leftOut } : {}),
          use: { clientName: client.name, transport },
        };
      }),
    ),
    // The report itself, opened from disk in Chromium: rendering, filters, evidence, hostile bytes.
    {
      name: 'report-ui',
      testMatch: /report-(ui|views)\.spec\.ts$/,
      use: { browserName: 'chromium', launchOptions: { executablePath: resolveExecutable('chromium').path, args: ['--no-sandbox'] } },
    },
  ],
});
