/**
 * The vocabulary of observations: every fact's name, what it means and which values it can take.
 * Facts are computed from typed evidence by harness/observe/; fixtures refer to facts and their
 * values only through this table, so a misspelt name or value is a load-time error listing the
 * allowed ones, not a rule that silently never matches.
 *
 * `stable: false` marks measurements (timings, version-dependent text) that vary run to run: they
 * are shown in the report but may not be pinned in expectations or used in verdict rules.
 */

/** One documented shape of a fact's value, e.g. Chromium's `net::ERR_…` for "error". */
export interface ValueForm {
  /** How the form is written in documentation and error messages. */
  form: string;
  pattern: RegExp;
  /** Who produces it, or what it means. */
  means: string;
}

export type Domain =
  | { kind: 'one of'; values: readonly string[] }
  | { kind: 'count' }
  | { kind: 'forms'; forms: readonly ValueForm[] }
  /** Free text from the wire (a request line, a header list): any string. */
  | { kind: 'text' };

const oneOf = <const V extends readonly string[]>(...values: V) => ({ kind: 'one of', values }) as const;
const count = { kind: 'count' } as const;
const text = { kind: 'text' } as const;
const literal = (value: string, means: string): ValueForm => ({
  form: value,
  pattern: new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  means,
});
const forms = (...list: ValueForm[]) => ({ kind: 'forms', forms: list }) as const;
/** Cookie names (RFC 6265 tokens), sorted and joined with ", ": the form every cookie fact shares. */
const COOKIE_NAME_LIST = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(, [!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;

/** The error codes every client's failure is normalised to (the raw message is kept beside it). */
export const ERROR_FORMS: readonly ValueForm[] = [
  literal('none', 'the navigation or request succeeded'),
  literal('no navigation', 'the client never reported an outcome'),
  literal('timeout', "no outcome within the fixture's bound"),
  literal(
    'client crashed',
    'the client process died during the navigation (an observation only where the fixture says a crash is a finding)',
  ),
  { form: 'net::ERR_…', pattern: /^net::ERR_[A-Z0-9_]+$/, means: "Chromium's net error" },
  { form: 'NS_ERROR_… / NS_BINDING_…', pattern: /^NS_(ERROR|BINDING)_[A-Z0-9_]+$/, means: "Firefox's nsresult" },
  literal('not loaded', "WebKitGTK: WebDriver reported the navigation done, but the origin's page is not there"),
  { form: 'webdriver: <error>', pattern: /^webdriver: \S.*$/, means: 'WebKitGTK: the WebDriver error of the navigation' },
  { form: 'curl (N)', pattern: /^curl \(\d+\)$/, means: 'curl: its exit code (56: the proxy refused the tunnel, 28: timeout, 35: TLS)' },
  {
    form: '<tool> exit N',
    pattern: /^[a-z][a-z0-9-]* exit -?\d+$/,
    means:
      'a command-line client ended with exit status N and no finer code (curl without a "curl: (N)" message; wget: 4 network, 5 TLS, 8 error response)',
  },
  {
    form: 'E… / ERR_… / UND_ERR_… / HPE_…',
    pattern: /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+|UND_ERR_[A-Z0-9_]+|HPE_[A-Z0-9_]+)$/,
    means: 'Node clients: the innermost error code (errno, Node, undici, llhttp)',
  },
  {
    form: '<ErrorClass>',
    pattern: /^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/,
    means: 'library clients (Node, Python): an error with no code, by its class name (ProxyError, RemoteProtocolError, InvalidHeader…)',
  },
  { form: 'other: <first line>', pattern: /^other: \S.*$/, means: 'an automation error with no code the suite recognises' },
];

export const FACTS = {
  page: {
    stable: true,
    domain: oneOf('loaded', 'error page', 'proxy body shown', 'other content', 'no outcome'),
    means:
      'What the user ends up looking at: "loaded" (the origin\'s page, proven by its marker), "error page", "proxy body shown" (the proxy\'s response body rendered), "other content", or "no outcome" (the navigation did not finish within the fixture\'s bound).',
  },
  error: {
    stable: true,
    domain: forms(...ERROR_FORMS),
    means: 'The navigation\'s error, normalised per client (see the forms); "none" on success.',
  },
  'committed-status': {
    stable: true,
    domain: forms(
      { form: 'N', pattern: /^\d{1,3}$/, means: 'the HTTP status the client reported (Firefox has reported a truncated "20")' },
      literal('none', 'no navigation committed'),
      literal('unknown', 'committed without a status'),
    ),
    means:
      'The HTTP status the client reports for a navigation it committed ("none" when it showed an error page or nothing). A committed navigation with no origin behind it means the proxy\'s bytes became the https page.',
  },
  'origin-tls': {
    stable: true,
    domain: forms(literal('completed', 'a TLS handshake with the origin completed'), literal('none', 'no handshake was attempted'), {
      form: 'failed: <reason>',
      pattern: /^failed: \S+/,
      means: "the origin's TLS stack reported this error",
    }),
    means: 'What the TLS origin behind the tunnel saw for this case.',
  },
  'origin-requests': {
    stable: true,
    domain: count,
    means: 'How many HTTP requests for the case host reached the origin through tunnels (without /favicon.ico).',
  },
  connects: {
    stable: true,
    domain: count,
    means: 'How many CONNECT requests for the case host reached the proxy before the harness closed the client context.',
  },
  'answer-served': {
    stable: true,
    domain: count,
    means:
      "How many requests the proxy answered with the exchange under test (any exchange of the case but its working helpers, such as a later visit's working tunnel), from the exchange log. A case with helpers cannot pass where this is 0: the answer was not exercised.",
  },
  connections: { stable: true, domain: count, means: 'How many TCP connections the client opened to the proxy for the case host.' },
  'request-line': { stable: true, domain: text, means: "The first request's request line, with the case host written as {host}." },
  'request-version': { stable: true, domain: text, means: 'The HTTP version of the first request.' },
  'pseudo-headers': {
    stable: true,
    domain: text,
    means: 'HTTP/2 pseudo-header fields of the first request, in order (":method, :authority" for a plain CONNECT); "none" over HTTP/1.1.',
  },
  'request-target': {
    stable: true,
    domain: oneOf('authority-form host:port', 'authority-form without port', 'absolute-form', 'origin-form', 'other'),
    means: "The form of the first request's target.",
  },
  'request-headers': { stable: true, domain: text, means: 'Header field names of the first request in wire order.' },
  'request-headers-values': {
    stable: false,
    domain: text,
    means:
      'Header fields of the first request in wire order with values (User-Agent varies with the version, so this is shown, not pinned).',
  },
  'host-header': {
    stable: true,
    domain: text,
    means: 'The Host field value of the first request ({host} for the case host), or "absent".',
  },
  'host-first': {
    stable: true,
    domain: oneOf('yes', 'no', 'absent'),
    means: '"yes" when Host is the first header field, "no" when it is later, "absent" when missing.',
  },
  'proxy-connection': { stable: true, domain: text, means: 'The Proxy-Connection field value of the first request, or "absent".' },
  connection: { stable: true, domain: text, means: 'The Connection field value of the first request, or "absent".' },
  'request-content': {
    stable: true,
    domain: text,
    means: 'What the first request says about content: "none", or the Content-Length / Transfer-Encoding it carried.',
  },
  'early-bytes': {
    stable: true,
    domain: oneOf('none', 'TLS handshake', 'other'),
    means:
      'Bytes the client sent after the first request head and before the proxy\'s first response byte: "none", "TLS handshake" (starts 0x16 0x03) or "other".',
  },
  'first-close': {
    stable: true,
    domain: oneOf('client (FIN)', 'client (RST)', 'proxy', 'neither'),
    means:
      'On the first connection, who closed first while the case was live: the client (browser or tool) with FIN or RST (over HTTP/2: END_STREAM or RST_STREAM), "proxy" (the script ended it), or "neither" (still open when the harness closed the context).',
  },
  'client-close-ms': {
    stable: false,
    domain: count,
    means:
      "Milliseconds from the proxy's last byte to the client closing the first connection (absent when the client did not close first).",
  },
  'auth-retry': {
    stable: true,
    domain: oneOf('same connection', 'new connection', 'sent with the first request', 'none'),
    means:
      'Where the first CONNECT carrying Proxy-Authorization came, relative to the 407 it answers (the latest one before it). Decided by TCP connection identity in the proxy.',
  },
  challenges: {
    stable: true,
    domain: count,
    means: 'How many 407 responses the proxy sent before the first request carrying Proxy-Authorization (or in all, when none came).',
  },
  'auth-sent': {
    stable: true,
    domain: forms(
      literal('none', 'no request carried Proxy-Authorization'),
      literal('Basic (the configured credentials)', "Basic with the fixture's credentials"),
      literal('Basic (other credentials)', 'Basic with something else'),
      { form: '<scheme>', pattern: /^[A-Za-z][A-Za-z0-9-]*$/, means: 'another scheme, e.g. Digest' },
    ),
    means: 'The Proxy-Authorization the client sent.',
  },
  'auth-attempts': { stable: true, domain: count, means: 'How many requests carried Proxy-Authorization.' },
  'redirect-followed': {
    stable: true,
    domain: oneOf('yes', 'no'),
    means:
      '"yes" when something moved any visit away from the URL it asked for: a request at the proxy for a host other than the case host, a visit that ended on another host or path, or a navigation request at the origin for a path no visit asked for.',
  },
  'visit-urls': {
    stable: true,
    domain: text,
    means:
      'Where every visit ended, in order and separated by " | ": the final URL with the case host written {host}, "(error page)" or "none".',
  },
  authorities: {
    stable: true,
    domain: text,
    means:
      'Every host:port the client asked the proxy for while the case was live (CONNECT or absolute-form), sorted, the case host written {host}.',
  },
  'http-visit': {
    stable: true,
    domain: oneOf('upgraded to https', 'sent as http', 'no request', 'none'),
    means:
      'For the case\'s http: visits (after an answer carrying Strict-Transport-Security): "sent as http" when an http request for the case host went out in the visit (an absolute-form GET or a CONNECT to port 80 at the proxy, or the visit\'s request reaching the origin over plain http; an https attempt beside it, such as Chromium\'s HTTPS-Upgrades probe, does not change that: an HSTS host is never asked for over http), "upgraded to https" only when the visit\'s own request (its path, for the case host, in its window) reached the origin over TLS, "no request" when neither was seen, or "none" when the case has no http: visit.',
  },
  'alt-svc-used': {
    stable: true,
    domain: oneOf('yes', 'no'),
    means:
      '"yes" when the client asked the proxy for an alternative service an answer advertised: alt.{host}, or the case host on a port other than 443 and 80 (the consequence cases name alt.{host}:443 and :8443).',
  },
  'answer-cookies': {
    stable: true,
    domain: forms(literal('none', 'no cookie named by the answer came back'), {
      form: '<name>, <name>…',
      pattern: COOKIE_NAME_LIST,
      means: "the answer's cookie names (cc_answer…, __Host-cc_answer…) seen at the origin or in document.cookie, sorted",
    }),
    means:
      "Cookies set by the answer under test (named cc_answer… and __Host-cc_answer…) that came back: on a request at the origin, or in any visit's document.cookie.",
  },
  'origin-state': {
    stable: true,
    domain: oneOf('kept', 'cookie cleared', 'storage cleared', 'both cleared', 'never set', 'not read'),
    means:
      'The origin\'s own cookie and localStorage item cc_origin (set by the first visit) as the last visit\'s page saw them: "kept", which were cleared, "never set" when no page ever saw them, "not read" when the last visit did not load the origin\'s page (an error page\'s empty document.cookie says nothing about the origin\'s state).',
  },
  'origin-paths': {
    stable: true,
    domain: text,
    means:
      'The paths the origin was asked for through tunnels, sorted (parallel fetches arrive in either order), without /favicon.ico ("none" when nothing reached it).',
  },
  'final-url': {
    stable: true,
    domain: text,
    means:
      'Where the page ended up, with the case host written as {host}; browser error pages are shown as "(error page)", no URL as "none".',
  },
  'upgrade-requested': {
    stable: true,
    domain: text,
    means: 'The Upgrade field of the first request that carried one, at the proxy or at the origin ("none" when no request did).',
  },
  'ws-result': {
    stable: true,
    domain: forms(
      ...['echoed', 'error', 'wrong message', 'exception', 'no result within the bound', 'none'].map((v) =>
        literal(v, "the page's WebSocket probe"),
      ),
      { form: 'closed <code>', pattern: /^closed \d+$/, means: 'the WebSocket closed with this code before an echo' },
    ),
    means:
      'What the page\'s WebSocket reported: "echoed" (message round trip through the proxy proven), "error", "closed <code>", or "none" when the case has no WebSocket.',
  },
  'ws-handshake': {
    stable: true,
    domain: oneOf('h2 extended CONNECT', 'HTTP/1.1 Upgrade', 'none'),
    means: 'How the WebSocket reached the origin.',
  },
  'ws-pseudo-headers': {
    stable: true,
    domain: text,
    means: 'Pseudo-header fields of the extended CONNECT that opened the WebSocket, in order; "none" otherwise.',
  },
  'ws-key': {
    stable: true,
    domain: oneOf('sent', 'not sent', 'none'),
    means: 'Whether the WebSocket handshake carried Sec-WebSocket-Key (RFC 8441 forbids it over HTTP/2); "none" without a WebSocket.',
  },
  'ws-pseudo-check': {
    stable: true,
    domain: forms(literal('none', 'no extended CONNECT'), literal('complete', 'all of :method, :protocol, :scheme, :path, :authority'), {
      form: 'missing <list>',
      pattern: /^missing :/,
      means: 'the pseudo-headers RFC 8441 needs that were absent',
    }),
    means: "RFC 8441 §4 for the WebSocket's extended CONNECT.",
  },
  'ws-tunnels': {
    stable: true,
    domain: count,
    means:
      'How many tunnels (CONNECTs) the case needed in all: page and WebSocket on one h2 connection make 1; a separate tunnel for the WebSocket makes 2.',
  },
  'origin-cookies': {
    stable: true,
    domain: forms(literal('none', 'no request reaching the origin carried a Cookie field'), {
      form: '<name>, <name>…',
      pattern: COOKIE_NAME_LIST,
      means: 'the cookie names the origin received, sorted',
    }),
    means:
      'The names of the cookies that requests inside the tunnels carried to the origin (a proxy-set cookie here is a leak: sec-proxy-cookie).',
  },
  'page-cookies': {
    stable: true,
    domain: forms(
      literal('none', 'document.cookie was empty'),
      literal('not read', 'the client has no page, or the page could not be read'),
      {
        form: '<name>, <name>…',
        pattern: COOKIE_NAME_LIST,
        means: 'cookie names in document.cookie, sorted',
      },
    ),
    means: "The names of the cookies in the last visit's document.cookie, as the page's script saw them.",
  },
  'credentials-in-tunnel': {
    stable: true,
    domain: oneOf('none', 'Proxy-Authorization', "Authorization (the proxy's credentials)"),
    means:
      'Whether a request inside a tunnel (at the origin) carried Proxy-Authorization, or an Authorization field holding the proxy credentials: proxy credentials belong to the proxy hop only (sec-proxy-credentials-hop).',
  },
  'proxy-tls': {
    stable: true,
    domain: oneOf('request sent', 'handshake completed, nothing sent', 'refused by the client', 'handshake left unfinished', 'none'),
    means:
      'Cases whose HTTPS proxy presents a defective certificate (sec-proxy-cert) or requests a client certificate (proxy-client-cert): "request sent" when a request of the case arrived over that TLS (the client accepted the certificate), "handshake completed, nothing sent" when the handshake finished but the client then gave up, "refused by the client" when it ended the handshake with an alert (kept in the evidence), "handshake left unfinished" when it connected and then neither finished nor refused the handshake while the case ran, "none" when it never connected.',
  },
  'proxy-body-shown': {
    stable: true,
    domain: oneOf('yes', 'no'),
    means: '"yes" when the proxy\'s body marker appears in the page text, title or URL of the https origin.',
  },
  'proxy-status-shown': {
    stable: true,
    domain: oneOf('yes', 'no'),
    means:
      '"yes" when the marker that only the answer\'s Proxy-Status field carries (its details parameter, RFC 9209) appears in the page text, title or URL the client shows: the client exposed the field.',
  },
  'client-cert': {
    stable: true,
    domain: oneOf('sent', 'none sent', 'no handshake'),
    means:
      'Cases whose HTTPS proxy requests a client certificate (RFC 8446 §4.3.2): "sent" when a completed handshake carried a client certificate, "none sent" when handshakes completed without one, "no handshake" when none completed.',
  },
  'next-proxy': {
    stable: true,
    domain: oneOf('used', 'not used', 'used, first not tried'),
    means:
      'A proxy list ("PROXY a; PROXY b" from a PAC) whose first proxy fails: whether the client sent the case\'s request to the next proxy (b) during the first visit after it tried the first ("used": the first proxy\'s port was reached in that visit, or refused the connection), or went to b without a trace at a ("used, first not tried").',
  },
  'first-proxy-reached': {
    stable: true,
    domain: oneOf('yes', 'no'),
    means:
      'A proxy list: whether the first proxy (a) accepted a connection from the client during the first visit (a refused port cannot tell, and has no value).',
  },
  'first-proxy-again': {
    stable: true,
    domain: oneOf('tried again', 'straight to the next proxy', 'no new connection to either'),
    means:
      'A proxy list, second visit: whether the client connected to the first proxy again, went straight to the next one (it remembered the first as bad), or opened no new connection to either (it waited on one from the first visit). Not observable when the first proxy refuses connections.',
  },
  'h2-sessions': {
    stable: true,
    domain: count,
    means:
      "Cases with a scripted HTTP/2 session: how many proxy sessions (TLS connections) carried the case's CONNECT streams while its navigations went on.",
  },
  'h2-streams': {
    stable: true,
    domain: count,
    means:
      'Cases with a scripted HTTP/2 session: how many CONNECT streams the client opened for the case while its navigations went on (retries included).',
  },
  'h2-open-at-once': {
    stable: true,
    domain: count,
    means:
      "Cases with a scripted HTTP/2 session: the most CONNECT streams open at the same moment on one session (open from the client's HEADERS until the stream closed), to compare with the SETTINGS_MAX_CONCURRENT_STREAMS the proxy advertised.",
  },
  'subresources-fetched': {
    stable: true,
    domain: count,
    means:
      "How many of the page's subresource hosts (s1.{host}, s2.{host}…, each through a tunnel of its own) had their image request reach the origin.",
  },
  'h2-retry': {
    stable: true,
    domain: oneOf('retried on the same session', 'retried on a new session', 'not retried'),
    means:
      'After the proxy refused a CONNECT stream unprocessed (RST_STREAM REFUSED_STREAM, or a GOAWAY whose last-stream-id is below it): whether a later CONNECT to the same authority came while the navigation was still going, on which session (one after the navigation ended is not its retry).',
  },
  'h2-after-goaway': {
    stable: true,
    domain: oneOf('no new stream on that session', 'new streams on that session', 'not fenced (no PING acknowledged after the GOAWAY)'),
    means:
      'After a GOAWAY from the proxy, read from the session\'s frames: whether the client still opened streams above its last-stream-id on that session (RFC 9113 §6.8 forbids it). Fenced as h2spec does: the proxy sends a PING behind the GOAWAY, and only a HEADERS frame after the client\'s PING ACK counts (one before it may have been in flight); with no ACK and a HEADERS after the GOAWAY, "not fenced".',
  },
  'h2-reset-stream': {
    stable: false,
    domain: text,
    means:
      'The CONNECT stream the proxy reset (its RST_STREAM frame on the wire): "stream N (<authority>), " and whether the client asked for that authority again ("retried on the same session", "on a new session", "not retried"). Which stream it is depends on the order the page\'s tunnels opened: shown, never pinned.',
  },
  'h2-window': {
    stable: true,
    domain: oneOf('waited, then sent', 'DATA before the window opened', 'sent nothing'),
    means:
      'The proxy advertised INITIAL_WINDOW_SIZE 0 and opened each stream\'s window later with WINDOW_UPDATE: whether tunnel DATA came only after the grant ("waited, then sent"), before it (a flow-control violation), or not at all.',
  },
  'h2-stream-error': {
    stable: true,
    domain: forms(
      { form: 'RST_STREAM <code>', pattern: /^RST_STREAM [A-Z_0-9x]+$/, means: 'the client reset the stream with this error code' },
      { form: 'GOAWAY <code>', pattern: /^GOAWAY [A-Z_0-9x]+$/, means: 'the client ended the session with this error code' },
      literal('stream closed', 'the stream closed without an error code the client chose'),
      literal('none', 'the client let the frame pass'),
    ),
    means:
      'After a frame the script wrote that breaks the tunnel stream (a HEADERS frame after the 2xx, DATA before HEADERS): what the client sent back.',
  },
} as const satisfies Record<string, { stable: boolean; domain: Domain; means: string }>;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as [FactName, ...FactName[]];
export const STABLE_FACT_NAMES = FACT_NAMES.filter((f) => FACTS[f].stable) as [FactName, ...FactName[]];

type ValueOf<D> = D extends { kind: 'one of'; values: readonly (infer V)[] } ? V : D extends { kind: 'count' } ? number : string | number;
/** The TypeScript type of each fact's value, derived from its domain: a typo in observe/ is a compile error. */
export type FactValueOf<F extends FactName> = ValueOf<(typeof FACTS)[F]['domain']>;
export type FactValue = string | number;
export type Facts = { [F in FactName]?: FactValueOf<F> };

/** The allowed values of a fact, in words, for error messages and documentation. */
export function describeDomain(fact: FactName): string {
  const d: Domain = FACTS[fact].domain;
  switch (d.kind) {
    case 'one of':
      return d.values.map((v) => JSON.stringify(v)).join(', ');
    case 'count':
      return 'a whole number (0 or more)';
    case 'forms':
      return d.forms.map((f) => f.form).join(', ');
    case 'text':
      return 'any text';
  }
}

/** Why a value is not one of a fact's values, or undefined when it is. */
export function invalidValue(fact: FactName, value: FactValue): string | undefined {
  const d: Domain = FACTS[fact].domain;
  const ok =
    d.kind === 'text' ||
    (d.kind === 'count' && Number.isInteger(Number(value)) && Number(value) >= 0 && String(value).trim() !== '') ||
    (d.kind === 'one of' && d.values.includes(String(value))) ||
    (d.kind === 'forms' && d.forms.some((f) => f.pattern.test(String(value))));
  return ok ? undefined : `${JSON.stringify(value)} is not a value of fact "${fact}" (allowed: ${describeDomain(fact)})`;
}
