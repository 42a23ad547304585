/**
 * Command clients, for real: each adapter below is a process the suite starts through the mock
 * proxy. A broken adapter must give a harness error that names the client, its command, the case
 * and what was wrong; a working one (the shipped Python requests adapter) must fill a column.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadFixtures } from '../harness/cases/load';
import type { LoadedFixture } from '../harness/cases/load';
import { loadCommandClients } from '../harness/clients/command';
import { Lab } from '../harness/runner/lab';
import { HarnessError, runCase } from '../harness/runner/run-case';
import { computeFacts } from '../harness/observe/facts';
import { SetupError } from '../harness/vocabulary/harness-errors';
import { failureText } from '../harness/evidence/failure';

const fixtures = loadFixtures();
const fixture = (id: string) => fixtures.find((f) => f.id === id)!;
/** The same case with a short client bound, so the hang test waits seconds, not the default bound. */
const quick = (f: LoadedFixture, timeoutMs: number): LoadedFixture => ({ ...f, client: { ...f.client, timeoutMs } });

const ADAPTERS: Record<string, string> = {
  silent: 'exit 0',
  'not-json': 'echo "HTTP/1.1 200 OK"',
  'bad-json': 'printf \'{"status": 200, "body": \'',
  'wrong-shape': 'echo \'{"ok": true}\'',
  'bad-code': 'echo \'{"error": {"code": "it broke", "message": "no"}}\'',
  hangs: 'sleep 60',
  works: `printf '{"status": 200, "body": "%s"}' "$CC_CASE_ID"`,
};

function clientsFile(dir: string, clients: object[]): string {
  const file = join(dir, 'clients.json');
  writeFileSync(file, JSON.stringify({ clients }));
  return file;
}

