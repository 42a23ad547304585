/**
 * Every fixture, in every client project. The test is red on a harness error and, unless
 * CC_EXPECTATIONS=observe (npm run report), when an observed fact differs from expectations/.
 * A browser failing an RFC requirement is a finding shown in the report, not a red test.
 */
import { test, expect } from './lab-test';
import { loadFixtures } from '../harness/cases/load';
import { runCase, HarnessError } from '../harness/runner/run-case';
import { SetupError } from '../harness/vocabulary/harness-errors';
import type { SkipReason } from '../harness/vocabulary/verdicts';
import type { CaseRecord } from '../harness/evidence/record';
import { unsupportedReason } from '../harness/clients/client';
import { computeFacts } from '../harness/observe/facts';
import { checkExpectations, committedExpectations, describeMismatch, pinnedFacts } from '../harness/verdicts/expectations';
import { SCREENSHOT_FILE, screenshotContentType } from '../harness/clients/screenshot';

const fixtures = (() => {
  try {
    return loadFixtures();
  } catch (e) {
    throw new SetupError((e as Error).message); // names file, field and reason: no stack needed
  }
})();
const enforce = process.env.CC_EXPECTATIONS !== 'observe';
// Read once per worker, not once per case.
const expectationsOf = committedExpectations();

for (const fixture of fixtures) {
  test(fixture.id, { annotation: { type: 'group', description: fixture.group } }, async ({ lab, transport }, testInfo) => {
    // Why a case does not run is recorded as data (the reporter reads it, not the message).
    const skip = async (reason: SkipReason, detail: string) => {
      await testInfo.attach('skip', { body: JSON.stringify({ reason, detail }), contentType: 'application/json' });
      test.skip(true, detail);
    };
    // A case runs only over the transports it declares; elsewhere its cell says "not applicable".
    if (!fixture.transports.includes(transport)) await skip('not applicable', `not applicable over ${transport}`);
    const unsupported = unsupportedReason(lab.kind, fixture);
    if (unsupported) await skip('unsupported', unsupported);
    // JPEG where the client can (a client limited to PNG returns the .png path it wrote).
    const screenshotPath = testInfo.outputPath(SCREENSHOT_FILE);
    let record: CaseRecord;
    try {
      record = await runCase(lab, fixture, { screenshotPath });
    } catch (e) {
      throw e instanceof HarnessError ? e : new HarnessError(`harness error: ${(e as Error).message}`, { cause: e });
    }
    await testInfo.attach('case-record', { body: JSON.stringify(record), contentType: 'application/json' });
    await testInfo.attach('lab', {
      body: JSON.stringify({
        launchMs: lab.driver.launchMs,
        launchedAt: lab.startedAt,
        launchConfig: lab.driver.launchConfig,
        client: lab.driver.info,
      }),
      contentType: 'application/json',
    });
    if (record.screenshot)
      await testInfo.attach('screenshot', { path: record.screenshot, contentType: screenshotContentType(record.screenshot) });

    const facts = computeFacts(record);
    const project = testInfo.project.name;
    const status = checkExpectations(fixture, facts, expectationsOf(project));
    await testInfo.attach('expectation', {
      body: JSON.stringify({ status, observed: pinnedFacts(fixture, facts) }),
      contentType: 'application/json',
    });
    if (status.status !== 'match') {
      testInfo.annotations.push({ type: 'expectation-' + status.status, description: describeMismatch(project, fixture.id, status) });
    }
    if (enforce) expect(status.status === 'match', describeMismatch(project, fixture.id, status)).toBe(true);
  });
}
