/**
 * The 2015 observations (seed 000, a Japanese wiki page, made on 2015-08-04) in English, keyed by
 * the page's own paragraph markers. Fixtures cite these ids; the report quotes the text.
 */

export const OBSERVATIONS_2015 = {
  '[34]': 'Chrome CONNECT request: HTTP/1.1; header fields in this order: Host, Proxy-Connection: keep-alive, User-Agent.',
  '[35]':
    'Firefox CONNECT request: HTTP/1.1; header fields in this order: User-Agent, Proxy-Connection: keep-alive, Connection: keep-alive, Host.',
  '[36]':
    'IE CONNECT request: HTTP/1.0; header fields in this order: User-Agent, Connection: keep-alive, Content-Length: 0, Host, Pragma: no-cache.',
  '[37]':
    "Through an HTTPS-capable proxy, Firefox starts TLS right after the request's empty line without waiting for the response; Chrome and IE wait. On a non-200 response Chrome and IE close the connection while Firefox waits for the proxy to close it; on a 101 Firefox closes at once.",
  '[38]': 'Firefox, Chrome and IE all treat a 1xx response as an error and do not wait for a following response.',
  '[39]': 'Firefox, Chrome and IE all show a modal authentication dialog for a 407 that carries Proxy-Authenticate.',
  '[40]':
    'Firefox and Chrome try to reuse the connection that carried the 407 for the retried CONNECT. IE seems not to (the author was not sure).',
  '[41]':
    'Chrome and IE seem to ignore Content-Length in a 200 response to CONNECT. Chrome nevertheless seems to check whether that Content-Length is valid.',
  '[42]': 'Chrome, Firefox and IE all seem to ignore Connection: close and Proxy-Connection: close in a 200 response to CONNECT.',
} as const;

export type Citation2015 = keyof typeof OBSERVATIONS_2015;
export const CITATIONS_2015 = Object.keys(OBSERVATIONS_2015) as [Citation2015, ...Citation2015[]];

/** The browsers of 2015 and which modern lineage each is compared with. */
export const LINEAGES_2015 = {
  chrome: { label: 'Chrome 2015', modern: 'chromium' },
  firefox: { label: 'Firefox 2015', modern: 'firefox' },
  ie: { label: 'IE 2015', modern: undefined },
} as const;
export type Browser2015 = keyof typeof LINEAGES_2015;
