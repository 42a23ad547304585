/**
 * The guard of issue 31: every check of every consequence cell, driven from constructed facts
 * over every value of the facts it reads, fails only where the consequence itself was seen (the
 * values its control must show), and passes only where its absence was seen on a visit that
 * loaded the origin. A record that measured nothing ("no request", "not read", an error page) is
 * neither.
 */
import { expect } from 'chai';
import { loadFixtures, type LoadedFixture } from '../harness/cases/load';
import { evaluateChecks, matches } from '../harness/verdicts/evaluate';
import { FACTS, type FactName, type Facts } from '../harness/vocabulary/facts';

const fixtures = loadFixtures();
const byId = new Map(fixtures.map((f) => [f.id, f]));
const cells = fixtures.filter((f) => f.consequence && f.control);

/** Every value a fact can take that a test can name: a "one of" domain's values, else the values the fixtures name. */
function valuesOf(fact: FactName, named: readonly unknown[]): string[] {
  const d = FACTS[fact].domain;
  const listed = d.kind === 'one of' ? [...d.values] : [];
  const extra = d.kind === 'forms' ? d.forms.filter((f) => !/[<…]/.test(f.form)).map((f) => f.form) : [];
  return [...new Set([...listed, ...extra, ...named.flat().map(String)])];
}

function factsRead(f: LoadedFixture): FactName[] {
  return [...new Set(f.checks.flatMap((c) => c.outcomes.flatMap((o) => Object.keys(o.when))))] as FactName[];
}

describe('every consequence verdict is falsifiable (the guard)', () => {
  it('there are consequence cells to guard, each with its control', () => {
    expect(cells.length).to.be.above(50);
    for (const f of cells) expect(byId.get(f.control!)?.controls, f.id).to.not.equal(undefined);
  });

  for (const f of cells) {
    const controls = byId.get(f.control!)!.controls!;
    // A cell fails on any kind of the consequence (control.seen); its control must show every kind (control.shows).
    const control = { shows: controls.seen ?? controls.shows };
    const read = [...new Set([...factsRead(f), 'page' as FactName])];
    const named = (fact: FactName) => f.checks.flatMap((c) => c.outcomes.map((o) => o.when[fact]).filter((v) => v !== undefined));
    it(`${f.id}: a fail only on the consequence seen, a pass only on its absence seen on a loaded visit`, () => {
      // The cross product of the values of every fact the check reads.
      let combos: Facts[] = [{}];
      for (const fact of read)
        combos = combos.flatMap((c) => valuesOf(fact, [...named(fact), control.shows[fact] ?? []]).map((v) => ({ ...c, [fact]: v })));
      for (const facts of combos) {
        const seen = matches(control.shows, facts);
        for (const r of evaluateChecks(f, facts)) {
          if (r.verdict === 'fail') expect(seen, `${f.id} fails on ${JSON.stringify(facts)}`).to.equal(true);
          if (r.verdict === 'pass') {
            expect(seen, `${f.id} passes on ${JSON.stringify(facts)}`).to.equal(false);
            expect(facts.page, `${f.id} passes without a loaded visit: ${JSON.stringify(facts)}`).to.equal('loaded');
          }
          if (seen) expect(r.verdict, `${f.id} does not fail on the consequence ${JSON.stringify(facts)}`).to.equal('fail');
        }
      }
    });
  }

  it('the Set-Cookie control must show every cookie kind; a cell fails on any one kind', () => {
    const controls = byId.get('cq-control-cookie')!.controls!;
    expect(matches(controls.shows, { 'answer-cookies': 'cc_answer_host' })).to.equal(false);
    expect(matches(controls.shows, { 'answer-cookies': '__Host-cc_answer, cc_answer_host, cc_answer_parent' })).to.equal(true);
    const [r] = evaluateChecks(byId.get('cq-200-cookie')!, { 'answer-cookies': '__Host-cc_answer', page: 'loaded' });
    expect(r!.verdict).to.equal('fail');
  });

  it('a cell whose answer no request got cannot pass: "not exercised" (answer-served 0)', () => {
    const f = byId.get('cq-403-cookie')!;
    expect(evaluateChecks(f, { 'answer-cookies': 'none', page: 'loaded', 'answer-served': 1 })[0]!.verdict).to.equal('pass');
    const [r] = evaluateChecks(f, { 'answer-cookies': 'none', page: 'loaded', 'answer-served': 0 });
    expect(r!.verdict).to.equal('not measured');
    expect(r!.means).to.match(/^not exercised/);
    // A case without working helpers (every exchange is under test) is judged as before.
    const plain = byId.get('baseline-200');
    if (plain) expect(plain.proxy.exchanges.some((e) => e.working)).to.equal(false);
  });

  it('WebKitGTK\'s cq-407-hsts record of issue 31 ("http-visit: no request", "page: no outcome") is no finding', () => {
    const f = byId.get('cq-407-hsts')!;
    const [r] = evaluateChecks(f, { 'http-visit': 'no request', page: 'no outcome' });
    expect(r!.verdict).to.equal('not measured');
    expect(r!.means).to.match(/^not measured/);
  });
});
