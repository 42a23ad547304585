/**
 * Dependency-aware verdicts (as cache-tests' depends_on): a case that means nothing unless another
 * case passed for the same client says "dependency failed: <id>" when that one failed, instead of
 * adding its own fail to a cascade with one cause.
 */
import type { CellVerdict } from '../vocabulary/verdicts';

/** The dependencies that failed, given each dependency's verdict for this client (undefined: not run there). */
export function failedDependencies(
  dependsOn: readonly string[],
  verdictOf: (caseId: string) => CellVerdict | undefined,
): { caseId: string; verdict: CellVerdict }[] {
  return dependsOn.flatMap((caseId) => {
    const verdict = verdictOf(caseId);
    // A harness error or a skip says nothing about the client: only a judged failure counts.
    return verdict === 'fail' || verdict === 'dependency failed' ? [{ caseId, verdict }] : [];
  });
}
