/**
 * The answers first: every fail, non-strict verdict, security finding, change since 2015 and
 * difference between engines of a run, each as one plain sentence with its clients, its
 * requirement and links to the evidence, grouped by severity. Computed from the matrix, so the
 * findings page and the matrix never disagree.
 */
import { requirement, isSecurity, type Requirement } from '../vocabulary/requirements';
import type { Cell, Matrix, Row } from './view-model';
import { committedWithoutOrigin } from './summary-page';

export const SEVERITIES = ['security', 'MUST', 'SHOULD', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  severity: Severity;
  kind: 'fail' | 'non-strict' | 'security' | 'changed since 2015' | 'engines differ';
  caseId: string;
  caseTitle: string;
  requirement?: string;
  /** The sentence, without the client names (they are listed beside it). */
  sentence: string;
  clients: { name: string; label: string }[];
}

/** The browser engines whose columns are compared with each other (over the same transport). */
const ENGINES = ['chromium', 'firefox', 'webkit'];

function severityOf(req: Requirement | undefined): Severity {
  if (!req) return 'informational';
  if (isSecurity(req)) return 'security';
  if (req.level === 'MUST' || req.level === 'MUST NOT (server)' || req.level === 'SHALL') return 'MUST';
  if (req.level === 'SHOULD') return 'SHOULD';
  return 'informational';
}

/** Project name → engine and transport suffix ("firefox-h2" → firefox, "-h2"). */
function split(client: string): { engine: string; transport: string } {
  const m = /^(.*?)(-h1-tls|-h2)?$/.exec(client)!;
  return { engine: m[1]!, transport: m[2] ?? '' };
}

export function findings(m: Matrix): Finding[] {
  const label = (name: string) => m.clients.find((c) => c.name === name)?.label ?? name;
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
        const req = requirement(check.requirement);
        const severity = severityOf(req);
        if (check.verdict === 'fail' || check.verdict === 'non-strict') {
          add(
            {
              ...base,
              severity,
              kind: severity === 'security' ? 'security' : check.verdict,
              requirement: check.requirement,
              sentence: check.means,
            },
            cell.client,
          );
        }
      }
      if (committedWithoutOrigin(cell)) {
        add(
          {
            ...base,
            severity: 'security',
            kind: 'security',
            sentence: `committed HTTP ${String(cell.facts?.['committed-status'])} under the https URL with no TLS to the origin: the proxy's bytes became the page`,
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
