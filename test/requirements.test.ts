import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REQUIREMENTS, requirementLink } from '../harness/vocabulary/requirements';
import { OBSERVATIONS_2015 } from '../harness/vocabulary/history-2015';

const reference = resolve(import.meta.dirname ?? '.', '../../shared/reference/requirements.md');

describe('requirements table', () => {
  it('matches shared/reference/requirements.md row for row (ids and levels)', function () {
    if (!existsSync(reference)) this.skip();
    const rows = readFileSync(reference, 'utf8')
      .split('\n')
      .map((l) => /^\| ([a-z0-9-]+) \| ([^|]+) \|/.exec(l))
      .filter((m): m is RegExpExecArray => !!m && m[1] !== 'id')
      .map((m) => ({ id: m[1], level: m[2]!.trim() }));
    expect(REQUIREMENTS.map((r) => ({ id: r.id, level: r.level }))).to.deep.equal(rows);
  });

  it('links RFC sections to rfc-editor.org anchors', () => {
    const byId = (id: string) => REQUIREMENTS.find((r) => r.id === id)!;
    expect(requirementLink(byId('req-authority-form'))).to.equal('https://www.rfc-editor.org/rfc/rfc9110.html#section-9.3.6');
    expect(requirementLink(byId('req-no-proxy-connection'))).to.equal('https://www.rfc-editor.org/rfc/rfc9112.html#appendix-C.2.2');
  });

  it('has the 2015 observations [34]–[42]', () => {
    expect(Object.keys(OBSERVATIONS_2015)).to.deep.equal(['[34]', '[35]', '[36]', '[37]', '[38]', '[39]', '[40]', '[41]', '[42]']);
  });
});
