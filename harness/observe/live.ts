/**
 * What counts as the client's doing: evidence from before the harness began closing the
 * context. Anything later (a socket the harness tore down, a retry into a closed case) is not.
 */
import type { CaseRecord } from '../evidence/record';
import type { ConnectionTrace, ProxyEvent, RecordedRequest } from '../evidence/events';

export const isLive = (rec: CaseRecord, t: number): boolean => t < rec.harness.contextClosedAt;

export function liveEvents(c: ConnectionTrace, rec: CaseRecord): ProxyEvent[] {
  return c.events.filter((e) => isLive(rec, e.t));
}

/** Connections in the order they were opened. */
export function byOpening(rec: CaseRecord): ConnectionTrace[] {
  return [...rec.connections].sort((a, b) => a.openedAt - b.openedAt);
}

/** Every request at the proxy with its connection, in time order. */
export function allRequests(rec: CaseRecord): { conn: ConnectionTrace; r: RecordedRequest }[] {
  return rec.connections.flatMap((conn) => conn.requests.map((r) => ({ conn, r }))).sort((a, b) => a.r.t - b.r.t);
}
