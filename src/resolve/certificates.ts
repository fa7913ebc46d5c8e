/**
 * Certificate material from Secrets and ConfigMaps: a `kubernetes.io/tls` Secret whose
 * `tls.crt` and `tls.key` parse and belong together, and CA bundles (`ca.crt`) holding at least
 * one parseable certificate.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ConfigMap, Secret } from '../model/core.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface KeyPair {
  certPem: string;
  keyPem: string;
  dnsNames: string[];
}

function secretValue(secret: Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' ? plain : undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses every PEM certificate in `text`; throws on the first that does not parse. */
function parseCertificates(text: string): X509Certificate[] {
  return (text.match(PEM_CERT) ?? []).map((pem) => new X509Certificate(pem));
}

/** DNS names of a leaf certificate: its DNS SANs, else its subject CN. */
export function certificateDnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san) {
    const names = san
      .split(/,\s*/)
      .filter((e) => e.startsWith('DNS:'))
      .map((e) => e.slice(4));
    if (names.length > 0) return names;
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return cn ? [cn[1]] : [];
}

export function parseTLSSecret(secret: Secret): Parsed<KeyPair> {
  const ref = `${secret.metadata.namespace}/${secret.metadata.name}`;
  if (secret.type !== 'kubernetes.io/tls') {
    return { ok: false, message: `Secret ${ref} is of type "${secret.type ?? 'Opaque'}", not "kubernetes.io/tls"` };
  }
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (!certPem || !keyPem) return { ok: false, message: `Secret ${ref} lacks ${!certPem ? 'tls.crt' : 'tls.key'}` };
  let certs: X509Certificate[];
  try {
    certs = parseCertificates(certPem);
  } catch (e) {
    return { ok: false, message: `Secret ${ref}: tls.crt does not parse: ${(e as Error).message}` };
  }
  if (certs.length === 0) return { ok: false, message: `Secret ${ref}: tls.crt holds no PEM certificate` };
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    return { ok: false, message: `Secret ${ref}: tls.key does not parse: ${(e as Error).message}` };
  }
  if (!certs[0].checkPrivateKey(key)) return { ok: false, message: `Secret ${ref}: tls.key does not match the certificate in tls.crt` };
  return { ok: true, value: { certPem, keyPem, dnsNames: certificateDnsNames(certs[0]) } };
}

/** The CA bundle of a ConfigMap (`ca.crt`), as PEM. */
export function parseCABundle(cm: ConfigMap): Parsed<string> {
  const ref = `${cm.metadata.namespace}/${cm.metadata.name}`;
  const pem = cm.data?.['ca.crt'];
  if (typeof pem !== 'string' || pem.trim() === '') return { ok: false, message: `ConfigMap ${ref} has no ca.crt` };
  try {
    const certs = parseCertificates(pem);
    if (certs.length === 0) return { ok: false, message: `ConfigMap ${ref}: ca.crt holds no PEM certificate` };
  } catch (e) {
    return { ok: false, message: `ConfigMap ${ref}: ca.crt does not parse: ${(e as Error).message}` };
  }
  return { ok: true, value: pem };
}
