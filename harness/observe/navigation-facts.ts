/** What the client ended up showing: the page, the error, the committed status, the final URL. */
import { cookiePairs, isBrowserErrorPage, withHostPlaceholder } from '../wire/http-head';
import { fromAnotherCase } from './origin-facts';
import type { CaseRecord } from '../evidence/record';
import { failureCode } from '../evidence/failure';
import type { Facts } from '../vocabulary/facts';

function page(rec: CaseRecord): NonNullable<Facts['page']> {
  const nav = rec.navigation;
  if (!nav) return 'no outcome';
  if (nav.originMarkerFound) return 'loaded';
  if (nav.proxyMarkerFound) return 'proxy body shown';
  const code = nav.failure && failureCode(nav.failure);
  if (code === 'timeout' || code === 'client crashed') return 'no outcome';
  if (nav.failure) return 'error page';
  return 'other content';
}

function finalUrl(rec: CaseRecord): string {
  const u = rec.navigation?.finalUrl;
  if (!u) return 'none';
  if (isBrowserErrorPage(u)) return '(error page)';
  return withHostPlaceholder(u, rec.host);
}

/** Cookie names any visit's page saw in document.cookie; "not read" when no visit read it. */
function pageCookies(rec: CaseRecord): string {
  const read = (rec.visits ?? (rec.navigation ? [rec.navigation] : [])).flatMap((v) => (v.cookies === undefined ? [] : [v.cookies]));
  if (!read.length) return 'not read';
  const names = new Set(read.flatMap(cookiePairs).flatMap((p) => (fromAnotherCase(p, rec.host) ? [] : [p.name])));
  return names.size ? [...names].sort().join(', ') : 'none';
}

export function navigationFacts(
  rec: CaseRecord,
): Pick<Facts, 'page' | 'error' | 'committed-status' | 'proxy-body-shown' | 'proxy-status-shown' | 'final-url' | 'page-cookies'> {
  const nav = rec.navigation;
  return {
    'page-cookies': pageCookies(rec),
    page: page(rec),
    error: nav?.failure ? failureCode(nav.failure) : nav ? 'none' : 'no navigation',
    'committed-status': nav?.committed ? (nav.status ?? 'unknown') : 'none',
    'proxy-body-shown': nav?.proxyMarkerFound ? 'yes' : 'no',
    'proxy-status-shown': nav?.proxyStatusMarkerFound ? 'yes' : 'no',
    'final-url': finalUrl(rec),
  };
}
