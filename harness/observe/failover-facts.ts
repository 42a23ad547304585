/**
 * Facts of a proxy list (proxy-failover): after the first proxy failed in visit 1, whether the
 * client went on to the next proxy (the mock proxy, b), and whether visit 2 went to the first
 * proxy again or straight to b (the bad proxy remembered). Read from both proxies' typed evidence.
 */
import type { CaseRecord } from '../evidence/record';
import type { Facts } from '../vocabulary/facts';
import { isLive } from './live';

export function failoverFacts(rec: CaseRecord): Facts {
  const first = rec.firstProxy;
  if (!first) return {};
  const starts = rec.visitStarts ?? [0];
  const secondVisit = starts[1] ?? Number.POSITIVE_INFINITY;
  const inVisit1 = (t: number) => t < secondVisit && isLive(rec, t);
  const inVisit2 = (t: number) => t >= secondVisit && isLive(rec, t);
  const atNext = rec.connections.flatMap((c) => c.requests.map((r) => r.t));
  // What reached the first proxy: its requests (a scripted one), else the connections it accepted.
  const atFirst = first.kind === 'script' ? first.connections.flatMap((c) => c.requests.map((r) => r.t)) : first.accepts;
  // The next proxy is a failover only after the first was tried: its port reached in visit 1, or
  // refused (nothing listens there, so the attempt leaves no trace but the client's going on).
  const firstTried = first.kind === 'refused' || first.accepts.some(inVisit1);
  const facts: Facts = {
    'next-proxy': !atNext.some(inVisit1) ? 'not used' : firstTried ? 'used' : 'used, first not tried',
  };
  // A refused connection leaves nothing at the first proxy's port: whether visit 2 tried it is not observable.
  if (first.kind !== 'refused' && starts.length > 1)
    facts['first-proxy-again'] = atFirst.some(inVisit2)
      ? 'tried again'
      : atNext.some(inVisit2)
        ? 'straight to the next proxy'
        : 'no new connection to either';
  if (first.kind !== 'refused') facts['first-proxy-reached'] = first.accepts.some(inVisit1) ? 'yes' : 'no';
  // The second visit is to another host (v2.{host}), so it needs a new tunnel and a choice of proxy.
  return facts;
}
