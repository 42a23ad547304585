import { expect } from 'chai';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadFixtures, parseFixture, parseFixtureFile, FixtureError, AggregateFixtureError, FIXTURES_DIR } from '../harness/cases/load';
import { withContentLength } from '../harness/proxy/step-bytes';
import { fixtureJsonSchema, matrixJsonSchema } from '../harness/cases/json-schema';
import { NOT_COVERED_YET, NOT_TESTABLE_IN_BROWSERS, REQUIREMENT_IDS, REQUIREMENTS } from '../harness/vocabulary/requirements';

/** baseline-200 with its exchange and check written out in full, so a test can break one byte of them. */
const valid = () => ({
  ...JSON.parse(readFileSync(join(FIXTURES_DIR, '2xx/baseline-200.json'), 'utf8')),
  proxy: { exchanges: [{ steps: [{ do: 'send', text: 'HTTP/1.1 200 Connection established\r\n\r\n' }, { do: 'tunnel' }] }] },
  checks: [
    {
      requirement: 'resp-2xx-tunnel',
      outcomes: [{ when: { page: 'loaded' }, verdict: 'pass', means: "tunnel used: the origin's page loaded" }],
      otherwise: { verdict: 'fail', means: 'a 200 did not give a working tunnel' },
    },
  ],
});

