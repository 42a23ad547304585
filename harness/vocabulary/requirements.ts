/**
 * The client-side requirements the suite checks, transcribed from the project's reference list
 * (shared/reference/requirements.md). Kept as data in the repo so a clone is self-contained; a unit
 * test checks this table against the reference file whenever that file is beside the clone.
 */

export type Level = 'MUST' | 'MUST (security)' | 'MUST NOT (server)' | 'SHOULD' | 'MAY' | 'SHALL' | 'note';

export interface Requirement {
  id: string;
  level: Level;
  statement: string;
  /** Citations as written in the reference list. */
  where: string;
  family:
    | 'HTTP/1.1 CONNECT request'
    | 'Responses to CONNECT'
    | 'RFC 2817'
    | 'HTTP/2'
    | 'connect-tcp'
    | 'Security'
    | 'HTTP/2 sessions and proxy lists';
}

/**
 * Rows no browser fixture can test, with the reason the coverage page gives. Every other row must
 * be tested by at least one fixture or is shown as not covered yet.
 */
const CONNECT_TCP_EVIDENCE =
  'no browser can be pointed at a URI-template proxy, so none sends connect-tcp. Chromium: not supported (its proxy settings, --proxy-server and PAC, name scheme://host:port only). ' +
  'Firefox: not supported (network.proxy.* and PAC results name PROXY/HTTPS/SOCKS host:port only). ' +
  'The proxy side (both forms, every SHALL/SHOULD of the draft checked and recorded) is covered by test/connect-tcp.test.ts with a Node client, ready for the first client that ships it';

export const NOT_TESTABLE_IN_BROWSERS: Partial<Record<string, string>> = {
  'tcp-h1-upgrade': CONNECT_TCP_EVIDENCE,
  'tcp-h2-extended': CONNECT_TCP_EVIDENCE,
};

/**
 * Rows that can be tested but have no case yet, each with what is missing. Listed one by one, so
 * the coverage test still fails for any other uncovered row.
 */
export const NOT_COVERED_YET: Partial<Record<string, string>> = {};

