/**
 * Positive controls: a pass needs a measurement that could have seen the fail. A case naming a
 * control (a case where the origin itself causes the consequence) keeps a pass or informational
 * verdict for a client only where that control showed the consequence there; otherwise the cell is
 * unsupported (blind here). A fail too: a finding rests on a measurement shown to work in that
 * client (a consequence "seen" where the origin's own header shows nothing is more likely the
 * harness's misreading than the client's). One rule, read by the report and by `npm run case`.
 */
import type { Fixture } from '../cases/schema';
import type { Facts } from '../vocabulary/facts';
import type { CellVerdict } from '../vocabulary/verdicts';
import { matches, type FactMatch } from './evaluate';

/** Why a cell's verdict becomes unsupported, or undefined when it stands. */
export function uncontrolledBecause(
  fixture: Pick<Fixture, 'control'>,
  verdict: CellVerdict,
  control: Pick<Fixture, 'controls'> | undefined,
  controlCell: { facts?: Facts; verdict?: CellVerdict } | undefined,
): string | undefined {
  if (!fixture.control || !['pass', 'informational', 'not measured', 'fail', 'non-strict'].includes(verdict)) return undefined;
  if (control?.controls && controlCell?.facts && matches(control.controls.shows as FactMatch, controlCell.facts)) return undefined;
  if (!controlCell?.facts)
    return `its control ${fixture.control} has no observation for this client (${controlCell?.verdict ?? 'not run'})`;
  return `its control ${fixture.control} did not show the consequence (${control?.controls?.consequence ?? '?'}) in this client, so this measurement is blind here: it could not have seen a fail, and what it saw is no finding`;
}
