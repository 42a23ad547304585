/**
 * The answers first: every fail, non-strict verdict, security finding, change since 2015 and
 * difference between engines of a run, each as one plain sentence with its clients, its
 * requirement and links to the evidence, grouped by severity. Computed from the matrix, so the
 * findings page and the matrix never disagree.
 */
import type { Cell, Matrix, Row } from './view-model';
import { checkSeverity, SEVERITIES, type Severity } from '../verdicts/severity';

export { SEVERITIES, type Severity } from '../verdicts/severity';

export interface Finding {
  severity: Severity;
  kind: 'fail' | 'non-strict' | 'security' | 'changed since 2015' | 'engines differ';
  caseId: string;
  caseTitle: string;
  requirement?: string;
  /** The sentence, without the client names (they are listed beside it). */
  sentence: string;
  clients: { name: string; label: string }[];
  /** A cell of the consequence matrix: which header in which answer shape, over which transport. */
  consequence?: { header: string; shape: string; shapeTitle: string; source: string; transport: string };
}

/** How a client project reaches the proxy, in words. */
export function transportWords(client: string): string {
  const { transport } = split(client);
  return transport === '-h2'
    ? 'an HTTPS proxy speaking HTTP/2'
    : transport === '-h1-tls'
      ? 'an HTTPS proxy (HTTP/1.1)'
      : 'an HTTP/1.1 proxy';
}

/** The browser engines whose columns are compared with each other (over the same transport). */
const ENGINES = ['chromium', 'firefox', 'webkit'];

/** Project name → engine and transport suffix ("firefox-h2" → firefox, "-h2"). */
function split(client: string): { engine: string; transport: string } {
  const m = /^(.*?)(-h1-tls|-h2)?$/.exec(client)!;
  return { engine: m[1]!, transport: m[2] ?? '' };
}

export function findings(m: Matrix): Finding[] {
  const label = (name: string) => m.clients.find((c) => c.name === name)?.label ?? name;
  const version = (name: string) => m.clients.find((c) => c.name === name)?.version;
  const grouped = new Map<string, Finding>();
  const add = (f: Omit<Finding, 'clients'>, client: string) => {
    const key = `${f.kind}\u0000${f.caseId}\u0000${f.requirement ?? ''}\u0000${f.sentence}`;
    const existing = grouped.get(key) ?? { ...f, clients: [] };
    existing.clients.push({ name: client, label: label(client) });
    grouped.set(key, existing);
  };
  for (const row of m.groups.flatMap((g) => g.rows)) {
    const base = { caseId: row.fixture.id, caseTitle: row.fixture.title };
    for (const cell of row.cells) {
      // A cell whose dependency failed is reported through that dependency, not again.
      if (cell.verdict === 'dependency failed') continue;
      for (const check of cell.checks ?? []) {
        const severity = checkSeverity(check);
        if (!severity) continue;
        const cq = row.fixture.consequence;
        if (cq) {
          // A sentence a browser engineer can paste into a bug: client, version, shape, header, transport.
          const host = cell.result?.record?.host ?? '{host}';
          const who = `${label(cell.client)} ${version(cell.client) ?? ''}`.trim();
          add(
            {
              ...base,
              severity,
              kind: severity === 'security' ? 'security' : check.verdict === 'non-strict' ? 'non-strict' : 'fail',
              requirement: check.requirement,
              sentence: `${who}: ${check.means.replaceAll('{host}', host)}, through ${transportWords(cell.client)}`,
              consequence: {
                header: cq.header,
                shape: cq.shape,
                shapeTitle: cq.shapeTitle,
                source: cq.source,
                transport: transportWords(cell.client),
              },
            },
            cell.client,
          );
          continue;
        }
        add(
          {
            ...base,
            severity,
            kind: severity === 'security' ? 'security' : check.verdict === 'non-strict' ? 'non-strict' : 'fail',
            requirement: check.requirement,
            sentence: check.means,
          },
          cell.client,
        );
      }
      if (cell.history?.status === 'changed') {
        const diffs = cell.history.diffs.map((d) => `${d.fact} was ${d.was}, now ${d.now}`).join('; ');
        add(
          { ...base, severity: 'informational', kind: 'changed since 2015', sentence: `changed since 2015 ${cell.history.cite}: ${diffs}` },
          cell.client,
        );
      }
    }
    for (const f of engineDifferences(row))
      grouped.set(`engines\u0000${row.fixture.id}\u0000${f.sentence}`, {
        ...f,
        clients: f.clients.map((c) => ({ name: c.name, label: label(c.name) })),
      });
  }
  const rank = (f: Finding) =>
    SEVERITIES.indexOf(f.severity) * 10 + ['security', 'fail', 'non-strict', 'engines differ', 'changed since 2015'].indexOf(f.kind);
  return [...grouped.values()].sort((a, b) => rank(a) - rank(b) || a.caseId.localeCompare(b.caseId));
}

/** Where the browser engines, over one transport, observe different facts for a case. */
function engineDifferences(row: Row): Finding[] {
  const byTransport = new Map<string, Cell[]>();
  for (const cell of row.cells) {
    const { engine, transport } = split(cell.client);
    if (!ENGINES.includes(engine) || !cell.facts) continue;
    byTransport.set(transport, [...(byTransport.get(transport) ?? []), cell]);
  }
  const out: Finding[] = [];
  for (const cells of byTransport.values()) {
    if (cells.length < 2) continue;
    const differing = row.fixture.observe.filter((f) => new Set(cells.map((c) => String(c.facts?.[f]))).size > 1);
    if (!differing.length) continue;
    const sentence = `engines differ on ${differing.join(', ')}: ${cells.map((c) => `${c.client} ${differing.map((f) => String(c.facts?.[f])).join(' / ')}`).join('; ')}`;
    out.push({
      severity: 'informational',
      kind: 'engines differ',
      caseId: row.fixture.id,
      caseTitle: row.fixture.title,
      sentence,
      clients: cells.map((c) => ({ name: c.client, label: c.client })),
    });
  }
  return out;
}
