/** Who ended the first connection while the case was live, and how long the client took. */
import type { CaseRecord } from '../evidence/record';
import type { ConnectionTrace, ProxyEventKind } from '../evidence/events';
import type { Facts } from '../vocabulary/facts';
import { liveEvents } from './live';

const ENDINGS = new Set<ProxyEventKind>(['client-fin', 'client-rst', 'proxy-fin', 'proxy-close', 'proxy-rst', 'origin-fin']);

export function closeFacts(first: ConnectionTrace | undefined, rec: CaseRecord): Pick<Facts, 'first-close' | 'client-close-ms'> {
  if (!first) return { 'first-close': 'neither' };
  const live = liveEvents(first, rec);
  const ending = live.find((e) => ENDINGS.has(e.kind));
  if (!ending) return { 'first-close': 'neither' };
  if (ending.kind !== 'client-fin' && ending.kind !== 'client-rst') return { 'first-close': 'proxy' };
  const lastSent = live.findLast((e) => e.kind === 'p2c' && e.t <= ending.t);
  return {
    'first-close': ending.kind === 'client-fin' ? 'client (FIN)' : 'client (RST)',
    ...(lastSent ? { 'client-close-ms': Math.round(ending.t - lastSent.t) } : {}),
  };
}
