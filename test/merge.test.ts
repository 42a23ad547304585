/**
 * Sharded runs, for real: a few fixtures run with a fast client as shard 1/2, shard 2/2 and one
 * full run (three Playwright processes); the merged shards must equal the full run in the case ×
 * client set and in every pinned fact. Then the refusals: a different fixture set, an overlap.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { computeFacts } from '../harness/observe/facts';
import { MergeError, mergeRuns } from '../harness/runs/merge';
import { type RunResults, readResults } from '../harness/runs/results';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = [
  '2xx/baseline-200.json',
  '2xx/status-200-content-length.json',
  '2xx/status-200-connection-close.json',
  'non-2xx/status-error-bodies.json',
];

function run(reportsDir: string, fixturesDir: string, ...args: string[]): RunResults {
  const ran = spawnSync('npx', ['playwright', 'test', '--project=node-agent', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CC_FIXTURES_DIR: fixturesDir, CC_REPORTS_DIR: reportsDir, CC_EXPECTATIONS: 'observe', CC_WORKERS: '2' },
  });
  const runs = readdirSync(join(reportsDir, 'runs'));
  expect(runs, `${args.join(' ')}: one run written\n${ran.stdout}\n${ran.stderr}`).to.have.length(1);
  return readResults(join(reportsDir, 'runs', runs[0]!)); // the run folder: its results.json.gz
}

/** Case × client → pinned facts (the fixture's observe list), for the cells that ran. */
function cells(r: RunResults): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const res of r.results) {
    const fixture = r.fixtures.find((f) => f.id === res.caseId)!;
    const facts = res.record ? computeFacts(res.record) : {};
    const pinned = Object.fromEntries(fixture.observe.map((f) => [f, (facts as Record<string, unknown>)[f]]));
    out.set(`${res.caseId} [${res.client}] ${res.status}`, pinned);
  }
  return out;
}

describe('sharded runs merged into one (npm test -- --shard=i/n, npm run merge)', function () {
  this.timeout(180_000);
  let dir: string;
  let shards: RunResults[];
  let full: RunResults;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-merge-test-'));
    const fixturesDir = join(dir, 'fixtures');
    for (const f of FIXTURES) {
      mkdirSync(join(fixturesDir, f.split('/')[0]!), { recursive: true });
      copyFileSync(join(ROOT, 'fixtures', f), join(fixturesDir, f));
    }
    shards = [1, 2].map((i) => run(join(dir, `shard-${i}`), fixturesDir, `--shard=${i}/2`));
    full = run(join(dir, 'full'), fixturesDir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each shard ran part of the cases and says which shard it was', () => {
    expect(shards.map((s) => s.run.shard)).to.deep.equal([
      { current: 1, total: 2 },
      { current: 2, total: 2 },
    ]);
    for (const s of shards) expect(s.results.length).to.be.greaterThan(0).and.lessThan(full.results.length);
  });

  it('two shards merged give the case × client set and the pinned facts of one full run', () => {
    const merged = mergeRuns(
      shards.map((run, i) => ({ path: `shard-${i + 1}`, run })),
      { id: 'merged' },
    );
    expect(merged.results.length).to.equal(full.results.length);
    expect([...cells(merged).keys()].sort()).to.deep.equal([...cells(full).keys()].sort());
    expect(Object.fromEntries(cells(merged))).to.deep.equal(Object.fromEntries(cells(full)));
    expect(merged.run.merged).to.have.length(2);
  });

  it('refuses a run of another fixture set, and overlapping runs, unless forced', () => {
    const other: RunResults = { ...shards[1]!, fixtures: shards[1]!.fixtures.slice(1) };
    expect(() =>
      mergeRuns(
        [
          { path: 'a', run: shards[0]! },
          { path: 'b', run: other },
        ],
        { id: 'x' },
      ),
    )
      .to.throw(MergeError)
      .with.property('message')
      .that.matches(/b ran another fixture set than a/);
    expect(() =>
      mergeRuns(
        [
          { path: 'a', run: full },
          { path: 'b', run: shards[0]! },
        ],
        { id: 'x' },
      ),
    )
      .to.throw(MergeError)
      .with.property('message')
      .that.matches(/in both a and b|more than once|overlap/);
    expect(() =>
      mergeRuns(
        [
          { path: 'a', run: shards[0]! },
          { path: 'b', run: other },
        ],
        { id: 'x', force: true },
      ),
    ).to.not.throw();
  });
});
