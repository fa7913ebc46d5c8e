/**
 * The certificates a conformance run generates at set-up time (conformance README, "Setup done
 * by the harness" and "Certificate details"), as Kubernetes Secrets and CA ConfigMaps.
 *
 * All keys are RSA 2048, certificates are valid for one year. CAs are self-signed with subject
 * CN=gatewayapi, O=Kubernetes Gateway API, C=US; leaves have CN=default, O=Acme Co. Server
 * certificates carry ExtKeyUsage serverAuth and their SANs (hostnames as DNS names, IP literals
 * as IP addresses, anything else such as `spiffe://...` as a URI); client certificates carry
 * clientAuth and no SANs.
 *
 * Generated once per process (RSA key generation is the slow part); every caller shares the
 * same material, so a test that trusts a CA PEM trusts what the Secrets hold.
 */
// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import type { ConfigMap, Secret } from '../../src/model/core.js';

export const INFRA_NS = 'gateway-conformance-infra';
export const APP_BACKEND_NS = 'gateway-conformance-app-backend';
export const WEB_BACKEND_NS = 'gateway-conformance-web-backend';

export const CA_SUBJECT = 'CN=gatewayapi, O=Kubernetes Gateway API, C=US';
export const LEAF_SUBJECT = 'CN=default, O=Acme Co';
export const VALIDITY_DAYS = 365;

export interface CaSpec {
  namespace: string;
  /** Name of the ConfigMap holding the CA (`ca.crt`, and its key under `key.crt`). */
  name: string;
}

export interface LeafSpec {
  namespace: string;
  /** Name of the `kubernetes.io/tls` Secret. */
  name: string;
  usage: 'server' | 'client';
  /** SAN strings as the harness passes them (server certificates only). */
  hosts: readonly string[];
  /** `namespace/name` of the signing CA ConfigMap; absent for self-signed certificates. */
  signer?: string;
}

const ca = (namespace: string, name: string): CaSpec => ({ namespace, name });

/** The CA ConfigMaps, in the order the harness creates them. */
export const CA_SPECS: readonly CaSpec[] = [
  ca(INFRA_NS, 'tls-validity-checks-ca-certificate'),
  ca(INFRA_NS, 'tls-validity-checks-per-port-ca-certificate'),
  ca(INFRA_NS, 'tls-checks-ca-certificate'),
  ca(INFRA_NS, 'mismatch-ca-certificate'),
  ca(WEB_BACKEND_NS, 'web-backend-cm'),
];

const TLS_CHECKS_CA = `${INFRA_NS}/tls-checks-ca-certificate`;

/** The certificate Secrets, in the order the harness creates them. */
export const LEAF_SPECS: readonly LeafSpec[] = [
  { namespace: WEB_BACKEND_NS, name: 'certificate', usage: 'server', hosts: ['*'] },
  { namespace: INFRA_NS, name: 'tls-validity-checks-certificate', usage: 'server', hosts: ['*', '*.org', '*.wildcard.org'] },
  {
    namespace: INFRA_NS,
    name: 'tls-checks-certificate',
    usage: 'server',
    hosts: ['abc.example.com', 'spiffe://abc.example.com/test-identity', 'other.example.com'],
    signer: TLS_CHECKS_CA,
  },
  { namespace: INFRA_NS, name: 'tls-passthrough-checks-certificate', usage: 'server', hosts: ['abc.example.com'], signer: TLS_CHECKS_CA },
  { namespace: APP_BACKEND_NS, name: 'tls-passthrough-checks-certificate', usage: 'server', hosts: ['abc.example.com'], signer: TLS_CHECKS_CA },
  { namespace: INFRA_NS, name: 'tls-terminate-checks-certificate', usage: 'server', hosts: ['tls.example.com'], signer: TLS_CHECKS_CA },
  {
    namespace: INFRA_NS,
    name: 'tls-validity-checks-client-certificate',
    usage: 'client',
    hosts: [],
    signer: `${INFRA_NS}/tls-validity-checks-ca-certificate`,
  },
  {
    namespace: INFRA_NS,
    name: 'tls-validity-checks-per-port-client-certificate',
    usage: 'client',
    hosts: [],
    signer: `${INFRA_NS}/tls-validity-checks-per-port-ca-certificate`,
  },
  { namespace: INFRA_NS, name: 'tls-checks-client-certificate', usage: 'client', hosts: [], signer: TLS_CHECKS_CA },
];

export interface KeyMaterial {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
}

export interface GeneratedLeaf extends KeyMaterial {
  spec: LeafSpec;
  /** The signing CA's certificate PEM (the leaf itself for self-signed certificates): what a client trusts. */
  trustPem: string;
}

export interface GeneratedCa extends KeyMaterial {
  spec: CaSpec;
}

