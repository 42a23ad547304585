/**
 * What a fixture does not have to say because it follows from what it does say: its
 * requirements (from its checks), the facts it observes (those its checks and 2015 record use),
 * its dependencies (a case that tunnels means nothing where the plain tunnel fails), and how long
 * its script can keep a case busy.
 */
import type { FactName } from '../vocabulary/facts';
import type { RequirementId } from '../vocabulary/requirements';
import type { Check, Fixture, ParsedFixture, Step } from './schema';
import { standardCheck } from './standard-checks';
import { H2_STEPS } from './schema';

/** The case every tunnelling case depends on by default. */
export const BASELINE_CASE = 'baseline-200';

export function expandChecks(checks: ParsedFixture['checks']): Check[] {
  return checks.map((c) => (typeof c === 'string' ? (standardCheck(c) as Check) : c));
}

export function derive(parsed: ParsedFixture): Fixture {
  const checks = expandChecks(parsed.checks);
  const requirements = [...new Set(checks.map((c) => c.requirement))] as RequirementId[];
  const used = [
    ...checks.flatMap((c) => c.outcomes.flatMap((o) => Object.keys(o.when))),
    ...Object.values(parsed.history2015 ?? {}).flatMap((h) => Object.keys(h?.facts ?? {})),
  ] as FactName[];
  // The facts the checks and the 2015 record use come first; "observe" adds others (and places a
  // used fact where it lists it).
  const observe = [...new Set([...used.filter((f) => !parsed.observe.includes(f)), ...parsed.observe])];
  const tunnels = parsed.proxy.exchanges.some((ex) => ex.steps.some((s) => s.do === 'tunnel'));
  const dependsOn = parsed.dependsOn ?? (tunnels && parsed.id !== BASELINE_CASE ? [BASELINE_CASE] : []);
  // A list of URLs is the visits: one navigation per URL.
  const client = parsed.client.urls ? { ...parsed.client, visits: parsed.client.urls.length } : parsed.client;
  // A step that acts on the HTTP/2 session needs the session's frame tap: it implies a session profile.
  const scriptsSession = parsed.proxy.exchanges.some((ex) => ex.steps.some((s) => H2_STEPS.has(s.do)));
  const proxy = scriptsSession && !parsed.proxy.session ? { ...parsed.proxy, session: {} } : parsed.proxy;
  return { ...parsed, client, proxy, checks, requirements, observe, dependsOn };
}

/** The URL of each visit, {host} left in. */
export function visitUrls(fixture: Pick<Fixture, 'client'>): string[] {
  return fixture.client.urls ?? Array.from({ length: fixture.client.visits }, () => fixture.client.url);
}

type SendStep = Extract<Step, { do: 'send' }>;

/** The byte length of a piece of fixture text, a run-time {placeholder} counted at its longest (a DNS name). */
const textBytes = (text: string) => text.replace(/\{[a-z][a-z0-9-]*\}/g, 'x'.repeat(63)).length;
const hexLength = (hex: string) => hex.replace(/\s+/g, '').length / 2;

/** How many TCP segments a send step writes: its segments, or its bytes cut into chunkBytes pieces. */
export function sendSegmentCount(s: SendStep): number {
  if (!s.chunkBytes) return s.segments?.length ?? 1;
  const base = s.segments
    ? s.segments.reduce((n, seg) => n + ('text' in seg ? textBytes(seg.text) : hexLength(seg.hex)), 0)
    : s.text !== undefined
      ? textBytes(s.text)
      : hexLength(s.hex ?? '');
  // "Content-Length: N\r\n" added by contentLength "auto": at most 30 bytes.
  const total = (base + (s.contentLength ? 30 : 0)) * (s.repeat ?? 1);
  return Math.ceil(total / s.chunkBytes);
}

/** The longest a script can legitimately keep a case busy: its declared waits, holds and segment gaps. */
export function declaredWaitMs(fixture: Pick<Fixture, 'proxy'> & Partial<Pick<Fixture, 'client'>>): number {
  const stepMs = (s: Step) =>
    s.do === 'wait' || s.do === 'hold' ? s.ms : s.do === 'send' ? (s.gapMs ?? 0) * (sendSegmentCount(s) - 1) : 0;
  const dwell = (fixture.client?.dwellMs ?? 0) * (fixture.client?.visits ?? 1);
  return dwell + fixture.proxy.exchanges.reduce((sum, ex) => sum + ex.steps.reduce((a, s) => a + stepMs(s), 0), 0);
}
