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
 * The PAC of the "list" transport. A case host carries the first proxy's port ("-a40123." for
 * PROXY, "-s40123." for HTTPS), so one PAC, fixed when the browser starts, serves every case with
 * a first proxy of its own.
 */
export function listPac(secondPort: number): string {
  return `function FindProxyForURL(url, host) {
  var m = /-([as])([0-9]{2,5}).connect.test$/.exec(host);
  var b = "PROXY 127.0.0.1:${secondPort}";
  if (!m) return b;
  return (m[1] == "s" ? "HTTPS" : "PROXY") + " 127.0.0.1:" + m[2] + "; " + b;
}`;
}

/** The host label suffix that names a case's first proxy in the PAC above. */
export function firstProxyLabel(scheme: 'PROXY' | 'HTTPS', port: number): string {
  return `-${scheme === 'HTTPS' ? 's' : 'a'}${port}`;
}
