/**
 * JUnit XML for CI: one testsuite per client, one testcase per case × client. The suite's own
 * semantics decide the status, exactly as `npm test` does: a harness error is an <error>, an
 * observation that differs from expectations/ is a <failure> whose message names each fact with
 * expected and observed values, an unavailable client is <skipped>. Verdicts against the RFCs are
 * findings, carried as properties and in system-out, not failures.
 */
import junitBuilder from 'junit-report-builder';
import type { RunResults } from '../runs/results';
import type { ExpectationSource } from '../verdicts/expectations';
import { buildMatrix } from './view-model';

/**
 * What a JUnit status means here, said once: the findings page (and the matrix) show it, each
 * testsuite carries it as its "junit-semantics" property, and the README says the same.
 */
export const JUNIT_SEMANTICS =
  'A JUnit <failure> means the observation differs from the committed expectations (expectations/<client>.json), or none is recorded for the case; ' +
  'an <error> is a harness error (the suite failed, not the client); <skipped> is a client that is not available or cannot run the case. ' +
  'Verdicts against the RFCs (fail, non-strict, informational) are findings, not JUnit failures: each testcase carries them as properties ' +
  '("verdict", "severity" and one "requirement <id>" per check), so failures="0" beside fail verdicts means every client did what its expectations record.';

export function junitXml(run: RunResults, expectations?: ExpectationSource): string {
  const builder = junitBuilder.newBuilder().name('connect-conformance');
  const matrix = buildMatrix(run, expectations);
  for (const client of matrix.clients) {
    const suite = builder
      .testSuite()
      .name(`${client.name}${client.version ? ` ${client.version}` : ''}`)
      .timestamp(run.run.startedAt)
      .property('client', client.name)
      .property('version', client.version ?? 'not available')
      .property('junit-semantics', JUNIT_SEMANTICS);
    for (const group of matrix.groups) {
      for (const row of group.rows) {
        const cell = row.cells.find((c) => c.client === client.name)!;
        if (cell.verdict === 'not applicable') continue; // the case does not run over this transport
        const tc = suite
          .testCase()
          .className(`connect-conformance.${client.name}.${group.group.replace(/[^a-z0-9]+/gi, '_')}`)
          .name(row.fixture.id)
          .file(row.fixture.file)
          .time((cell.result?.durationMs ?? 0) / 1000)
          .property('verdict', cell.verdict)
          .property('severity', cell.severity ?? 'none');
        for (const c of cell.checks ?? []) tc.property(`requirement ${c.requirement}`, `${c.verdict}: ${c.means}`);
        if (cell.history) tc.property('2015', `${cell.history.cite} ${cell.history.status}`);
        const out = [`${row.fixture.title}`, `verdict: ${cell.verdict}`, `observed: ${cell.summary}`];
        const e = cell.expectation;
        if (!cell.result || cell.result.status === 'skipped') {
          tc.skipped();
          out.push(`not run: ${cell.summary}`);
        } else if (cell.result.status === 'harness-error') {
          tc.error(`harness error: ${(cell.result.harnessError ?? '').split('\n')[0]}`, 'HarnessError', cell.result.harnessError ?? '');
        } else if (e && e.status === 'mismatch') {
          tc.failure(
            `observation differs from expectations/${client.name}.json (recorded with ${e.recordedWith}): ` +
              e.differences
                .map((d) => `${d.fact}: expected ${JSON.stringify(d.expected)}, observed ${JSON.stringify(d.observed)}`)
                .join('; '),
            'ExpectationMismatch',
          );
        } else if (e && e.status === 'missing') {
          tc.failure(`${e.reason}; observed ${cell.summary}`, 'MissingExpectation');
        }
        tc.standardOutput(out.join('\n'));
      }
    }
  }
  return builder.build();
}