export interface ConformanceCertificates {
  /** Keyed by `namespace/name` of the Secret. */
  leaves: ReadonlyMap<string, GeneratedLeaf>;
  /** Keyed by `namespace/name` of the ConfigMap. */
  cas: ReadonlyMap<string, GeneratedCa>;
  /** The Secrets (`kubernetes.io/tls`, base64 `tls.crt`/`tls.key`), in creation order. */
  secrets: Secret[];
  /** The CA ConfigMaps (`ca.crt`, `key.crt`), in creation order. */
  configMaps: ConfigMap[];
}

const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

const DNS_NAME = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/i;

/** How the harness turns SAN strings into names: IP literals, hostnames (incl. wildcards), else URIs. */
export function subjectAltNames(hosts: readonly string[]): x509.JsonGeneralName[] {
  return hosts.map((h) => {
    if (isIP(h) !== 0) return { type: 'ip', value: h };
    if (DNS_NAME.test(h)) return { type: 'dns', value: h };
    return { type: 'url', value: h };
  });
}

function pem(tag: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${tag}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${tag}-----\n`;
}

function serialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive
  bytes[0] |= 0x01; // no leading zero byte
  return Buffer.from(bytes).toString('hex');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
}

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  material: KeyMaterial;
}

async function material(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<KeyMaterial> {
  return { certPem: `${cert.toString('pem')}\n`, keyPem: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

async function createCa(keys: CryptoKeyPair, notBefore: Date, notAfter: Date): Promise<Issued> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: CA_SUBJECT,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, material: await material(cert, keys) };
}

async function createLeaf(spec: LeafSpec, keys: CryptoKeyPair, issuer: Issued | undefined, notBefore: Date, notAfter: Date): Promise<Issued> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (spec.usage === 'server' && spec.hosts.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(subjectAltNames(spec.hosts)));
  let cert: x509.X509Certificate;
  if (issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: LEAF_SUBJECT,
      issuer: issuer.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: RSA,
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: LEAF_SUBJECT,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: RSA,
      extensions,
    });
  }
  return { cert, keys, material: await material(cert, keys) };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const keyOf = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

async function generate(): Promise<ConformanceCertificates> {
  x509.cryptoProvider.set(globalThis.crypto);
  const notBefore = new Date();
  notBefore.setMilliseconds(0);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);

  // Key generation dominates; it runs on the thread pool, so start every key at once.
  const [caKeys, leafKeys] = await Promise.all([
    Promise.all(CA_SPECS.map(() => generateKeys())),
    Promise.all(LEAF_SPECS.map(() => generateKeys())),
  ]);

  const caIssued = new Map<string, Issued>();
  const cas = new Map<string, GeneratedCa>();
  for (const [i, spec] of CA_SPECS.entries()) {
    const issued = await createCa(caKeys[i], notBefore, notAfter);
    caIssued.set(keyOf(spec), issued);
    cas.set(keyOf(spec), { spec, ...issued.material });
  }

  const leaves = new Map<string, GeneratedLeaf>();
  for (const [i, spec] of LEAF_SPECS.entries()) {
    const issuer = spec.signer === undefined ? undefined : caIssued.get(spec.signer);
    if (spec.signer !== undefined && !issuer) throw new Error(`certificate ${keyOf(spec)}: unknown signer ${spec.signer}`);
    const issued = await createLeaf(spec, leafKeys[i], issuer, notBefore, notAfter);
    leaves.set(keyOf(spec), { spec, ...issued.material, trustPem: issuer ? issuer.material.certPem : issued.material.certPem });
  }

  const secrets: Secret[] = [...leaves.values()].map((l) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: l.spec.name, namespace: l.spec.namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(l.certPem), 'tls.key': b64(l.keyPem) },
  }));
  const configMaps: ConfigMap[] = [...cas.values()].map((c) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: c.spec.name, namespace: c.spec.namespace },
    data: { 'ca.crt': c.certPem, 'key.crt': c.keyPem },
  }));
  return { leaves, cas, secrets, configMaps };
}

let cached: Promise<ConformanceCertificates> | undefined;

/** The run's certificates: generated on first use, then shared. */
export function conformanceCertificates(): Promise<ConformanceCertificates> {
  cached ??= generate();
  return cached;
}

/** The leaf Secret `namespace/name`, or an error naming the known ones. */
export async function certificateFor(secret: string): Promise<GeneratedLeaf> {
  const { leaves } = await conformanceCertificates();
  const leaf = leaves.get(secret);
  if (!leaf) throw new Error(`no generated certificate Secret ${secret} (known: ${[...leaves.keys()].join(', ')})`);
  return leaf;
}

/** The CA ConfigMap `namespace/name`, or an error naming the known ones. */
export async function caFor(configMap: string): Promise<GeneratedCa> {
  const { cas } = await conformanceCertificates();
  const found = cas.get(configMap);
  if (!found) throw new Error(`no generated CA ConfigMap ${configMap} (known: ${[...cas.keys()].join(', ')})`);
  return found;
}