export const REQUIREMENTS = [
  {
    id: 'req-authority-form',
    level: 'MUST',
    family: 'HTTP/1.1 CONNECT request',
    statement: 'The request target is authority-form `host:port`; the port is always present, even for the default port 443.',
    where: 'RFC 9110 §9.3.6; RFC 9112 §3.2.3',
  },
  {
    id: 'req-host-present',
    level: 'MUST',
    family: 'HTTP/1.1 CONNECT request',
    statement: 'A `Host` header field is sent in an HTTP/1.1 request.',
    where: 'RFC 9112 §3.2',
  },
  {
    id: 'req-host-first',
    level: 'SHOULD',
    family: 'HTTP/1.1 CONNECT request',
    statement: 'A user agent sends `Host` as the first header field.',
    where: 'RFC 9110 §7.2',
  },
  {
    id: 'req-no-content',
    level: 'note',
    family: 'HTTP/1.1 CONNECT request',
    statement: 'A CONNECT request has no content (a `Content-Length: 0` is harmless, any body is undefined).',
    where: 'RFC 9110 §9.3.6',
  },
  {
    id: 'req-no-proxy-connection',
    level: 'note',
    family: 'HTTP/1.1 CONNECT request',
    statement: 'Clients are encouraged not to send the obsolete `Proxy-Connection` field.',
    where: 'RFC 9112 App. C.2.2',
  },
  {
    id: 'req-early-data',
    level: 'MAY',
    family: 'HTTP/1.1 CONNECT request',
    statement:
      'Data for the tunnel may follow the request\'s empty line before any response ("early TLS bytes"); it may be discarded if the response is negative.',
    where: 'RFC 2817 §5.2',
  },
  {
    id: 'resp-2xx-tunnel',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement: "Any 2xx means tunnel mode starts right after the response's empty line (bytes after it belong to the tunnel).",
    where: 'RFC 9110 §9.3.6; RFC 9112 §6.3',
  },
  {
    id: 'resp-2xx-ignore-cl-te',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement: 'A client ignores `Content-Length` and `Transfer-Encoding` in a 2xx response to CONNECT.',
    where: 'RFC 9110 §9.3.6; RFC 9112 §6.3',
  },
  {
    id: 'resp-2xx-any',
    level: 'note',
    family: 'Responses to CONNECT',
    statement: 'Any 2xx (not only 200, e.g. 204 or 299) indicates success.',
    where: 'RFC 9110 §9.3.6',
  },
  {
    id: 'resp-non2xx-no-tunnel',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement: 'Any non-2xx means no tunnel; the response is HTTP, never bytes of the origin.',
    where: 'RFC 9110 §9.3.6',
  },
  {
    id: 'resp-non2xx-not-origin',
    level: 'MUST (security)',
    family: 'Responses to CONNECT',
    statement: 'A non-2xx body is never shown or run as content of the `https:` origin (CVE-2009-1836).',
    where: 'Mozilla bug 479880; RFC 9110 §9.3.6',
  },
  {
    id: 'resp-3xx-no-follow',
    level: 'MUST (security)',
    family: 'Responses to CONNECT',
    statement: 'A redirect in answer to CONNECT is not followed as if the origin redirected.',
    where: 'Mozilla bug 479880; RFC 9110 §9.3.6',
  },
  {
    id: 'resp-1xx-parse',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement:
      'A client can parse one or more 1xx responses before the final response, and MAY ignore unexpected ones; it then waits for the final response.',
    where: 'RFC 9110 §15.2',
  },
  {
    id: 'resp-101-unrequested',
    level: 'MUST NOT (server)',
    family: 'Responses to CONNECT',
    statement:
      'A server must not switch to a protocol the client did not ask for in `Upgrade`; a 101 to a CONNECT without `Upgrade` is a protocol error the client should not accept as a tunnel.',
    where: 'RFC 9110 §15.2.2, §7.8',
  },
  {
    id: 'resp-close-option',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement:
      'On a response with `Connection: close` a client stops sending requests on that connection (a retried CONNECT after 407 goes on a new connection).',
    where: 'RFC 9112 §9.6',
  },
  {
    id: 'resp-persistent',
    level: 'note',
    family: 'Responses to CONNECT',
    statement: 'Without `close`, HTTP/1.1 connections persist: a framed 407 may be followed by the retried CONNECT on the same connection.',
    where: 'RFC 9112 §9.3',
  },
  {
    id: 'resp-407-challenge',
    level: 'MAY',
    family: 'Responses to CONNECT',
    statement: 'On 407 with `Proxy-Authenticate`, the client may retry with `Proxy-Authorization` for the offered scheme.',
    where: 'RFC 9110 §11.7.1, §15.5.8',
  },
  {
    id: 'resp-no-cache',
    level: 'MUST',
    family: 'Responses to CONNECT',
    statement: 'Responses to CONNECT are not cached (a second navigation sends a new CONNECT).',
    where: 'RFC 9110 §9.3.6',
  },
  {
    id: 'resp-malformed',
    level: 'note',
    family: 'Responses to CONNECT',
    statement: 'A malformed status line or header section is an error, not a tunnel.',
    where: 'RFC 9112 §4, §5',
  },
  {
    id: 'resp-incomplete-head',
    level: 'MUST (security)',
    family: 'Responses to CONNECT',
    statement:
      "An answer to CONNECT whose connection ends before the header section is complete is incomplete: it opens no tunnel, is not committed as the `https:` origin's response, and none of its fields take effect.",
    where:
      'RFC 9112 §8 (a client MUST record an incomplete message as incomplete; a header section cut short conveys no meaningful status); RFC 9110 §9.3.6',
  },
  {
    id: 'resp-close-without-response',
    level: 'note',
    family: 'Responses to CONNECT',
    statement: 'A proxy that closes before any response: the navigation fails with a proxy/tunnel error.',
    where: 'RFC 9110 §9.3.6',
  },
  {
    id: 'rfc2817-426',
    level: 'note',
    family: 'RFC 2817',
    statement:
      'A `426 Upgrade Required` with `Upgrade: TLS/1.0` on an `http:` origin: browsers do not implement the upgrade; observe what they show.',
    where: 'RFC 2817 §4.2',
  },
  {
    id: 'rfc2817-upgrade-hop',
    level: 'note',
    family: 'RFC 2817',
    statement: '`Upgrade` is hop-by-hop: a proxy answers it for its own hop only, which is why CONNECT exists.',
    where: 'RFC 2817 §5, §5.1',
  },
  {
    id: 'h2-connect-pseudo',
    level: 'MUST',
    family: 'HTTP/2',
    statement: 'Plain CONNECT: `:method` = CONNECT, `:authority` = host:port, `:scheme` and `:path` omitted.',
    where: 'RFC 9113 §8.5',
  },
  {
    id: 'h2-connect-stream',
    level: 'MUST',
    family: 'HTTP/2',
    statement: 'After the 2xx HEADERS only DATA, RST_STREAM, WINDOW_UPDATE, PRIORITY on the stream; END_STREAM = FIN; RST = CONNECT_ERROR.',
    where: 'RFC 9113 §8.5',
  },
  {
    id: 'ext-connect-setting',
    level: 'MUST',
    family: 'HTTP/2',
    statement: "A client sends `:protocol` only after the peer's SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.",
    where: 'RFC 8441 §3, §4',
  },
  {
    id: 'ext-connect-pseudo',
    level: 'MUST',
    family: 'HTTP/2',
    statement: 'Extended CONNECT carries `:protocol`, and `:scheme` and `:path` are present.',
    where: 'RFC 8441 §4',
  },
  {
    id: 'ws-h2',
    level: 'MUST',
    family: 'HTTP/2',
    statement:
      'WebSocket over HTTP/2: `:protocol` = websocket, `sec-websocket-version: 13`, no `Sec-WebSocket-Key`; success is 200, not 101.',
    where: 'RFC 8441 §5',
  },
  {
    id: 'tcp-h1-upgrade',
    level: 'SHALL',
    family: 'connect-tcp',
    statement:
      "HTTP/1.1 form: a GET to the proxy's URI template with `Connection: Upgrade`, `Upgrade: connect-tcp`, a single `Host` naming the proxy; SHOULD carry `Capsule-Protocol: ?1`; success is 101.",
    where: 'draft §3.1',
  },
  {
    id: 'tcp-h2-extended',
    level: 'SHALL',
    family: 'connect-tcp',
    statement:
      'HTTP/2 and HTTP/3 form: extended CONNECT with `:protocol` = connect-tcp, `:scheme`/`:path` from the template; SHOULD carry `capsule-protocol: ?1`.',
    where: 'draft §3.2',
  },
  {
    id: 'sec-proxy-cookie',
    level: 'MUST (security)',
    family: 'Security',
    statement:
      'A `Set-Cookie` in any proxy answer to CONNECT (407, 3xx, 4xx, 5xx, 1xx, the 2xx that opens the tunnel, an answer cut off before its header section ends) is never stored for the target origin: a later request inside a working tunnel carries no such cookie.',
    where: 'CVE-2014-8639 (Mozilla bug 1095859); CVE-2015-1229 (crbug 431504); RFC 9110 §9.3.6',
  },
  {
    id: 'sec-407-body',
    level: 'MUST (security)',
    family: 'Security',
    statement: 'A 407 body is never shown under the `https:` URL, whether credentials are absent, refused or the prompt is cancelled.',
    where: 'CVE-2013-0776 (Mozilla bug 796475)',
  },
  {
    id: 'sec-proxy-cert',
    level: 'MUST (security)',
    family: 'Security',
    statement:
      'Through an HTTPS proxy, a proxy certificate that is for another name, expired or from an untrusted issuer ends the attempt before any CONNECT is sent on that TLS session.',
    where: 'CVE-2011-3061 (crbug 116398); RFC 9110 §4.3.4',
  },
  {
    id: 'sec-proxy-credentials-hop',
    level: 'MUST (security)',
    family: 'Security',
    statement:
      '`Proxy-Authorization` is for the proxy hop only: it never appears in a request inside the tunnel, and is not sent to a proxy that did not ask for it unless configured pre-emptively.',
    where: 'RFC 9110 §11.7.2',
  },
  {
    id: 'sec-malformed-challenge',
    level: 'note',
    family: 'Security',
    statement:
      'A malformed `Proxy-Authenticate` (empty, oversized, Digest without nonce) ends in an error page or a retry, and the client keeps working (a crash is a finding).',
    where: 'CVE-2010-4488 (crbug 61701)',
  },
  {
    id: 'sec-proxy-navigation',
    level: 'MUST (security)',
    family: 'Security',
    statement:
      'No `Location`, `Refresh` or other navigation instruction in any proxy answer to CONNECT (complete or cut off, any status) moves the `https:` page: every visit ends on the URL the client asked for or an error.',
    where: 'CVE-2009-2062 class; RFC 9110 §9.3.6',
  },
  {
    id: 'sec-proxy-hsts',
    level: 'MUST (security)',
    family: 'Security',
    statement:
      "A `Strict-Transport-Security` field in a proxy's answer to CONNECT is not noted as the origin's policy: HSTS is only noted from the host itself over a secure transport.",
    where: 'RFC 6797 §8.1',
  },
  {
    id: 'sec-proxy-alt-svc',
    level: 'MUST (security)',
    family: 'Security',
    statement: "An `Alt-Svc` field in a proxy's answer to CONNECT is not used as an alternative for the origin.",
    where: 'RFC 7838 §2, §9',
  },
  {
    id: 'sec-proxy-clear-site-data',
    level: 'MUST (security)',
    family: 'Security',
    statement: "A `Clear-Site-Data` field in a proxy's answer to CONNECT does not clear the origin's cookies or storage.",
    where: 'W3C Clear Site Data §3, §4 (only a response from the origin, over a secure transport, counts)',
  },
  {
    id: 'h2-max-concurrent',
    level: 'MUST',
    family: 'HTTP/2 sessions and proxy lists',
    statement:
      "A client does not open more streams (tunnels) on one proxy session than the proxy's `SETTINGS_MAX_CONCURRENT_STREAMS`; further tunnels wait or use another connection.",
    where: 'RFC 9113 §5.1.2',
  },
  {
    id: 'h2-refused-stream',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement: 'A CONNECT stream reset with `REFUSED_STREAM` was not processed: the client may retry it on a new stream or connection.',
    where: 'RFC 9113 §8.7',
  },
  {
    id: 'h2-goaway',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement:
      'After `GOAWAY`, streams above its last-stream-id were not processed and may be retried on a new connection; tunnels at or below it go on.',
    where: 'RFC 9113 §6.8',
  },
  {
    id: 'h2-connect-1xx',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement: 'Interim 1xx HEADERS may precede the final response on a CONNECT stream.',
    where: 'RFC 9113 §8.1',
  },
  {
    id: 'h2-flow-control',
    level: 'MUST',
    family: 'HTTP/2 sessions and proxy lists',
    statement: 'A client does not send tunnel DATA beyond the stream and connection flow-control windows the proxy granted.',
    where: 'RFC 9113 §6.9',
  },
  {
    id: 'h2-session-isolation',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement:
      'A stream error on one CONNECT stream (RST_STREAM, a malformed answer) leaves the proxy session and its other tunnels working.',
    where: 'RFC 9113 §5.4.2',
  },
  {
    id: 'proxy-failover',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement:
      'With a list of proxies (PAC `PROXY a; PROXY b`), which failures of the first proxy (refused connection, close, reset, timeout, TLS failure, each non-2xx status) make the client try the next one, and whether it then remembers the bad proxy.',
    where: "WHATWG/Netscape PAC; browsers' proxy fallback",
  },
  {
    id: 'proxy-client-cert',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement:
      'An HTTPS proxy that requests a client certificate: the client answers with none (or a configured one) and the attempt ends or goes on without a prompt in headless use.',
    where: 'RFC 8446 §4.3.2',
  },
  {
    id: 'proxy-status',
    level: 'note',
    family: 'HTTP/2 sessions and proxy lists',
    statement: "A `Proxy-Status` field (RFC 9209) in a proxy's error answer: what the client exposes of it (error page, console, API).",
    where: 'RFC 9209 §2',
  },
] as const satisfies readonly Requirement[];

export type RequirementId = (typeof REQUIREMENTS)[number]['id'];
export const REQUIREMENT_IDS = REQUIREMENTS.map((r) => r.id) as unknown as readonly [RequirementId, ...RequirementId[]];

export function requirement(id: string): Requirement | undefined {
  return (REQUIREMENTS as readonly Requirement[]).find((r) => r.id === id);
}

/** Security rows are the ones whose level says so: the summary page's list is derived from this. */
export function isSecurity(req: Requirement): boolean {
  return req.level === 'MUST (security)' || req.family === 'Security';
}

/** rfc-editor.org link for the first RFC section a requirement cites, for the report. */
export function requirementLink(req: Requirement): string | undefined {
  const m = /RFC (\d+) (?:§|App\. )([\dA-Z.]+)/.exec(req.where);
  if (!m) return undefined;
  const section = m[2]!.replace(/\.$/, '');
  const anchor = /^[A-Z]/.test(section) ? `appendix-${section}` : `section-${section}`;
  return `https://www.rfc-editor.org/rfc/rfc${m[1]}.html#${anchor}`;
}
