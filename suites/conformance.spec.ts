/**
 * Every fixture, in every client project. The test is red on a harness error and, unless
 * CC_EXPECTATIONS=observe (npm run report), when an observed fact differs from expectations/.
 * A browser failing an RFC requirement is a finding shown in the report, not a red test.
 */
import { test, expect } from './lab-test';
import { loadFixtures } from '../harness/cases/load';
import { HarnessError, hangBoundMs } from '../harness/runner/run-case';
import { runCaseUnstarved } from '../harness/runner/run-unstarved';
import { MAX_ATTEMPTS } from '../harness/runner/starvation';
import { MachineGate } from '../harness/runner/machine-gate';
import { SetupError } from '../harness/vocabulary/harness-errors';
import type { SkipReason } from '../harness/vocabulary/verdicts';
import type { CaseRecord } from '../harness/evidence/record';
import { leftOutReason } from '../harness/clients/client';
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
// The run's workers share the machine; a starved case is re-run with the machine to itself.
const gate = new MachineGate();

for (const fixture of fixtures) {
  test(fixture.id, { annotation: { type: 'group', description: fixture.group } }, async ({ lab, transport }, testInfo) => {
    // Why a case does not run is recorded as data (the reporter reads it, not the message).
    const skip = async (reason: SkipReason, detail: string) => {
      await testInfo.attach('skip', { body: JSON.stringify({ reason, detail }), contentType: 'application/json' });
      test.skip(true, detail);
    };
    // The config leaves such cases out of the project (leftOutReason); checked again, in case a
    // project was configured by hand.
    const leftOut = leftOutReason(lab.kind, transport, fixture);
    if (leftOut) await skip(leftOut.reason, leftOut.detail);
    // JPEG where the client can (a client limited to PNG returns the .png path it wrote).
    const screenshotPath = testInfo.outputPath(SCREENSHOT_FILE);
    // Room for the re-runs of a starved case, each of which may wait for the others' cases to end.
    test.setTimeout(Math.max(testInfo.timeout, MAX_ATTEMPTS * (hangBoundMs(fixture) + 30_000)));
    let record: CaseRecord;
    try {
      record = await runCaseUnstarved(lab, fixture, gate, { screenshotPath });
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
