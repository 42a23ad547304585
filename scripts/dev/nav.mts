import { readResults, latestResultsPath } from '../../harness/report/results';
const [caseId, client] = process.argv.slice(2);
const run = readResults(latestResultsPath()!);
for (const r of run.results.filter(r => r.caseId === caseId && (!client || r.client === client))) {
  const n = r.record?.navigation;
  console.log(r.client, JSON.stringify({ committed: n?.committed, status: n?.status, code: n?.error?.code, finalUrl: n?.finalUrl?.slice(0, 120), title: n?.title, text: n?.text?.slice(0, 300), notes: r.record?.harness.notes }));
}
