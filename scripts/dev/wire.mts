import { readResults, latestResultsPath } from '../../harness/report/results';
import { escapeBytes } from '../../harness/wire/bytes';
const [caseId, client, path] = process.argv.slice(2);
const run = readResults(path ?? latestResultsPath()!);
const r = run.results.find(r => r.caseId === caseId && r.client === client)!;
const rec = r.record!;
console.log('nav', rec.navigation?.error?.code, rec.navigation?.durationMs, 'ctxclose', rec.harness.contextClosedAt);
for (const c of rec.connections) {
  console.log(`-- conn #${c.index} id ${c.id} opened ${c.openedAt}`);
  for (const e of c.events) console.log(`  ${String(e.t).padStart(8)} ${e.kind.padEnd(12)} ${e.data ? escapeBytes(Buffer.from(e.data, 'base64'), 160) : e.note ?? ''}`);
}
for (const o of rec.origin) console.log('origin', o.t, o.kind, o.detail);
