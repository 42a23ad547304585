/**
 * Literals that fixtures, the proxy, the origin and the clients agree on. A marker is how a
 * result is proven by content rather than by a status code.
 */

/** The literal fixtures put in proxy bodies, so the report can tell whether a body leaked into the page. */
export const PROXY_BODY_MARKER = 'CC-PROXY-BODY';

/** Every case host ends with this: `<case-id>-<nonce>.connect.test`. */
export const CASE_DOMAIN = 'connect.test';
