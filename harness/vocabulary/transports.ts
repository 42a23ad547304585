/**
 * How a client reaches the proxy. The 2015 observations and RFC 9112 are about "h1" (a plain HTTP
 * proxy); "h2" is an HTTPS proxy offering h2 by ALPN (RFC 9113 §8.5 CONNECT streams); "h1-tls" is
 * an HTTPS proxy offering only http/1.1, to see what a client does when h2 is not on offer.
 */
export const TRANSPORTS = {
  h1: { label: 'HTTP/1.1 proxy', tls: undefined },
  'h1-tls': { label: 'HTTPS proxy, http/1.1 only', tls: { alpn: ['http/1.1'] } },
  h2: { label: 'HTTPS proxy, h2', tls: { alpn: ['h2', 'http/1.1'] } },
  /**
   * A list of proxies from a PAC: "PROXY a; PROXY b" (or "HTTPS a; PROXY b") for a case whose
   * script sets up a first proxy (proxy.first), else the plain HTTP proxy alone. The mock proxy
   * is b; a is made per case run on a fresh port, so no client's memory of a bad proxy outlives it.
   */
  list: { label: 'proxy list (PAC)', tls: undefined },
} as const;

export type Transport = keyof typeof TRANSPORTS;
export const TRANSPORT_NAMES = Object.keys(TRANSPORTS) as [Transport, ...Transport[]];

/** Project names: "chromium" for h1 (the 2015 comparison's lineage), "chromium-h2" and so on. */
export function projectName(client: string, transport: Transport): string {
  return transport === 'h1' ? client : `${client}-${transport}`;
}

export function parseProjectName(name: string): { client: string; transport: Transport } {
  for (const t of TRANSPORT_NAMES) {
    if (t !== 'h1' && name.endsWith(`-${t}`)) return { client: name.slice(0, -t.length - 1), transport: t };
  }
  return { client: name, transport: 'h1' };
}

/**
 * What can be wrong with an HTTPS proxy's own certificate (sec-proxy-cert, CVE-2011-3061): issued
 * for another name, expired, or from an issuer the client was not told to trust.
 */
export const CERTIFICATE_DEFECTS = ['wrong-name', 'expired', 'untrusted'] as const;
export type CertificateDefect = (typeof CERTIFICATE_DEFECTS)[number];

/**
 * The PAC a client is configured with where it takes one (Firefox always; every client for the
 * "list" transport). One script, fixed when the browser starts, serves every case, because a case
 * host carries what the PAC needs in its last labels (subdomains of the case host end the same):
 * - "-p40123" (last): the case reaches the mock proxy on a port of its own, 40123, instead of
 *   `port` — for a client that keeps proxy credentials per proxy host:port across contexts
 *   (Firefox), so one case's credentials never reach another case (test/credentials-isolation.test.ts);
 * - "-a40123" / "-s40123" (before it; the list transport only): the case's first proxy, PROXY or
 *   HTTPS, on its own fresh port, listed before the mock proxy.
 */
export function proxyPac(proxy: { scheme: 'PROXY' | 'HTTPS'; port: number; list?: boolean }): string {
  const first = proxy.list
    ? `
  var m = /-([as])([0-9]{2,5})(-p[0-9]{2,5})?\\.connect\\.test$/.exec(host);
  if (m) return (m[1] == "s" ? "HTTPS" : "PROXY") + " 127.0.0.1:" + m[2] + "; " + b;`
    : '';
  return `function FindProxyForURL(url, host) {
  var own = /-p([0-9]{2,5})\\.connect\\.test$/.exec(host);
  var b = "${proxy.scheme} 127.0.0.1:" + (own ? own[1] : "${proxy.port}");${first}
  return b;
}`;
}

/** The host label suffix that names a case's first proxy in the PAC above. */
export function firstProxyLabel(scheme: 'PROXY' | 'HTTPS', port: number): string {
  return `-${scheme === 'HTTPS' ? 's' : 'a'}${port}`;
}

/** The host label suffix that sends a case to a port of its own of the mock proxy, in the PAC above. */
export function ownProxyPortLabel(port: number): string {
  return `-p${port}`;
}
