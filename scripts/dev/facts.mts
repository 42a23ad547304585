import { readResults, latestResultsPath } from '../../harness/report/results';
import { buildMatrix } from '../../harness/report/view-model';
const run = readResults(process.argv[2] ?? latestResultsPath()!);
const m = buildMatrix(run);
for (const g of m.groups) for (const r of g.rows) for (const c of r.cells) {
  console.log(`${r.fixture.id.padEnd(34)} ${c.client.padEnd(8)} ${c.verdict.padEnd(13)} ${c.summary} | hist=${c.history?.status ?? '-'} ${c.history?.diffs.map(d=>`${d.fact}:${d.was}->${d.now}`).join(',') ?? ''} | close-ms=${c.facts?.['browser-close-ms'] ?? ''} connects=${c.facts?.connects} conns=${c.facts?.connections}`);
}
