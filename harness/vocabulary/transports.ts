/**
 * How a client reaches the proxy. The 2015 observations and RFC 9112 are about "h1" (a plain HTTP
 * proxy); "h2" is an HTTPS proxy offering h2 by ALPN (RFC 9113 §8.5 CONNECT streams); "h1-tls" is
 * an HTTPS proxy offering only http/1.1, to see what a client does when h2 is not on offer.
 */
export const TRANSPORTS = {
  h1: { label: 'HTTP/1.1 proxy', tls: undefined },
  'h1-tls': { label: 'HTTPS proxy, http/1.1 only', tls: { alpn: ['http/1.1'] } },
  h2: { label: 'HTTPS proxy, h2', tls: { alpn: ['h2', 'http/1.1'] } },
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
