/**
 * Positive controls: a pass needs a measurement that could have seen the fail. A case naming a
 * control (a case where the origin itself causes the consequence) keeps a pass or informational
 * verdict for a client only where that control showed the consequence there; otherwise the cell is
 * unsupported. A fail stands: it was seen. One rule, read by the report and by `npm run case`.
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
  if (!fixture.control || (verdict !== 'pass' && verdict !== 'informational')) return undefined;
  if (control?.controls && controlCell?.facts && matches(control.controls.shows as FactMatch, controlCell.facts)) return undefined;
  if (!controlCell?.facts)
    return `its control ${fixture.control} has no observation for this client (${controlCell?.verdict ?? 'not run'})`;
  return `its control ${fixture.control} did not show the consequence (${control?.controls?.consequence ?? '?'}) in this client, so this measurement could not have seen a fail`;
}
