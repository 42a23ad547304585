/**
 * A CA, a TLS origin and a mock proxy wired together: what every client (browser or Node) runs
 * against. Used by the browser lab and by the unit tests with real Node clients.
 */
import { createCertificateAuthority, type CertificateAuthority } from '../origin/certificates';
import { TlsOrigin } from '../origin/tls-origin';
import { MockProxy } from '../proxy/mock-proxy';
import { proxyPac, TRANSPORTS, type Transport } from '../vocabulary/transports';
import type { ProxyEndpoint } from '../clients/client';

export interface Testbed {
  ca: CertificateAuthority;
  origin: TlsOrigin;
  proxy: MockProxy;
  /** What a client needs to know about the proxy: its URL and what to trust. */
  endpoint: ProxyEndpoint;
  close(): Promise<void>;
}

export interface TestbedOptions {
  /** A fixed port for the mock proxy (CC_PROXY_PORT); 0 takes a free one. */
  proxyPort?: number;
}

export async function startTestbed(transport: Transport = 'h1', options: TestbedOptions = {}): Promise<Testbed> {
  const ca = await createCertificateAuthority();
  const origin = new TlsOrigin(ca);
  await origin.listen();
  const tlsConfig = TRANSPORTS[transport].tls;
  // The HTTPS proxy's certificate (for 127.0.0.1) uses the shared leaf key, so the same SPKI pin
  // that trusts the origin trusts the proxy.
  const proxyTls = tlsConfig ? { key: ca.leafKeyPem, cert: await ca.chainFor('127.0.0.1'), alpn: [...tlsConfig.alpn] } : undefined;
  const proxy = new MockProxy({ connect: (kind) => origin.connect(kind) }, 10_000, proxyTls);
  try {
    await proxy.listen(options.proxyPort ?? 0);
  } catch (e) {
    await origin.close();
    throw e;
  }
  return {
    ca,
    origin,
    proxy,
    endpoint: {
      url: `${proxy.scheme}://127.0.0.1:${proxy.port}`,
      scheme: proxy.scheme,
      port: proxy.port,
      caPem: ca.caPem,
      spki: ca.leafSpkiSha256,
      ...(transport === 'list' ? { pac: proxyPac({ scheme: 'PROXY', port: proxy.port, list: true }) } : {}),
    },
    async close() {
      await proxy.close();
      await origin.close();
    },
  };
}
