import { expect } from 'chai';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadFixtures, parseFixture, FixtureError, AggregateFixtureError, FIXTURES_DIR } from '../harness/cases/load';
import { fixtureJsonSchema } from '../harness/cases/json-schema';
import { NOT_TESTABLE_IN_BROWSERS, REQUIREMENT_IDS, REQUIREMENTS } from '../harness/cases/requirements';

const valid = () => JSON.parse(readFileSync(join(FIXTURES_DIR, '2xx/baseline-200.json'), 'utf8'));

function problemsOf(mutate: (f: Record<string, any>) => void, file = 'fixtures/2xx/baseline-200.json'): { field: string; message: string }[] {
  const f = valid();
  mutate(f);
  try {
    parseFixture(file, JSON.stringify(f));
  } catch (e) {
    expect(e).to.be.instanceOf(FixtureError);
    expect((e as FixtureError).message).to.contain(file);
    return (e as FixtureError).problems;
  }
  throw new Error('the fixture was accepted');
}

describe('fixtures', () => {
  it('every committed fixture loads, with a unique id', () => {
    const all = loadFixtures();
    expect(all.length).to.be.greaterThan(10);
    expect(new Set(all.map((f) => f.id)).size).to.equal(all.length);
  });

  it('covers every 2015 observation [34]–[42]', () => {
    const cited = new Set(loadFixtures().flatMap((f) => Object.values(f.history2015 ?? {}).map((h) => h?.cite)));
    for (const id of [34, 35, 36, 37, 38, 39, 40, 41, 42]) expect(cited, `[${id}]`).to.include(`[${id}]`);
  });

  it('fixtures/schema.json is up to date (npm run schema)', () => {
    expect(readFileSync(join(FIXTURES_DIR, 'schema.json'), 'utf8')).to.equal(fixtureJsonSchema());
  });

  it('rejects an unknown step kind, naming the field', () => {
    const p = problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'explode' }));
    expect(p[0]!.field).to.equal('proxy.exchanges[0].steps[0].do');
  });

  it('rejects a missing required field', () => {
    const p = problemsOf((f) => delete f.title);
    expect(p.map((x) => x.field)).to.include('title');
  });

  it('rejects a fact name that does not exist', () => {
    const p = problemsOf((f) => (f.observe = ['page', 'colour']));
    expect(p[0]!.field).to.equal('observe[1]');
  });

  it('rejects a send step with both text and hex', () => {
    const p = problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'send', text: 'a', hex: '00' }));
    expect(p[0]!.field).to.equal('proxy.exchanges[0].steps[0]');
    expect(p[0]!.message).to.match(/exactly one/);
  });

  it('rejects non-Latin-1 text (one byte per character)', () => {
    const p = problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'send', text: 'HTTP/1.1 200 \u2603\r\n\r\n' }));
    expect(p[0]!.message).to.match(/Latin-1/);
  });

  it('rejects "non-strict" for a MUST requirement', () => {
    const p = problemsOf((f) => (f.checks[0].otherwise.verdict = 'non-strict'));
    expect(p[0]!.field).to.equal('checks[0].otherwise.verdict');
    expect(p[0]!.message).to.match(/not a verdict for a MUST/);
  });

  it('rejects a conditional last exchange (a request could go unanswered)', () => {
    const p = problemsOf((f) => (f.proxy.exchanges[0].when = { proxyAuthorization: 'present' }));
    expect(p[0]!.field).to.equal('proxy.exchanges[0].when');
  });

  it('rejects steps after a terminal step', () => {
    const p = problemsOf((f) => f.proxy.exchanges[0].steps.push({ do: 'wait', ms: 1 }));
    expect(p[0]!.field).to.equal('proxy.exchanges[0].steps[2]');
  });

  it('rejects a verdict rule on a fact the fixture does not observe', () => {
    const p = problemsOf((f) => (f.checks[0].outcomes[0].when = { 'early-bytes': 'none' }));
    expect(p[0]!.field).to.equal('checks[0].outcomes[0].when.early-bytes');
  });

  it('rejects an id that does not match the file name', () => {
    const p = problemsOf((f) => (f.id = 'other-name'));
    expect(p[0]).to.deep.equal({ field: 'id', message: '"other-name" must match the file name "baseline-200.json"' });
  });

  it('rejects an unknown requirement id and a requirement without a check', () => {
    expect(problemsOf((f) => f.requirements.push('req-nonsense'))[0]!.field).to.equal('requirements[1]');
    expect(problemsOf((f) => f.requirements.push('resp-no-cache'))[0]!.message).to.match(/no entry in "checks"/);
  });

  it('reports invalid JSON with the file name', () => {
    expect(() => parseFixture('fixtures/x/broken.json', '{ "id": ')).to.throw(FixtureError, /fixtures\/x\/broken\.json[\s\S]*not valid JSON/);
  });

  it('loadFixtures reports every broken file in a folder at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-fixtures-'));
    mkdirSync(join(dir, 'fixtures'));
    writeFileSync(join(dir, 'fixtures', 'a.json'), '{');
    writeFileSync(join(dir, 'fixtures', 'b.json'), JSON.stringify({ ...valid(), id: 'b', title: '' }));
    try {
      loadFixtures(join(dir, 'fixtures'));
      throw new Error('accepted');
    } catch (e) {
      expect(e).to.be.instanceOf(AggregateFixtureError);
      expect((e as Error).message).to.contain('fixtures/a.json').and.to.contain('fixtures/b.json').and.to.contain('title');
    }
  });

  it('knows every requirement id of the reference list', () => {
    expect(REQUIREMENT_IDS.length).to.be.greaterThan(20);
  });
});

describe('coverage', () => {
  it('every requirement row has a fixture or a reason it cannot be tested in browsers', () => {
    const all = loadFixtures();
    const missing = REQUIREMENTS.filter((r) => !all.some((f) => f.requirements.includes(r.id as never)) && !NOT_TESTABLE_IN_BROWSERS[r.id]).map((r) => r.id);
    expect(missing).to.deep.equal([]);
  });

  it('every HTTP/1.1 requirement row is tested by at least one fixture', () => {
    const all = loadFixtures();
    const rows = REQUIREMENTS.filter((r) => r.family === 'HTTP/1.1 CONNECT request' || r.family === 'Responses to CONNECT' || r.id === 'rfc2817-426');
    const untested = rows.filter((r) => !all.some((f) => f.requirements.includes(r.id as never))).map((r) => r.id);
    expect(untested).to.deep.equal([]);
  });
});