describe('command clients (any HTTP client, by command)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-command-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a malformed clients file naming the file and the field', () => {
    const file = clientsFile(dir, [{ name: 'Bad Name', label: 'x', command: [] }]);
    expect(() => loadCommandClients(file))
      .to.throw(SetupError)
      .with.property('message')
      .that.matches(/clients\.json: invalid clients file/)
      .and.matches(/clients\.0\.name/)
      .and.matches(/clients\.0\.command/);
  });

  describe('a broken adapter is a harness error that names it; the run goes on', () => {
    let lab: Lab;
    const kinds = () =>
      loadCommandClients(
        clientsFile(
          dir,
          Object.entries(ADAPTERS).map(([name, script]) => ({ name, label: name, command: ['/bin/sh', '-c', script] })),
        ),
      );
    const kind = (name: string) => kinds().find((k) => k.name === name)!;
    afterEach(async () => lab?.close());
    /** The harness error a case ends in (runCase throws it; the suite's worker records it in the cell). */
    const harnessError = async (f: LoadedFixture): Promise<string> => {
      const e = await runCase(lab, f).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, 'a harness error').to.be.instanceOf(HarnessError);
      return (e as Error).message;
    };

    const cases: [string, RegExp][] = [
      ['silent', /printed no JSON \(exit 0\)/],
      ['not-json', /printed invalid JSON .*HTTP\/1\.1 200 OK/],
      ['bad-json', /printed invalid JSON/],
      ['wrong-shape', /printed JSON of the wrong shape/],
      ['bad-code', /error code outside the fact vocabulary: "it broke"/],
    ];
    for (const [name, message] of cases) {
      it(`${name}: ${message.source}`, async () => {
        lab = await Lab.start(kind(name), 'h1');
        const error = await harnessError(fixture('baseline-200'));
        expect(error).to.match(message);
        expect(error).to.contain(`command client "${name}" (/bin/sh -c`);
        expect(error).to.contain('in case baseline-200');
        // The next case on the same lab still runs: one bad case never sinks the run.
        expect(await harnessError(fixture('status-403-body'))).to.match(message);
      });
    }

    it('hangs: killed after the case bound plus the grace period, with the process group', async () => {
      lab = await Lab.start(kind('hangs'), 'h1');
      expect(await harnessError(quick(fixture('baseline-200'), 500))).to.match(
        /command client "hangs" .* in case baseline-200 was still running 5500 ms .* killed/,
      );
    });

    it('a well-formed adapter gives a navigation, not a harness error', async () => {
      lab = await Lab.start(kind('works'), 'h1');
      const rec = await runCase(lab, fixture('baseline-200'));
      expect(rec.navigation?.status).to.equal(200);
      // It printed the case id, not the origin's marker: the page is not the origin's.
      expect(computeFacts(rec).page).to.not.equal('loaded');
    });
  });

  describe('the persistent mode (serve): one process per worker, a JSON line per visit', () => {
    let lab: Lab;
    afterEach(async () => lab?.close());
    const serving = (name: string, serve: string[]) =>
      loadCommandClients(clientsFile(dir, [{ name, label: name, command: ['/bin/sh', '-c', 'exit 9'], serve }]))[0]!;
    const contract = join(process.cwd(), 'command-clients');

    it('serves every visit of a worker from one process, and never carries a visit variable to the next visit', async () => {
      // Answers with its process id and the credentials it was given: one process, no credentials left over.
      const script = `import os, sys; sys.path.insert(0, ${JSON.stringify(contract)}); import cc_contract; cc_contract.run(lambda: {"status": 200, "body": str(os.getpid()) + " " + os.environ.get("CC_PROXY_USERNAME", "-")})`;
      lab = await Lab.start(serving('serving', ['/usr/bin/python3', '-c', script, '--serve']), 'h1');
      const withCredentials = await runCase(lab, fixture('auth-407-with-credentials'));
      const after = await runCase(lab, fixture('baseline-200'));
      const [pid1, user1] = withCredentials.navigation!.text.split(' ');
      const [pid2, user2] = after.navigation!.text.split(' ');
      expect(user1, 'the visit with credentials got them').to.equal('alice');
      expect(user2, 'the next visit got none').to.equal('-');
      expect(pid2, 'the same process served both').to.equal(pid1);
      expect((lab.driver.launchConfig as { mode: string }).mode).to.match(/one process per worker/);
    });

    it('a serving process that hangs is a harness error, killed, and the next visit gets a new one', async () => {
      // The first process hangs on its first visit; the next one answers (with the visit's nonce).
      const script = `import json, os, sys, time
for line in sys.stdin:
    v = json.loads(line)
    if os.path.exists(os.environ["CC_CA_FILE"] + ".hung"):
        print(json.dumps({"status": 200, "body": "again", "visit": v["CC_VISIT"]}), flush=True)
    else:
        open(os.environ["CC_CA_FILE"] + ".hung", "w").close(); time.sleep(60)`;
      lab = await Lab.start(serving('serving-hangs', ['/usr/bin/python3', '-c', script]), 'h1');
      const e = await runCase(lab, quick(fixture('baseline-200'), 500)).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).to.match(/command client "serving-hangs" [\s\S]* in case baseline-200 was still running 5500 ms .* killed/);
      const rec = await runCase(lab, fixture('baseline-200'));
      expect(rec.navigation?.text).to.equal('again');
    });

    it("an answer that is not the visit's (a stray line, another nonce) is a harness error, the process is replaced, and the next visit is answered right", async () => {
      // The first process prints a stray line before its first answer; every later answer is right.
      const script = `import json, os, sys
first = not os.path.exists(os.environ["CC_CA_FILE"] + ".stray")
for line in sys.stdin:
    v = json.loads(line)
    if first:
        open(os.environ["CC_CA_FILE"] + ".stray", "w").close()
        print(json.dumps({"status": 200, "body": "stray"}))
    print(json.dumps({"status": 200, "body": str(os.getpid()), "visit": v["CC_VISIT"]}), flush=True)`;
      lab = await Lab.start(serving('serving-stray', ['/usr/bin/python3', '-c', script]), 'h1');
      const e = await runCase(lab, fixture('baseline-200')).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).to.match(
        /command client "serving-stray" [\s\S]* in case baseline-200 answered without the visit nonce, not this visit/,
      );
      const next = await runCase(lab, fixture('baseline-200'));
      const again = await runCase(lab, fixture('baseline-200'));
      expect(next.navigation?.text, 'a new process, answering its own visit').to.match(/^\d+$/);
      expect(again.navigation?.text, 'the same new process').to.equal(next.navigation?.text);
    });

    it('CC_COMMAND_SERVE=0 runs the one-shot command instead', async () => {
      process.env.CC_COMMAND_SERVE = '0';
      try {
        lab = await Lab.start(serving('serving-off', ['/bin/sh', '-c', 'sleep 60']), 'h1');
        const e = await runCase(lab, fixture('baseline-200')).then(
          () => undefined,
          (err: unknown) => err as Error,
        );
        expect(e?.message).to.match(/printed no JSON \(exit 9\)/);
      } finally {
        delete process.env.CC_COMMAND_SERVE;
      }
    });
  });

  describe('the shipped Python requests adapter fills a column through the mock proxy', () => {
    const requests = loadCommandClients().find((k) => k.name === 'python-requests');
    let lab: Lab;
    before(async function () {
      if (!requests?.resolve().path) this.skip(); // npm run setup installs python3-requests on Debian
      lab = await Lab.start(requests!, 'h1');
    });
    after(async () => lab?.close());

    it('loads the origin through a 200 tunnel, proven by the marker', async () => {
      const rec = await runCase(lab, fixture('baseline-200'));
      expect(rec.client.version).to.match(/^requests \d/);
      expect(computeFacts(rec).page).to.equal('loaded');
      expect(computeFacts(rec)['request-line']).to.match(/^CONNECT \{host\}:443 HTTP\/1\.[01]$/);
    });

    it('reports a 403 to CONNECT as an error class with the raw message kept', async () => {
      const rec = await runCase(lab, fixture('status-403-body'));
      const facts = computeFacts(rec);
      expect(facts.page).to.not.equal('loaded');
      expect(facts.error).to.match(/^[A-Z][a-z][A-Za-z0-9]*$/);
      expect(rec.navigation?.failure && failureText(rec.navigation.failure)).to.contain('403');
    });
  });
});
