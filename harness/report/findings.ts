/**
 * The answers first: every fail, non-strict verdict, security finding, change since 2015 and
 * difference between engines of a run, each as one plain sentence with its clients, its
 * requirement and links to the evidence, grouped by severity. Computed from the matrix, so the
 * findings page and the matrix never disagree.
 *
 * A finding is one sentence of one case for the clients that share it. The page then groups the
 * findings whose clients and sentence (with its case-specific parts left open: the case's host, a
 * consequence cell's answer shape) are the same into one item, "in 12 cases: …", with the cases
 * listed; it counts both.
 *
 * Severity comes from the one definition (verdicts/severity.ts): a finding has its check's
 * severity (`checkSeverity`), and a cell's severity (`cellSeverity`, what the matrix, the case page
 * and JUnit show) is the gravest of its checks', so the gravest finding of a cell is the cell's.
 */
import type { Cell, Matrix, Row } from './view-model';
import { checkSeverity, SEVERITIES, type Severity } from '../verdicts/severity';
import { parseProjectName, TRANSPORTS, type Transport } from '../vocabulary/transports';
import { isBrowserEngine } from '../vocabulary/engines';

export { SEVERITIES, type Severity } from '../verdicts/severity';

export type FindingKind = 'fail' | 'non-strict' | 'security' | 'changed since 2015' | 'engines differ';
export const FINDING_KINDS: readonly FindingKind[] = ['security', 'fail', 'non-strict', 'engines differ', 'changed since 2015'];

export interface Finding {
  severity: Severity;
  kind: FindingKind;
  caseId: string;
  caseTitle: string;
  requirement?: string;
  /** The sentence, without the client names (they are listed beside it). */
  sentence: string;
  /**
   * The sentence with its case-specific parts as placeholders: "{host}" (the case's host) and
   * "{shape}" (a consequence cell's answer shape). Findings with the same clients and pattern are
   * one item on the page. Equal to `sentence` where nothing in it is specific to the case.
   */
  pattern: string;
  clients: { name: string; label: string }[];
  /** A cell of the consequence matrix: which header in which answer shape, over which transport. */
  consequence?: { header: string; shape: string; shapeTitle: string; source: string; transport: string };
}

/** Findings with the same severity, kind, requirement, clients and pattern, over one or more cases. */
export interface FindingGroup {
  severity: Severity;
  kind: FindingKind;
  requirement?: string;
  clients: { name: string; label: string }[];
  /** The pattern (see Finding.pattern); for a group of one case, its own sentence says the same with the values filled in. */
  pattern: string;
  /** The consequence header and transport the group's cases share (consequence-matrix findings). */
  consequence?: { header: string; transport: string };
  /** Each case with its own sentence, in case order. */
  cases: { caseId: string; caseTitle: string; sentence: string; shapeTitle?: string; source?: string }[];
}

type Clients = Pick<Matrix, 'clients'>;

/** The transport a client project reaches the proxy over (the matrix decided it: view-model.ts). */
export function transportOf(client: string, m?: Clients): Transport {
  return m?.clients.find((c) => c.name === client)?.transport ?? parseProjectName(client).transport;
}

/** How a client project reaches the proxy, in words: "an HTTP/1.1 proxy", "a proxy list (PAC)" (TRANSPORTS' labels). */
export function transportWords(client: string, m?: Clients): string {
  const label = TRANSPORTS[transportOf(client, m)].label;
  // "an" before a vowel sound: a vowel, or a spelt-out initialism (HTTP, HTTPS).
  return `${/^([aeiou]|HTTP)/i.test(label) ? 'an' : 'a'} ${label}`;
}

/** A project's client kind ("firefox-h2" → firefox) and transport: browser engines are compared per transport. */
function split(client: string, m: Clients): { engine: string; transport: Transport } {
  const c = m.clients.find((x) => x.name === client);
  return { engine: c?.kind ?? parseProjectName(client).client, transport: transportOf(client, m) };
}

