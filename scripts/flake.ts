/**
 * npm run flake -- --repeat N [<playwright args>]: runs the whole matrix N times (Playwright
 * --repeat-each, observe mode) and prints every case × client whose pinned facts changed between
 * runs, with each outcome and how often it was seen.
 * npm run flake -- --from <results.json.gz | results.json | run folder>: the same analysis of a run already made (against
 * today's fixture files, so a run can be re-checked after marking what it found).
 *
 * A flip within the values the fixture already marks "intermittent" for that client is listed as
 * declared; any other flip is new. A verdict flip (what the report shows changed) is counted apart.
 * The last line: "flake: N runs, X verdict flips, Y new fact flips". Exit 1 on a verdict flip, a new
 * fact flip or a harness error, 0 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { latestResultsPath, readResults } from '../harness/runs/results';
import { analyseFlakes } from '../harness/runs/flakes';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';
import { loadFixtures } from '../harness/cases/load';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? { value: args[at + 1], rest: args.filter((_, i) => i !== at && i !== at + 1) } : undefined;
};
const from = option('--from');
let path: string | undefined;
let repeated = 0;
if (from) {
  path = from.value;
  if (!path) {
    console.error('usage: npm run flake -- --from <results.json.gz | results.json | run folder>');
    process.exit(3);
  }
} else {
  const rep = option('--repeat');
  const repeat = rep ? Number(rep.value) : 5;
  const rest = rep?.rest ?? args;
  if (!Number.isInteger(repeat) || repeat < 2) {
    console.error('usage: npm run flake -- --repeat N   (N >= 2)');
    process.exit(3);
  }
  repeated = repeat;
  const before = latestResultsPath();
  const projects = rest.some((a) => a.startsWith('--project')) ? [] : CLIENT_PROJECT_ARGS;
  console.log(`connect-conformance: running the matrix ${repeat} times…`);
  const t0 = Date.now();
  spawnSync('npx', ['playwright', 'test', `--repeat-each=${repeat}`, ...projects, ...rest], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CC_EXPECTATIONS: 'observe', CC_CONSOLE_REPORTER: 'dot' },
  });
  console.log(`(${((Date.now() - t0) / 60_000).toFixed(1)} min)`);
  path = latestResultsPath();
  if (!path || path === before) {
    console.error('flake: the run produced no results');
    process.exit(3);
  }
}

// Declared means declared in today's fixture files, so a run can be re-checked after marking.
const a = analyseFlakes(readResults(path), loadFixtures());
if (repeated && a.runsPerPair.min < repeated) {
  // A flake run that kept fewer outcomes than it ran cannot show a flip: say so rather than report 0.
  console.error(
    `flake: the run kept ${a.runsPerPair.min} outcome(s) for some case × client pair, not ${repeated}; no verdict on flakiness`,
  );
  process.exit(3);
}
const fresh = a.flips.filter((f) => !f.declared);
const declared = a.flips.filter((f) => f.declared);
const runs = a.runsPerPair.min === a.runsPerPair.max ? `${a.runsPerPair.min}` : `${a.runsPerPair.min}-${a.runsPerPair.max}`;
console.log(`\n${path}`);
console.log(
  `${a.pairs} case × client pairs, ${runs} runs each: ${a.flips.length} changed outcome between runs — ${fresh.length} new, ${declared.length} within their fixture's "intermittent" values; ${a.harnessErrors.length} harness error(s).`,
);
for (const f of [...fresh, ...declared]) {
  console.log(
    `${f.declared ? 'DECLARED' : 'FLIP'} ${f.caseId} [${f.client}]: ${f.varying.map((v) => `${v.fact} ${v.values.join(' / ')}${v.declared ? '' : ' (not marked)'}`).join('; ')}`,
  );
  for (const o of f.outcomes) console.log(`    ${o.count}× ${JSON.stringify(o.facts)}`);
}
for (const v of a.verdictFlips)
  console.log(`VERDICT FLIP ${v.caseId} [${v.client}]: ${v.verdicts.map((x) => `${x.count}× ${x.verdict}`).join(', ')}`);
for (const h of a.harnessErrors) console.log(`HARNESS ERROR ${h.caseId} [${h.client}]: ${h.message.split('\n')[0]}`);
if (fresh.length)
  console.log(
    `\nLook at the wire first (npm run case, the case page): a harness cause gets fixed. A client that truly varies is marked in its fixture with the evidence:\n  "intermittent": { "<client project>": { "why": "<what the wire shows, whose doing>", "<fact>": [<every value seen>] } }`,
  );
console.log(
  `\nflake: ${runs} runs, ${a.verdictFlips.length} verdict flip${a.verdictFlips.length === 1 ? '' : 's'}, ${fresh.length} new fact flip${fresh.length === 1 ? '' : 's'} (${declared.length} declared, ${a.harnessErrors.length} harness error${a.harnessErrors.length === 1 ? '' : 's'})`,
);
process.exit(fresh.length || a.verdictFlips.length || a.harnessErrors.length ? 1 : 0);
