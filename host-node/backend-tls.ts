/**
 * TLS origination toward backends (BackendTLSPolicy): the settings one upstream pool uses and
 * the `node:tls` connect options they turn into.
 *
 * - SNI is the policy's `validation.hostname`, whatever Host header the request carries.
 * - The chain must verify against the policy's CA bundles; `wellKnownCACertificates: System`
 *   (with no bundle) trusts Node's default CA set.
 * - The certificate must match `hostname` (Node's RFC 6125 check) or, when the policy lists
 *   `subjectAltNames`, at least one of them: a Hostname against the DNS SANs (a `*.` SAN of
 *   the certificate covers one label), a URI against the URI SANs, exactly.
 * - The Gateway's `spec.tls.backend.clientCertificateRef` is presented when the backend asks.
 *
 * Every setting goes into `id`, part of the pool key: connections made with different settings
 * are never shared.
 */
import { createHash } from 'node:crypto';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { BackendTLS, ResolvedCertificate } from '../src/resolve/types.js';

export interface SubjectAltName {
  type: 'Hostname' | 'URI';
  value: string;
}

export interface UpstreamTls {
  /** Digest of every setting below. */
  readonly id: string;
  /** SNI, and the name the certificate must match when `subjectAltNames` is empty. */
  readonly servername: string;
  /** CA bundles (PEM); undefined trusts Node's default CAs. */
  readonly ca: readonly string[] | undefined;
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Presented to backends that request a client certificate. */
  readonly clientCertificate: { readonly certPem: string; readonly keyPem: string } | undefined;
}

/**
 * The settings for a backend's policy as seen from one Gateway (whose backend client
 * certificate is `client`). Undefined when the policy is unusable (`error`): such a backend
 * is never connected to.
 */
export function upstreamTls(policy: BackendTLS, client: ResolvedCertificate | undefined): UpstreamTls | undefined {
  if (policy.error !== undefined) return undefined;
  const ca = policy.caCertificates.length > 0 ? [...policy.caCertificates] : undefined;
  if (ca === undefined && policy.wellKnownCACertificates !== 'System') return undefined;
  const subjectAltNames = policy.subjectAltNames.map(({ type, value }) => ({ type, value }));
  const clientCertificate = client ? { certPem: client.certPem, keyPem: client.keyPem } : undefined;
  const id = createHash('sha256')
    .update(JSON.stringify([policy.hostname, ca ?? null, subjectAltNames, clientCertificate?.certPem ?? null, clientCertificate?.keyPem ?? null]))
    .digest('hex')
    .slice(0, 32);
  return { id, servername: policy.hostname, ca, subjectAltNames, clientCertificate };
}

/** The `tls.connect` options for `settings` (undici passes them through to `node:tls`). */
export function tlsConnectOptions(settings: UpstreamTls): ConnectionOptions {
  return {
    servername: settings.servername,
    rejectUnauthorized: true,
    ...(settings.ca !== undefined ? { ca: [...settings.ca] } : {}),
    ...(settings.clientCertificate !== undefined ? { cert: settings.clientCertificate.certPem, key: settings.clientCertificate.keyPem } : {}),
    checkServerIdentity: (_host: string, cert: PeerCertificate) => verifyServerIdentity(settings, cert),
  };
}

/** Undefined when the certificate identifies the backend `settings` expect, else why not. */
export function verifyServerIdentity(settings: Pick<UpstreamTls, 'servername' | 'subjectAltNames'>, cert: PeerCertificate): Error | undefined {
  if (settings.subjectAltNames.length === 0) return checkServerIdentity(settings.servername, cert);
  const names = parseSubjectAltNames(cert.subjectaltname ?? '');
  const dns = names.filter((n) => n.type === 'DNS').map((n) => n.value.toLowerCase());
  const uris = names.filter((n) => n.type === 'URI').map((n) => n.value);
  for (const san of settings.subjectAltNames) {
    if (san.type === 'URI' ? uris.includes(san.value) : dns.some((name) => dnsNameMatches(name, san.value.toLowerCase()))) return undefined;
  }
  const wanted = settings.subjectAltNames.map((s) => `${s.type === 'URI' ? 'URI' : 'DNS'}:${s.value}`).join(', ');
  const error = new Error(`the backend certificate's subject alternative names (${cert.subjectaltname ?? 'none'}) match none of ${wanted}`);
  Object.assign(error, { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'subjectAltNames mismatch', cert });
  return error;
}

/**
 * Whether the certificate's DNS SAN `certName` covers `wanted` (both lower case): equal, or
 * `certName` is `*.<parent>` and `wanted` is one label under `<parent>`. A wildcard `wanted`
 * only matches the same wildcard.
 */
export function dnsNameMatches(certName: string, wanted: string): boolean {
  const a = certName.endsWith('.') ? certName.slice(0, -1) : certName;
  const b = wanted.endsWith('.') ? wanted.slice(0, -1) : wanted;
  if (a === b) return true;
  if (!a.startsWith('*.') || b.startsWith('*.')) return false;
  const dot = b.indexOf('.');
  return dot > 0 && b.slice(dot) === a.slice(1);
}

/**
 * Splits Node's `subjectaltname` string (`DNS:a.example, URI:spiffe://x, ...`); values with
 * separators or quotes are JSON-quoted by Node.
 */
export function parseSubjectAltNames(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      const sep = text.indexOf(', ', end + 1);
      next = sep < 0 ? text.length : sep + 2;
    } else {
      const sep = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, sep < 0 ? text.length : sep);
      next = sep < 0 ? text.length : sep + 2;
    }
    out.push({ type, value });
    i = next;
  }
  return out;
}
