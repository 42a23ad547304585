/**
 * The vocabulary of observations. Every fact is derived from raw evidence (wire log, origin log,
 * navigation result) by harness/observe/facts.ts; fixtures refer to facts only by these names, so
 * a typo in a fixture is a load-time error rather than a silently unmatched rule.
 *
 * `stable: false` marks measurements (timings) that vary run to run: they are shown in the report
 * but may not be pinned in expectations or used in verdict rules.
 */
export const FACTS = {
  page: { stable: true, means: 'What the user ends up looking at: "loaded" (the origin\'s page, proven by its marker), "error page", "proxy body shown" (the proxy\'s response body rendered), "other content", or "no outcome" (the navigation did not finish within the fixture\'s bound).' },
  error: { stable: true, means: 'The navigation\'s error code, normalised: net::ERR_* for Chromium, NS_ERROR_* for Firefox, "timeout" for no outcome within the bound, "none" on success.' },
  'committed-status': { stable: true, means: 'The HTTP status the browser reports for a navigation it committed ("none" when it showed an error page or nothing). A committed navigation with no origin behind it means the proxy\'s bytes became the https page.' },
  'origin-tls': { stable: true, means: 'What the TLS origin behind the tunnel saw for this case: "completed", "failed: <reason>" or "none".' },
  'origin-requests': { stable: true, means: 'How many HTTP requests for the case host reached the origin through tunnels.' },
  connects: { stable: true, means: 'How many CONNECT requests for the case host reached the proxy before the harness closed the browser context.' },
  connections: { stable: true, means: 'How many TCP connections the browser opened to the proxy for the case host.' },
  'request-line': { stable: true, means: 'The first request\'s request line, with the case host written as {host}.' },
  'request-version': { stable: true, means: 'The HTTP version of the first request.' },
  'pseudo-headers': { stable: true, means: 'HTTP/2 pseudo-header fields of the first request, in order (":method, :authority" for a plain CONNECT); "none" over HTTP/1.1.' },
  'request-target': { stable: true, means: 'The form of the first request\'s target: "authority-form host:port", "authority-form without port", "absolute-form", "origin-form" or "other".' },
  'request-headers': { stable: true, means: 'Header field names of the first request in wire order.' },
  'request-headers-values': { stable: false, means: 'Header fields of the first request in wire order with values (User-Agent varies with the version, so this is shown, not pinned).' },
  'host-header': { stable: true, means: 'The Host field value of the first request ({host} for the case host), or "absent".' },
  'host-first': { stable: true, means: '"yes" when Host is the first header field, "no" when it is later, "absent" when missing.' },
  'proxy-connection': { stable: true, means: 'The Proxy-Connection field value of the first request, or "absent".' },
  connection: { stable: true, means: 'The Connection field value of the first request, or "absent".' },
  'request-content': { stable: true, means: 'What the first request says about content: "none", or the Content-Length / Transfer-Encoding it carried.' },
  'early-bytes': { stable: true, means: 'Bytes the browser sent after the first request head and before the proxy\'s first response byte: "none", "TLS handshake" (starts 0x16 0x03) or "other".' },
  'first-close': { stable: true, means: 'On the first connection, who closed first while the case was live: "browser (FIN)", "browser (RST)", "proxy" (the script ended it), or "neither" (still open when the harness closed the context).' },
  'browser-close-ms': { stable: false, means: 'Milliseconds from the proxy\'s last byte to the browser closing the first connection (absent when the browser did not close first).' },
  'auth-retry': { stable: true, means: 'Where the first CONNECT carrying Proxy-Authorization came, relative to the 407 it answers (the latest one before it): "same connection", "new connection", "sent with the first request" (pre-emptive) or "none". Decided by TCP connection identity in the proxy.' },
  challenges: { stable: true, means: 'How many 407 responses the proxy sent before the first request carrying Proxy-Authorization (or in all, when none came).' },
  'auth-sent': { stable: true, means: 'The Proxy-Authorization the browser sent: "none", "Basic (the configured credentials)", "Basic (other credentials)" or the scheme it used.' },
  'auth-attempts': { stable: true, means: 'How many requests carried Proxy-Authorization.' },
  'redirect-followed': { stable: true, means: '"yes" when the browser went to a host other than the case host (a followed Location), seen as a request for it at the proxy or as the final URL; "no" otherwise.' },
  'origin-paths': { stable: true, means: 'The paths the origin was asked for through tunnels, sorted (parallel fetches arrive in either order), without /favicon.ico ("none" when nothing reached it).' },
  'final-url': { stable: true, means: 'Where the page ended up, with the case host written as {host}; browser error pages are shown as "(error page)".' },
  'upgrade-requested': { stable: true, means: 'The Upgrade field of the first request that carried one ("none" when no request did).' },
  'ws-result': { stable: true, means: 'What the page\'s WebSocket reported: "echoed" (message round trip through the proxy proven), "error", "closed <code>", or "none" when the case has no WebSocket.' },
  'ws-handshake': { stable: true, means: 'How the WebSocket reached the origin: "h2 extended CONNECT" (RFC 8441), "HTTP/1.1 Upgrade", or "none".' },
  'ws-pseudo-headers': { stable: true, means: 'Pseudo-header fields of the extended CONNECT, in order ("none" without one).' },
  'ws-pseudo-check': { stable: true, means: 'Whether the extended CONNECT carried all of :method, :protocol, :scheme, :path and :authority ("complete", "missing …", "none").' },
  'ws-key': { stable: true, means: 'Whether the WebSocket handshake carried Sec-WebSocket-Key ("sent", "not sent", "none").' },
  'ws-tunnels': { stable: true, means: 'How many tunnels (CONNECTs) the case needed in all: page and WebSocket on one h2 connection make 1; a separate tunnel for the WebSocket makes 2.' },
  'proxy-body-shown': { stable: true, means: '"yes" when the proxy\'s body marker appears in the page text, title or URL of the https origin; "no" otherwise.' },
} as const;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as [FactName, ...FactName[]];
export const STABLE_FACT_NAMES = FACT_NAMES.filter((f) => FACTS[f].stable) as [FactName, ...FactName[]];
export type FactValue = string | number;
export type Facts = Partial<Record<FactName, FactValue>>;
