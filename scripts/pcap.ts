/**
 * npm run pcap -- <case-id> <client project> [--run <run folder or results file>] [--out <file>]
 *
 * Writes one cell's wire from a stored run (the newest under reports/runs by default) as a pcapng
 * for Wireshark, synthesised from the recorded bytes and times (harness/report/pcapng.ts). The
 * case page names the command for each cell. Exit 3 on a bad argument or a cell without a record.
 */
import { writeFileSync } from 'node:fs';
import { latestResultsPath, readResults } from '../harness/runs/results';
import { recordPcapng } from '../harness/report/pcapng';

const args = process.argv.slice(2);
const opt = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const [caseId, client] = args.filter((a, i) => !a.startsWith('--') && !['--run', '--out'].includes(args[i - 1] ?? ''));
const fail = (message: string): never => {
  console.error(`${message}\nusage: npm run pcap -- <case-id> <client project> [--run <run folder or results file>] [--out <file>]`);
  process.exit(3);
};
if (!caseId || !client) fail('which case, and which client project?');
const from = opt('--run') ?? latestResultsPath() ?? fail('no stored run under reports/runs (give --run)');
let run: ReturnType<typeof readResults>;
try {
  run = readResults(from);
} catch (e) {
  fail((e as Error).message);
}
const result = run!.results.find((r) => r.caseId === caseId && r.client === client);
if (!result) {
  const clients = run!.results.filter((r) => r.caseId === caseId).map((r) => r.client);
  fail(
    `${from}: no result for ${caseId} in ${client}${clients.length ? ` (it ran in: ${clients.join(', ')})` : ' (no such case in this run)'}`,
  );
}
const record =
  result!.record ??
  fail(`${caseId} in ${client} has no record (${result!.harnessError ? 'a harness error' : (result!.skip?.reason ?? 'not run')})`);
const out = opt('--out') ?? `${caseId}.${client}.pcapng`;
writeFileSync(out, recordPcapng(record, `${caseId} in ${record.client.label} ${record.client.version} (project ${client}), run ${from}`));
console.log(`${out}: ${record.connections.length} connection(s) to the proxy (pcapng: open it in Wireshark)`);
