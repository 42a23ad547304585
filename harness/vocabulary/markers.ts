/**
 * Literals that fixtures, the proxy, the origin and the clients agree on. A marker is how a
 * result is proven by content rather than by a status code.
 */

/** The literal fixtures put in proxy bodies, so the report can tell whether a body leaked into the page. */
export const PROXY_BODY_MARKER = 'CC-PROXY-BODY';

/**
 * The literal a Proxy-Status field (RFC 9209) carries in its details parameter and nowhere else in
 * the answer: found on the page, it is the field the client showed, not the body.
 */
export const PROXY_STATUS_MARKER = 'CC-PROXY-STATUS';

/** Every case host ends with this: `<case-id>-<nonce>.connect.test`. */
export const CASE_DOMAIN = 'connect.test';

/**
 * The consequence matrix's answers (the proxy's in a case, the origin's in its control) set cookies
 * with these name prefixes, so a cookie that comes back is known to be the answer's doing.
 */
export const ANSWER_COOKIE_PREFIXES = ['cc_answer', '__Host-cc_answer'] as const;

/**
 * An answer cookie's value is the host of the case that set it ({host}): a Domain=connect.test
 * cookie reaches every case host, so in a browser whose cookie jar outlives a case (Firefox's
 * persistent context behind an HTTPS proxy) the value tells this case's cookies from another's.
 */
export function isAnswerCookie(name: string): boolean {
  return ANSWER_COOKIE_PREFIXES.some((p) => name.startsWith(p));
}

/** The cookie and the localStorage item the origin sets before a Clear-Site-Data answer. */
export const ORIGIN_STATE_KEY = 'cc_origin';