export function findings(m: Matrix): Finding[] {
  const label = (name: string) => m.clients.find((c) => c.name === name)?.label ?? name;
  const version = (name: string) => m.clients.find((c) => c.name === name)?.version;
  const grouped = new Map<string, Finding>();
  const add = (f: Omit<Finding, 'clients' | 'pattern'> & { pattern?: string }, client: string) => {
    const key = `${f.kind}\u0000${f.caseId}\u0000${f.requirement ?? ''}\u0000${f.sentence}`;
    const existing = grouped.get(key) ?? { ...f, pattern: f.pattern ?? f.sentence, clients: [] };
    existing.clients.push({ name: client, label: label(client) });
    grouped.set(key, existing);
  };
  for (const row of m.groups.flatMap((g) => g.rows)) {
    const base = { caseId: row.fixture.id, caseTitle: row.fixture.title };
    for (const cell of row.cells) {
      // A cell whose dependency failed is reported through that dependency, not again (and has no
      // severity of its own in the matrix either).
      if (cell.verdict === 'dependency failed') continue;
      // A cell whose control did not show the consequence in this client measured nothing: no finding.
      if (cell.verdict === 'blind') continue;
      for (const check of cell.checks ?? []) {
        const severity = checkSeverity(check);
        if (!severity) continue;
        const kind = severity === 'security' ? 'security' : check.verdict === 'non-strict' ? 'non-strict' : 'fail';
        const cq = row.fixture.consequence;
        if (cq) {
          // A sentence a browser engineer can paste into a bug: client, version, shape, header, transport.
          const host = cell.result?.record?.host ?? '{host}';
          const who = `${label(cell.client)} ${version(cell.client) ?? ''}`.trim();
          const pattern = `${who}: ${check.means.replaceAll(cq.shapeTitle, '{shape}')}, through ${transportWords(cell.client, m)}`;
          add(
            {
              ...base,
              severity,
              kind,
              requirement: check.requirement,
              sentence: pattern.replaceAll('{shape}', cq.shapeTitle).replaceAll('{host}', host),
              pattern,
              consequence: {
                header: cq.header,
                shape: cq.shape,
                shapeTitle: cq.shapeTitle,
                source: cq.source,
                transport: transportWords(cell.client, m),
              },
            },
            cell.client,
          );
          continue;
        }
        add({ ...base, severity, kind, requirement: check.requirement, sentence: check.means }, cell.client);
      }
      if (cell.history?.status === 'changed') {
        const diffs = cell.history.diffs.map((d) => `${d.fact} was ${d.was}, now ${d.now}`).join('; ');
        add(
          { ...base, severity: 'informational', kind: 'changed since 2015', sentence: `changed since 2015 ${cell.history.cite}: ${diffs}` },
          cell.client,
        );
      }
    }
    for (const f of engineDifferences(row, m))
      grouped.set(`engines\u0000${row.fixture.id}\u0000${f.sentence}`, {
        ...f,
        clients: f.clients.map((c) => ({ name: c.name, label: label(c.name) })),
      });
  }
  return [...grouped.values()].sort((a, b) => rank(a) - rank(b) || a.caseId.localeCompare(b.caseId));
}

const rank = (f: { severity: Severity; kind: FindingKind }) => SEVERITIES.indexOf(f.severity) * 10 + FINDING_KINDS.indexOf(f.kind);

/**
 * One item per severity, kind, requirement, set of clients and pattern, with its cases in order.
 * Items come by severity and kind, then the ones over more cases first.
 */
export function groupFindings(list: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of list) {
    const key = [
      f.severity,
      f.kind,
      f.requirement ?? '',
      f.clients.map((c) => c.name).join(' '),
      f.consequence?.header ?? '',
      f.pattern,
    ].join('\u0000');
    const g: FindingGroup = groups.get(key) ?? {
      severity: f.severity,
      kind: f.kind,
      ...(f.requirement ? { requirement: f.requirement } : {}),
      clients: f.clients,
      pattern: f.pattern,
      ...(f.consequence ? { consequence: { header: f.consequence.header, transport: f.consequence.transport } } : {}),
      cases: [],
    };
    g.cases.push({
      caseId: f.caseId,
      caseTitle: f.caseTitle,
      sentence: f.sentence,
      ...(f.consequence ? { shapeTitle: f.consequence.shapeTitle, source: f.consequence.source } : {}),
    });
    groups.set(key, g);
  }
  const out = [...groups.values()];
  for (const g of out) g.cases.sort((a, b) => a.caseId.localeCompare(b.caseId));
  return out.sort((a, b) => rank(a) - rank(b) || b.cases.length - a.cases.length || a.cases[0]!.caseId.localeCompare(b.cases[0]!.caseId));
}

/** One client's findings, as if it were the only client named (so its items group over its own cases). */
export function findingsOf(list: readonly Finding[], client: string): Finding[] {
  return list.flatMap((f) => {
    const me = f.clients.find((c) => c.name === client);
    return me ? [{ ...f, clients: [me] }] : [];
  });
}

export interface FindingCounts {
  /** Items on the page: findings with the same clients and sentence in several cases count once. */
  findings: number;
  /** Case × sentence pairs (what the page listed one by one before grouping). */
  caseFindings: number;
  /** Distinct cases with at least one finding. */
  cases: number;
}

export function countFindings(list: readonly Finding[]): FindingCounts {
  return { findings: groupFindings(list).length, caseFindings: list.length, cases: new Set(list.map((f) => f.caseId)).size };
}

/** Counts in total, per severity and per client (each client's own view, its items grouped over its cases). */
export function findingsSummary(m: Matrix): {
  total: FindingCounts;
  bySeverity: Record<Severity, FindingCounts>;
  byClient: Record<string, Record<Severity, FindingCounts>>;
} {
  const all = findings(m);
  const per = (list: readonly Finding[]) =>
    Object.fromEntries(SEVERITIES.map((s) => [s, countFindings(list.filter((f) => f.severity === s))])) as Record<Severity, FindingCounts>;
  return {
    total: countFindings(all),
    bySeverity: per(all),
    byClient: Object.fromEntries(m.clients.map((c) => [c.name, per(findingsOf(all, c.name))])),
  };
}

/** Where the browser engines, over one transport, observe different facts for a case. */
function engineDifferences(row: Row, m: Clients): Finding[] {
  const byTransport = new Map<string, Cell[]>();
  for (const cell of row.cells) {
    const { engine, transport } = split(cell.client, m);
    if (!isBrowserEngine(engine) || !cell.facts) continue;
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
      pattern: sentence,
      clients: cells.map((c) => ({ name: c.client, label: c.client })),
    });
  }
  return out;
}
