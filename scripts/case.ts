/**
 * npm run case -- <case-id> [--client chromium] [--transport h1|h1-tls|h2|list] [--pcap [file]]
 *
 * Runs one fixture in one client, outside Playwright, and prints what h2spec prints on a failure:
 * each requirement's text and section, the acceptable outcomes, what was observed and the
 * verdict; then every fact, the expectation check, the navigation and the wire log both ways.
 * --pcap writes the case's wire as a pcapng for Wireshark (default <case-id>.<project>.pcapng).
 *
 * Exit codes: 0 ran and matched expectations/ (or none is recorded for it yet, as for a new case:
 * the output says so), 1 differs from expectations/, 2 harness error,
 * 3 bad arguments (unknown case, client or transport; client not installed).
 */
import { writeFileSync } from 'node:fs';
import { loadFixtures, type LoadedFixture } from '../harness/cases/load';
import { recordPcapng } from '../harness/report/pcapng';
import { CLIENTS } from '../harness/clients/registry';
import { unsupportedReason } from '../harness/clients/client';
import { Lab } from '../harness/runner/lab';
import { runCase } from '../harness/runner/run-case';
import type { CaseRecord } from '../harness/evidence/record';
import { printCaseResult } from './lib/case-output';
import { TRANSPORT_NAMES, TRANSPORTS, projectName, type Transport } from '../harness/vocabulary/transports';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
};
const usage = 'usage: npm run case -- <case-id> [--client chromium] [--transport h1|h1-tls|h2|list] [--pcap [file]]';
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(3);
};

const id =
  args.find((a, i) => !a.startsWith('--') && !['--client', '--transport', '--pcap'].includes(args[i - 1] ?? '')) ?? fail('which case?');
const pcapAt = args.indexOf('--pcap');
const pcapArg = pcapAt >= 0 ? (args[pcapAt + 1] && !args[pcapAt + 1]!.startsWith('--') ? args[pcapAt + 1] : '') : undefined;
const clientName = option('--client') ?? 'chromium';
const transport = (option('--transport') ?? 'h1') as Transport;
let fixtures: LoadedFixture[] = [];
try {
  fixtures = loadFixtures();
} catch (e) {
  fail((e as Error).message);
}
const fixture =
  fixtures.find((f) => f.id === id) ??
  fail(
    `no case "${id}"${(() => {
      const near = fixtures
        .filter((f) => f.id.includes(id) || id.includes(f.id.split('-')[0]!))
        .map((f) => f.id)
        .slice(0, 8);
      return near.length ? `; similar: ${near.join(', ')}` : '';
    })()}`,
  );
const kind = CLIENTS[clientName] ?? fail(`no client "${clientName}" (known: ${Object.keys(CLIENTS).join(', ')})`);
if (!TRANSPORT_NAMES.includes(transport)) fail(`no transport "${transport}" (known: ${TRANSPORT_NAMES.join(', ')})`);
if (!kind.capabilities.transports.includes(transport))
  fail(`${kind.label} does not run over ${transport} (it runs over ${kind.capabilities.transports.join(', ')})`);
if (!fixture.transports.includes(transport))
  fail(`${fixture.id} is not applicable over ${transport} (it lists ${fixture.transports.join(', ')})`);
const unsupported = unsupportedReason(kind, fixture);
if (unsupported) fail(`${fixture.id}: ${unsupported}`);
const exe = kind.resolve();
if (!exe.path) fail(`${kind.label} is not available: ${exe.how}`);

const project = projectName(kind.name, transport);
const line = (s = '') => console.log(s);

line(`${fixture.id}: ${fixture.title}`);
line(
  `${fixture.file}${fixture.family ? ` (family ${fixture.family})` : ''}; client ${kind.label} over ${TRANSPORTS[transport].label} (project ${project})`,
);
if (fixture.dependsOn.length) line(`means something only where ${fixture.dependsOn.join(', ')} passes (not run here)`);

const lab = await Lab.start(kind, transport).catch((e: Error) => fail(`${kind.label} over ${transport}: ${e.message}`));
let record: CaseRecord;
// A case with a positive control runs it first, in the same client: its verdict depends on it.
const control = fixture.control ? fixtures.find((f) => f.id === fixture.control) : undefined;
let controlRecord: CaseRecord | undefined;
try {
  if (control) controlRecord = await runCase(lab, control);
  record = await runCase(lab, fixture);
} catch (e) {
  await lab.close();
  console.error(`\nHARNESS ERROR: ${(e as Error).message}`);
  process.exit(2);
}
await lab.close();

const { differs } = printCaseResult({
  fixture,
  ...(control ? { control } : {}),
  project,
  record,
  ...(controlRecord ? { controlRecord } : {}),
});
if (pcapArg !== undefined) {
  const out = pcapArg || `${fixture.id}.${project}.pcapng`;
  writeFileSync(out, recordPcapng(record, `${fixture.id} in ${record.client.label} ${record.client.version} (project ${project})`));
  line(`\nwire written to ${out} (pcapng: open it in Wireshark)`);
}
// A case with no expectation yet (a new one, or one from an outside folder) ran: only a difference fails.
process.exit(differs ? 1 : 0);
