/**
 * One severity, everywhere: whether a cell is a security finding, a broken MUST or SHOULD, or only
 * informs is decided here, from the requirement's level and the check's verdict, and read by the
 * matrix, the findings page, the errors-and-security page, JUnit and `npm run case`.
 */
import { isSecurity, requirement } from '../vocabulary/requirements';
import type { Verdict } from '../vocabulary/verdicts';

export const SEVERITIES = ['security', 'MUST', 'SHOULD', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The severity a requirement's broken check has. */
export function requirementSeverity(requirementId: string): Severity {
  const req = requirement(requirementId);
  if (!req) return 'informational';
  if (isSecurity(req)) return 'security';
  if (req.level === 'MUST' || req.level === 'MUST NOT (server)' || req.level === 'SHALL') return 'MUST';
  if (req.level === 'SHOULD') return 'SHOULD';
  return 'informational';
}

/** A check's finding severity: only a fail or a non-strict verdict is a finding. */
export function checkSeverity(check: { requirement: string; verdict: Verdict }): Severity | undefined {
  if (check.verdict !== 'fail' && check.verdict !== 'non-strict') return undefined;
  return requirementSeverity(check.requirement);
}

/** The gravest finding of a cell's checks, or undefined when the cell has none. */
export function cellSeverity(checks: readonly { requirement: string; verdict: Verdict }[] | undefined): Severity | undefined {
  const found = (checks ?? []).map(checkSeverity).filter((s): s is Severity => s !== undefined);
  return found.sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b))[0];
}
