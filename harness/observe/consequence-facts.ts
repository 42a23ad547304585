/**
 * What an answer did to the origin afterwards (the consequence matrix): where every visit ended,
 * which authorities the client asked the proxy for, whether an http: visit went out as https,
 * which cookies named by the case's answer came back, and whether the origin's own cookie and
 * storage item survived. Read on later visits through working tunnels, from typed evidence only.
 */
import { cookieNames, cookiePairs, isBrowserErrorPage, requestAuthority, withHostPlaceholder, type RequestHead } from '../wire/http-head';
import type { CaseRecord, NavigationRecord } from '../evidence/record';
import type { OriginEvent } from '../evidence/events';
import type { Facts } from '../vocabulary/facts';
import { isAnswerCookie, ORIGIN_STATE_KEY } from '../vocabulary/markers';
import { isLive } from './live';

/** Every visit, in order (a one-visit record has only its navigation). */
export function visitsOf(rec: CaseRecord): NavigationRecord[] {
  return rec.visits ?? (rec.navigation ? [rec.navigation] : []);
}

/** The visit (0-based) a moment of the case belongs to: the last visit begun at or before it. */
export function visitAt(rec: CaseRecord, t: number): number {
  const starts = rec.visitStarts ?? [0];
  let v = 0;
  for (let i = 0; i < starts.length; i++) if (starts[i]! <= t) v = i;
  return v;
}

/** Requests the client sent the proxy while the case was live, with the visit each came in. */
function proxyRequests(rec: CaseRecord): { head: RequestHead; visit: number }[] {
  return rec.connections
    .flatMap((c) => c.requests)
    .filter((r) => isLive(rec, r.t))
    .map((r) => ({ head: r.head, visit: visitAt(rec, r.t) }));
}

const authorityText = (a: { host: string; port: number }, host: string) => withHostPlaceholder(`${a.host}:${a.port}`, host);

/** Every authority (host:port) the client asked the proxy for, sorted, the case host written {host}. */
export function authorities(rec: CaseRecord): string {
  const seen = new Set<string>();
  for (const { head } of proxyRequests(rec)) {
    const a = requestAuthority(head);
    if (a) seen.add(authorityText(a, rec.host));
  }
  return seen.size ? [...seen].sort().join(', ') : 'none';
}

/** Where each visit ended: the final URL with {host}, "(error page)", or "none". */
export function visitUrls(rec: CaseRecord): string {
  const visits = visitsOf(rec);
  if (!visits.length) return 'none';
  return visits
    .map((v) => (!v.finalUrl ? 'none' : isBrowserErrorPage(v.finalUrl) ? '(error page)' : withHostPlaceholder(v.finalUrl, rec.host)))
    .join(' | ');
}