function problemsOf(
  // biome-ignore lint/suspicious/noExplicitAny: a test mutates fixture JSON freely, to break it
  mutate: (f: Record<string, any>) => void,
  file = 'fixtures/2xx/baseline-200.json',
): { field: string; message: string }[] {
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
    expect(readFileSync(join(FIXTURES_DIR, 'matrix.schema.json'), 'utf8')).to.equal(matrixJsonSchema());
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

  it('keeps HTTP/2 steps and a session profile on the h2 transport, naming the step', () => {
    const steps = problemsOf((f) => f.proxy.exchanges[0].steps.splice(1, 0, { do: 'goaway', lastStream: 'below' }));
    expect(steps.map((p) => p.field)).to.deep.equal(['proxy.exchanges[0].steps[1]']);
    expect(steps[0]!.message).to.contain('only over HTTP/2');
    const profile = problemsOf((f) => (f.proxy.session = { maxConcurrentStreams: 1 }));
    expect(profile.map((p) => p.field)).to.deep.equal(['proxy.session']);
    // Over h2 alone both are fine, and an HTTP/2 step implies the session profile.
    const ok = valid();
    ok.transports = ['h2'];
    ok.proxy.exchanges[0].steps.splice(1, 0, { do: 'window-update', increment: 1 });
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(ok)).proxy.session).to.deep.equal({});
  });

  it('rejects an HTTP/2 error code that does not exist, listing the names', () => {
    const p = problemsOf((f) => {
      f.transports = ['h2'];
      f.proxy.exchanges[0].steps = [{ do: 'rst-stream', code: 'REFUSED' }];
    });
    expect(p[0]!.field).to.match(/^proxy\.exchanges\[0\]\.steps\[0\]/);
    expect(p.map((x) => x.message).join(' ')).to.contain('REFUSED_STREAM');
  });

  it('keeps a first proxy (a proxy list) on the "list" transport only', () => {
    const p = problemsOf((f) => (f.proxy.first = 'refused'));
    expect(p.map((x) => x.field)).to.deep.equal(['proxy.first']);
    const ok = valid();
    ok.transports = ['list'];
    ok.proxy.first = { exchanges: ['tunnel'] };
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(ok)).proxy.first).to.not.equal(undefined);
  });

  it('observes every fact a verdict rule or the 2015 record uses, before the declared ones (unless it places one)', () => {
    const f = valid();
    f.checks[0].outcomes[0].when = { 'early-bytes': 'none' };
    f.history2015 = { chrome: { cite: '[37]', observed: 'x', facts: { 'first-close': 'proxy' } } };
    f.observe = ['error', 'connects'];
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(f)).observe).to.deep.equal([
      'early-bytes',
      'first-close',
      'error',
      'connects',
    ]);
    f.observe = ['error', 'first-close', 'connects'];
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(f)).observe).to.deep.equal([
      'early-bytes',
      'error',
      'first-close',
      'connects',
    ]);
  });

  it('rejects a misspelt fact value, listing the allowed ones', () => {
    const p = problemsOf((f) => (f.checks[0].outcomes[0].when = { page: 'laoded' }));
    expect(p).to.deep.equal([
      {
        field: 'checks[0].outcomes[0].when.page',
        message:
          '"laoded" is not a value of fact "page" (allowed: "loaded", "error page", "proxy body shown", "other content", "no outcome")',
      },
    ]);
    expect(problemsOf((f) => (f.checks[0].outcomes[0].when = { error: 'tunnel failed' }))[0]!.message).to.contain('net::ERR_…');
    const why = 'WebKit opens a speculative second connection before the harness closes anything';
    expect(problemsOf((f) => (f.intermittent = { webkit: { why, connects: [1, 'two'] } }))[0]!.field).to.equal(
      'intermittent.webkit.connects',
    );
  });

  it('asks for the evidence ("why") beside every intermittent declaration', () => {
    expect(problemsOf((f) => (f.intermittent = { webkit: { connects: [1, 2] } }))).to.deep.include({
      field: 'intermittent.webkit.why',
      message: 'Invalid input: expected string, received undefined',
    });
    expect(problemsOf((f) => (f.intermittent = { webkit: { why: 'flaky', connects: [1, 2] } }))[0]!.field).to.equal(
      'intermittent.webkit.why',
    );
  });

  it('derives requirements from checks, and says so when a fixture still lists them', () => {
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(valid())).requirements).to.deep.equal(['resp-2xx-tunnel']);
    expect(problemsOf((f) => (f.requirements = ['resp-2xx-tunnel']))).to.deep.equal([
      { field: 'requirements', message: 'is derived from "checks" now: remove it' },
    ]);
  });

  it('expands a standard check named by its requirement id', () => {
    const f = valid();
    f.checks.push('resp-non2xx-not-origin');
    const loaded = parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(f));
    expect(loaded.checks[1]).to.deep.include({ requirement: 'resp-non2xx-not-origin' });
    expect(loaded.observe).to.include('proxy-body-shown');
    expect(problemsOf((x) => x.checks.push('resp-no-such-check'))[0]!.field).to.equal('checks[1]');
    expect(problemsOf((x) => x.checks.push('resp-2xx-tunnel'))).to.deep.equal([
      { field: 'checks', message: '"resp-2xx-tunnel" is checked twice: one check per requirement' },
    ]);
  });

  it('expands a family into one case per variant, and names the variant in errors', () => {
    const f = {
      ...valid(),
      id: 'fam',
      title: '{status} case',
      variants: [
        { id: 'fam-201', vars: { status: '201' } },
        { id: 'fam-299', vars: { status: '299' }, transports: ['h1'] },
      ],
    };
    f.proxy.exchanges[0].steps[0] = { do: 'send', contentLength: 'auto', text: 'HTTP/1.1 {status} X\r\n\r\nbody' };
    const cases = parseFixtureFile('fixtures/x/fam.json', JSON.stringify(f));
    expect(cases.map((c) => [c.id, c.title, c.family, c.transports.length])).to.deep.equal([
      ['fam-201', '201 case', 'fam', 3],
      ['fam-299', '299 case', 'fam', 1],
    ]);
    expect((cases[0]!.proxy.exchanges[0]!.steps[0] as { text: string }).text).to.equal('HTTP/1.1 201 X\r\n\r\nbody');
    const broken = {
      ...f,
      variants: [
        { id: 'fam-a', vars: { status: '201' } },
        { id: 'fam-b', vars: { status: '2x' }, group: 'nonsense' },
      ],
    };
    try {
      parseFixtureFile('fixtures/x/fam.json', JSON.stringify(broken));
      throw new Error('accepted');
    } catch (e) {
      expect((e as FixtureError).problems.map((p) => p.field)).to.deep.equal(['variants[1] (fam-b): group']);
    }
  });

  it('fills Content-Length for "contentLength": "auto", and refuses it without text', () => {
    expect(withContentLength(Buffer.from('HTTP/1.1 403 No\r\nA: b\r\n\r\nhello')).toString()).to.equal(
      'HTTP/1.1 403 No\r\nA: b\r\nContent-Length: 5\r\n\r\nhello',
    );
    expect(problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'send', hex: '00', contentLength: 'auto' }))[0]!.field).to.equal(
      'proxy.exchanges[0].steps[0].contentLength',
    );
  });

  it('derives a dependency on baseline-200 for a case that tunnels, and checks dependencies exist and do not loop', () => {
    const f = valid();
    f.id = 'other-tunnel';
    expect(parseFixture('fixtures/2xx/other-tunnel.json', JSON.stringify(f)).dependsOn).to.deep.equal(['baseline-200']);
    expect(parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(valid())).dependsOn).to.deep.equal([]);
    const dir = mkdtempSync(join(tmpdir(), 'cc-deps-'));
    mkdirSync(join(dir, 'fixtures'));
    writeFileSync(join(dir, 'fixtures', 'a.json'), JSON.stringify({ ...valid(), id: 'a', dependsOn: ['b'] }));
    writeFileSync(join(dir, 'fixtures', 'b.json'), JSON.stringify({ ...valid(), id: 'b', dependsOn: ['a', 'nowhere'] }));
    expect(() => loadFixtures(join(dir, 'fixtures'))).to.throw(
      /a\.json[\s\S]*dependsOn: a dependency cycle: a → b → a[\s\S]*b\.json[\s\S]*dependsOn: no case has the id "nowhere"/,
    );
  });

  it('rejects an id that does not match the file name', () => {
    const p = problemsOf((f) => (f.id = 'other-name'));
    expect(p[0]).to.deep.equal({ field: 'id', message: '"other-name" differs from the file name "baseline-200.json": leave "id" out' });
  });

  it('takes the id from the file name and the group from the folder; a written group that differs is an error', () => {
    const { id: _id, group: _group, ...short } = valid();
    const loaded = parseFixture('fixtures/non-2xx/my-case.json', JSON.stringify(short));
    expect([loaded.id, loaded.group]).to.deep.equal(['my-case', 'non-2xx']);
    expect(parseFixture('/tmp/x/my-case.json', JSON.stringify(short)).group).to.equal('other');
    expect(parseFixture('/tmp/x/my-case.json', JSON.stringify({ ...short, group: '407' })).group).to.equal('407');
    expect(problemsOf((f) => (f.group = '407'), 'fixtures/2xx/baseline-200.json')).to.deep.equal([
      { field: 'group', message: '"407" differs from the folder 2xx/ (group "2xx"): leave "group" out, or move the file' },
    ]);
  });

  it('short forms give the same case as the long form, byte for byte', () => {
    const long = parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(valid()));
    const named = parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify({ ...valid(), proxy: { exchanges: ['tunnel'] } }));
    const head = parseFixture(
      'fixtures/2xx/baseline-200.json',
      JSON.stringify({ ...valid(), proxy: { exchanges: [{ steps: [{ do: 'send', head: { status: 200 } }, 'tunnel'] }] } }),
    );
    expect(named.proxy).to.deep.equal(long.proxy);
    expect(head.proxy).to.deep.equal(long.proxy);
    const sent = (steps: unknown[]) =>
      (
        parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify({ ...valid(), proxy: { exchanges: [{ steps }] } })).proxy
          .exchanges[0]!.steps[0] as { text: string }
      ).text;
    expect(sent([{ do: 'send', head: { status: 407, headers: ['Proxy-Authenticate: Basic realm="x"'] }, body: 'hi' }, 'close'])).to.equal(
      'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\n\r\nhi',
    );
    expect(sent([{ do: 'send', head: { version: 'HTTP/1.0', status: 200, reason: 'OK' } }, 'tunnel'])).to.equal('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('names the field of a broken short form: an unknown name, a head line with CR LF, a body without a head', () => {
    expect(problemsOf((f) => (f.proxy.exchanges = ['tunel']))).to.deep.equal([
      { field: 'proxy.exchanges[0]', message: '"tunel" is not a name this field knows (known: tunnel); or write the object out' },
    ]);
    expect(problemsOf((f) => (f.proxy.exchanges[0].steps[1] = 'tunel'))[0]!.field).to.equal('proxy.exchanges[0].steps[1]');
    expect(
      problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'send', head: { status: 200, headers: ['A: b\r\nC: d'] } }))[0]!.field,
    ).to.equal('proxy.exchanges[0].steps[0].head.headers[0]');
    expect(problemsOf((f) => (f.proxy.exchanges[0].steps[0] = { do: 'send', text: 'x', body: 'y' }))[0]!.field).to.equal(
      'proxy.exchanges[0].steps[0].body',
    );
  });

  it('an outside folder runs on its own, brings the built-in cases it needs, and errors name its real path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-outside-'));
    const mine = { title: 'Mine', proxy: { exchanges: ['tunnel'] }, checks: ['resp-2xx-tunnel'] };
    writeFileSync(join(dir, 'my-case.json'), JSON.stringify(mine));
    const loaded = loadFixtures(dir);
    expect(loaded.map((f) => [f.id, f.file])).to.deep.equal([
      ['my-case', join(dir, 'my-case.json')],
      ['baseline-200', 'fixtures/2xx/baseline-200.json'],
    ]);
    expect(loaded[0]!.dependsOn).to.deep.equal(['baseline-200']);
    // a folder that defines baseline-200 itself uses its own
    writeFileSync(join(dir, 'baseline-200.json'), JSON.stringify({ ...mine, title: 'My baseline' }));
    expect(loadFixtures(dir).map((f) => [f.id, f.title])).to.deep.equal([
      ['baseline-200', 'My baseline'],
      ['my-case', 'Mine'],
    ]);
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...mine, dependsOn: ['nowhere'], control: 'no-control' }));
    expect(() => loadFixtures(dir)).to.throw(
      new RegExp(
        `${join(dir, 'broken.json')}: invalid fixture\\n  - control: no case has the id "no-control"[\\s\\S]*dependsOn: no case has the id "nowhere"`,
      ),
    );
  });

  it('every built-in case sits in a group folder and says what it does', () => {
    for (const f of loadFixtures(FIXTURES_DIR)) {
      expect(f.group, f.file).not.to.equal('other');
      expect(f.description, f.file).not.to.equal('');
    }
  });

  it('rejects an unknown requirement id', () => {
    expect(problemsOf((f) => (f.checks[0].requirement = 'req-nonsense'))[0]!.field).to.equal('checks[0].requirement');
  });

  it('reports invalid JSON with the file name', () => {
    expect(() => parseFixture('fixtures/x/broken.json', '{ "id": ')).to.throw(
      FixtureError,
      /fixtures\/x\/broken\.json[\s\S]*not valid JSON/,
    );
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
      expect((e as Error).message)
        .to.contain('fixtures/a.json')
        .and.to.contain('fixtures/b.json')
        .and.to.contain('title');
    }
  });

  it('validates every requirement id of the table, and no other', () => {
    expect(REQUIREMENT_IDS).to.have.length(REQUIREMENTS.length);
    for (const id of REQUIREMENT_IDS) {
      const f = valid();
      f.checks[0].requirement = id;
      f.checks[0].otherwise.verdict = 'informational'; // allowed at every level
      expect(() => parseFixture('fixtures/2xx/baseline-200.json', JSON.stringify(f)), id).not.to.throw();
    }
  });
});

describe('coverage', () => {
  it('every requirement row has a fixture or a reason it cannot be tested in browsers', () => {
    const all = loadFixtures();
    const missing = REQUIREMENTS.filter(
      (r) => !all.some((f) => f.requirements.includes(r.id as never)) && !NOT_TESTABLE_IN_BROWSERS[r.id] && !NOT_COVERED_YET[r.id],
    ).map((r) => r.id);
    expect(missing).to.deep.equal([]);
    // A row listed as not covered yet that has gained a case must leave the list.
    expect(Object.keys(NOT_COVERED_YET).filter((id) => all.some((f) => f.requirements.includes(id as never)))).to.deep.equal([]);
  });

  it('every HTTP/1.1 requirement row is tested by at least one fixture', () => {
    const all = loadFixtures();
    const rows = REQUIREMENTS.filter(
      (r) => r.family === 'HTTP/1.1 CONNECT request' || r.family === 'Responses to CONNECT' || r.id === 'rfc2817-426',
    );
    const untested = rows.filter((r) => !all.some((f) => f.requirements.includes(r.id as never))).map((r) => r.id);
    expect(untested).to.deep.equal([]);
  });
});
