/**
 * Whether the answer under test was served at all. The proxy logs which exchange answered each
 * request, and marks helper exchanges (a later visit's working tunnel) as working: a case whose
 * answer went to nobody (a preconnect or a pre-emptive retry took it, or no request came) tested
 * nothing, whatever its other facts say.
 */
import type { CaseRecord } from '../evidence/record';
import { liveEvents } from './live';

/** How many requests, while the case was live, got an exchange of the case other than a working helper. */
export function answerServed(rec: CaseRecord): number {
  return rec.connections.reduce((n, c) => n + liveEvents(c, rec).filter((e) => e.kind === 'exchange' && !e.working).length, 0);
}