/** host + path of a URL (no query), or undefined for about:, data: and browser error pages. */
function place(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `${u.hostname.toLowerCase()}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** A request for a document (Fetch Metadata where the client sends it, else an Accept that asks for HTML). */
function isNavigationRequest(e: Extract<OriginEvent, { kind: 'request' }>): boolean {
  const get = (n: string) => e.headers.find((h) => h.name.toLowerCase() === n)?.value;
  const mode = get('sec-fetch-mode');
  if (mode !== undefined) return mode === 'navigate';
  return (get('accept') ?? '').includes('text/html');
}

/**
 * Whether something moved a visit away from the URL it asked for: a request at the proxy for
 * another host, a visit that ended on another host or path, or a navigation request at the origin
 * for a path no visit asked for. Every visit counts, not only the last.
 */
/**
 * Hosts the case itself sends the client to: its own, each visit's (v2.{host}), and the page's
 * subresource hosts (s1.{host}…, one character and a dot before the case host).
 */
function askedHosts(rec: CaseRecord, visits: readonly { url: string }[]): (host: string) => boolean {
  const visitHosts = new Set(visits.flatMap((v) => (URL.canParse(v.url) ? [new URL(v.url).hostname] : [])));
  return (host) =>
    host === rec.host ||
    visitHosts.has(host) ||
    (host.length === rec.host.length + 3 && host.startsWith('s') && host.endsWith(`.${rec.host}`));
}

export function redirectFollowed(rec: CaseRecord): 'yes' | 'no' {
  const visits = visitsOf(rec);
  const asked = askedHosts(rec, visits);
  if (proxyRequests(rec).some(({ head }) => requestAuthority(head) && !asked(requestAuthority(head)!.host))) return 'yes';
  for (const v of visits) {
    const asked = place(v.url);
    const ended = v.finalUrl && !isBrowserErrorPage(v.finalUrl) ? place(v.finalUrl) : undefined;
    if (asked && ended && asked !== ended) return 'yes';
  }
  const askedPaths = new Set(visits.flatMap((v) => (place(v.url) ? [new URL(v.url).pathname] : [])));
  const moved = rec.origin.some(
    (e) =>
      e.kind === 'request' &&
      isLive(rec, e.t) &&
      e.path !== '/favicon.ico' &&
      askedPaths.size > 0 &&
      !askedPaths.has(new URL(e.path, 'https://origin.invalid').pathname) &&
      isNavigationRequest(e),
  );
  return moved ? 'yes' : 'no';
}

/**
 * An http: visit after an answer that carried Strict-Transport-Security: did the client send it
 * as http, or upgrade it to https first? Read per visit window. An upgrade is only believed from
 * the visit's own request (the visit's path, for the case host) reaching the origin over TLS: the
 * absence of a :80 request proves nothing (a late retry of an earlier visit plus a visit that sent
 * nothing reads the same at the proxy).
 */
export function httpVisit(rec: CaseRecord): NonNullable<Facts['http-visit']> {
  const httpVisits = visitsOf(rec)
    .map((v, i) => ({ v, i }))
    .filter(({ v }) => v.url.startsWith('http:'));
  if (!httpVisits.length) return 'none';
  const inVisits = proxyRequests(rec).filter(({ visit }) => httpVisits.some(({ i }) => i === visit));
  const ports = inVisits.flatMap(({ head }) => {
    const a = requestAuthority(head);
    return a && a.host === rec.host ? [a.port] : [];
  });
  const ownRequests = rec.origin.filter(
    (e): e is Extract<OriginEvent, { kind: 'request' }> =>
      e.kind === 'request' &&
      isLive(rec, e.t) &&
      e.host === rec.host &&
      httpVisits.some(
        ({ v, i }) => i === visitAt(rec, e.t) && place(v.url) === `${e.host}${new URL(e.path, 'https://origin.invalid').pathname}`,
      ),
  );
  // HSTS means no http request at all: one sent as http (beside any https attempt, such as
  // Chromium's HTTPS-Upgrades probe) shows the policy was not noted.
  if (ports.some((p) => p !== 443) || ownRequests.some((e) => originScheme(e) === 'http')) return 'sent as http';
  return ownRequests.some((e) => originScheme(e) === 'https') ? 'upgraded to https' : 'no request';
}

/**
 * Whether a request reached the origin over TLS. Runs recorded before the origin kept it: a
 * request forwarded as http carries the absolute-form target the client sent the proxy; every
 * request through a TLS tunnel is origin-form.
 */
function originScheme(e: Extract<OriginEvent, { kind: 'request' }>): 'http' | 'https' {
  return e.scheme ?? (/^http:\/\//i.test(e.target) ? 'http' : 'https');
}

/**
 * Whether the client used an alternative service the answer advertised: a request for alt.{host},
 * or for the case host on a port other than 443 and 80 (the consequence cases' Alt-Svc fields name
 * alt.{host}:443 and :8443).
 */
export function altSvcUsed(rec: CaseRecord): 'yes' | 'no' {
  return proxyRequests(rec).some(({ head }) => {
    const a = requestAuthority(head);
    return !!a && (a.host === `alt.${rec.host}` || (a.host === rec.host && a.port !== 443 && a.port !== 80));
  })
    ? 'yes'
    : 'no';
}

/**
 * Cookies this case's answer set (named cc_answer…, valued with the case host) that came back: at
 * the origin or in any page's document.cookie. Another case's answer cookie (another host as its
 * value, reaching this host through Domain=connect.test in a shared jar) is not this case's doing.
 */
export function answerCookies(rec: CaseRecord): string {
  const names = new Set<string>();
  const mine = (p: { name: string; value: string }) => isAnswerCookie(p.name) && p.value === rec.host;
  for (const e of rec.origin)
    if (e.kind === 'request' || e.kind === 'websocket')
      for (const h of e.headers)
        if (h.name.toLowerCase() === 'cookie') for (const p of cookiePairs(h.value)) if (mine(p)) names.add(p.name);
  for (const v of visitsOf(rec)) for (const p of cookiePairs(v.cookies ?? '')) if (mine(p)) names.add(p.name);
  return names.size ? [...names].sort().join(', ') : 'none';
}

/**
 * The origin's own cookie and storage item (set on the first visit) as the last visit's page saw
 * them: kept, or which were cleared; "never set" when no visit's page ever saw either.
 */
export function originState(rec: CaseRecord): NonNullable<Facts['origin-state']> {
  const visits = visitsOf(rec);
  const has = (v: NavigationRecord) => ({
    cookie: cookieNames(v.cookies ?? '').includes(ORIGIN_STATE_KEY),
    storage: (v.storage ?? []).includes(ORIGIN_STATE_KEY),
  });
  if (!visits.some((v) => has(v).cookie || has(v).storage)) return visits.some((v) => v.cookies !== undefined) ? 'never set' : 'not read';
  const last = visits[visits.length - 1]!;
  // An error page's document.cookie is empty whatever the origin's state: only the origin's own page reads it.
  if (!last.originMarkerFound || (last.cookies === undefined && last.storage === undefined)) return 'not read';
  const { cookie, storage } = has(last);
  return cookie && storage ? 'kept' : cookie ? 'storage cleared' : storage ? 'cookie cleared' : 'both cleared';
}

export function consequenceFacts(
  rec: CaseRecord,
): Pick<Facts, 'visit-urls' | 'authorities' | 'redirect-followed' | 'http-visit' | 'alt-svc-used' | 'answer-cookies' | 'origin-state'> {
  return {
    'visit-urls': visitUrls(rec),
    authorities: authorities(rec),
    'redirect-followed': redirectFollowed(rec),
    'http-visit': httpVisit(rec),
    'alt-svc-used': altSvcUsed(rec),
    'answer-cookies': answerCookies(rec),
    'origin-state': originState(rec),
  };
}
