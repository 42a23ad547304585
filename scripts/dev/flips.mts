import { readResults, latestResultsPath } from '../../harness/report/results';
import { computeFacts } from '../../harness/observe/facts';
const run = readResults(process.argv[2] ?? latestResultsPath()!);
for (const r of run.results) {
  if (!r.record) { console.log(r.caseId, r.client, r.status, r.harnessError?.slice(0,200)); continue; }
  const f = computeFacts(r.record); const fx = run.fixtures.find(x => x.id === r.caseId)!;
  console.log(r.caseId.padEnd(30), r.client.padEnd(8), fx.observe.map(o => `${o}=${f[o]}`).join(' '), `connects=${f.connects} conns=${f.connections} chal=${f.challenges}`);
}
