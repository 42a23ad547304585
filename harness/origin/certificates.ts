/**
 * Run-time certificates: one CA per harness instance, and per-host leaf certificates that all share
 * one key pair. Sharing the leaf key keeps a single SPKI pin valid for every case host, which is
 * what lets Chromium accept the origin via --ignore-certificate-errors-spki-list without the
 * "abort the handshake, reconnect" double CONNECT that ignoreHTTPSErrors causes.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, createHash, randomBytes } from 'node:crypto';
import type { CertificateDefect } from '../vocabulary/transports';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

export interface CertificateAuthority {
  caPem: string;
  /** base64(sha256(SPKI)) of the shared leaf key: the value Chromium's SPKI flag wants. */
  leafSpkiSha256: string;
  leafKeyPem: string;
  /** PEM chain (leaf then CA) for a host, generated on first use and cached. */
  chainFor(host: string): Promise<string>;
  /**
   * A certificate and key for the HTTPS proxy with one defect (sec-proxy-cert). Its key is not the
   * shared leaf key, so no SPKI pin waives the defect; "untrusted" is signed by a CA no client gets.
   */
  defectiveIdentity(defect: CertificateDefect, host: string): Promise<{ key: string; cert: string }>;
}

const ipOrDns = (host: string) =>
  /^\d+\.\d+\.\d+\.\d+$/.test(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host };

export async function createCertificateAuthority(name = 'connect-conformance test CA'): Promise<CertificateAuthority> {
  const subtle = webcrypto.subtle;
  const caKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leafKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 24 * 3600_000);
  const notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${name}`,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const spki = await subtle.exportKey('spki', leafKeys.publicKey);
  const leafKeyPem = pem('PRIVATE KEY', await subtle.exportKey('pkcs8', leafKeys.privateKey));
  const caPem = ca.toString('pem');
  const cache = new Map<string, Promise<string>>();

  /** A server certificate for a name, as a PEM chain ending in its issuer's certificate. */
  async function leafChain(o: {
    name: string;
    publicKey: CryptoKey;
    issuer: { name: string; keys: CryptoKeyPair; pem: string };
    validity?: { notBefore: Date; notAfter: Date };
  }): Promise<string> {
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(8).toString('hex'),
      subject: `CN=${o.name}`,
      issuer: o.issuer.name,
      notBefore: o.validity?.notBefore ?? notBefore,
      notAfter: o.validity?.notAfter ?? notAfter,
      signingAlgorithm: ALG,
      publicKey: o.publicKey,
      signingKey: o.issuer.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // The HTTPS proxy is reached by IP (127.0.0.1): an IP address goes in an iPAddress SAN.
        new x509.SubjectAlternativeNameExtension([ipOrDns(o.name)]),
        await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey),
      ],
    });
    return `${leaf.toString('pem').trim()}\n${o.issuer.pem.trim()}\n`;
  }
  const runCa = { name: ca.subject, keys: caKeys, pem: caPem };
  const issue = (host: string) => leafChain({ name: host, publicKey: leafKeys.publicKey, issuer: runCa });

  const defective = new Map<string, Promise<{ key: string; cert: string }>>();
  async function makeDefective(defect: CertificateDefect, host: string): Promise<{ key: string; cert: string }> {
    const keys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const day = 24 * 3600_000;
    let issuer = runCa;
    if (defect === 'untrusted') {
      const otherKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const other = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: randomBytes(8).toString('hex'),
        name: 'CN=connect-conformance untrusted CA',
        notBefore,
        notAfter,
        signingAlgorithm: ALG,
        keys: otherKeys,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
      });
      issuer = { name: other.subject, keys: otherKeys, pem: other.toString('pem') };
    }
    const cert = await leafChain({
      name: defect === 'wrong-name' ? 'wrong-name.invalid' : host,
      publicKey: keys.publicKey,
      issuer,
      ...(defect === 'expired' ? { validity: { notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) } } : {}),
    });
    return { key: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey)), cert };
  }

  return {
    defectiveIdentity(defect, host) {
      const k = `${defect} ${host}`;
      let p = defective.get(k);
      if (!p) {
        p = makeDefective(defect, host);
        defective.set(k, p);
      }
      return p;
    },
    caPem,
    leafKeyPem,
    leafSpkiSha256: createHash('sha256').update(Buffer.from(spki)).digest('base64'),
    chainFor(host: string) {
      const key = host.toLowerCase();
      let p = cache.get(key);
      if (!p) {
        p = issue(key);
        cache.set(key, p);
      }
      return p;
    },
  };
}
