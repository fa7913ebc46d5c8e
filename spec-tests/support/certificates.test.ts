import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CA_SPECS,
  LEAF_SPECS,
  caFor,
  certificateFor,
  conformanceCertificates,
  subjectAltNames,
  type ConformanceCertificates,
} from './certificates.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 24 * 3600 * 1000;

let certs: ConformanceCertificates;

beforeAll(async () => {
  certs = await conformanceCertificates();
});

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('generated conformance certificates', () => {
  it('are generated once per process and shared', async () => {
    expect(await conformanceCertificates()).toBe(certs);
  });

  it('has exactly the Secrets and ConfigMaps the harness creates', () => {
    expect(certs.secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      'gateway-conformance-web-backend/certificate',
      'gateway-conformance-infra/tls-validity-checks-certificate',
      'gateway-conformance-infra/tls-checks-certificate',
      'gateway-conformance-infra/tls-passthrough-checks-certificate',
      'gateway-conformance-app-backend/tls-passthrough-checks-certificate',
      'gateway-conformance-infra/tls-terminate-checks-certificate',
      'gateway-conformance-infra/tls-validity-checks-client-certificate',
      'gateway-conformance-infra/tls-validity-checks-per-port-client-certificate',
      'gateway-conformance-infra/tls-checks-client-certificate',
    ]);
    expect(certs.configMaps.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual([
      'gateway-conformance-infra/tls-validity-checks-ca-certificate',
      'gateway-conformance-infra/tls-validity-checks-per-port-ca-certificate',
      'gateway-conformance-infra/tls-checks-ca-certificate',
      'gateway-conformance-infra/mismatch-ca-certificate',
      'gateway-conformance-web-backend/web-backend-cm',
    ]);
    for (const s of certs.secrets) {
      expect(s.type).toBe('kubernetes.io/tls');
      expect(Object.keys(s.data ?? {}).sort()).toEqual(['tls.crt', 'tls.key']);
    }
    for (const c of certs.configMaps) expect(Object.keys(c.data ?? {}).sort()).toEqual(['ca.crt', 'key.crt']);
  });

  it('CAs are self-signed RSA 2048 CAs with the Gateway API subject, valid for one year', () => {
    for (const spec of CA_SPECS) {
      const cm = certs.configMaps.find((c) => c.metadata.name === spec.name && c.metadata.namespace === spec.namespace)!;
      const cert = new X509Certificate(cm.data!['ca.crt']);
      expect(cert.ca).toBe(true);
      expect(cert.subject.split('\n').sort()).toEqual(['C=US', 'CN=gatewayapi', 'O=Kubernetes Gateway API']);
      expect(cert.issuer).toBe(cert.subject);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
      const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY;
      expect(days).toBe(365);
      // key.crt is the CA's own private key
      const pub = createPublicKey(createPrivateKey(cm.data!['key.crt'])).export({ type: 'spki', format: 'der' });
      expect(Buffer.compare(pub, cert.publicKey.export({ type: 'spki', format: 'der' }))).toBe(0);
    }
  });

  it('leaves have the listed SANs, key usage, signer and a matching key', async () => {
    const expectedSans: Record<string, string | undefined> = {
      'gateway-conformance-web-backend/certificate': 'DNS:*',
      'gateway-conformance-infra/tls-validity-checks-certificate': 'DNS:*, DNS:*.org, DNS:*.wildcard.org',
      'gateway-conformance-infra/tls-checks-certificate': 'DNS:abc.example.com, URI:spiffe://abc.example.com/test-identity, DNS:other.example.com',
      'gateway-conformance-infra/tls-passthrough-checks-certificate': 'DNS:abc.example.com',
      'gateway-conformance-app-backend/tls-passthrough-checks-certificate': 'DNS:abc.example.com',
      'gateway-conformance-infra/tls-terminate-checks-certificate': 'DNS:tls.example.com',
      'gateway-conformance-infra/tls-validity-checks-client-certificate': undefined,
      'gateway-conformance-infra/tls-validity-checks-per-port-client-certificate': undefined,
      'gateway-conformance-infra/tls-checks-client-certificate': undefined,
    };
    expect(LEAF_SPECS.length).toBe(Object.keys(expectedSans).length);
    for (const spec of LEAF_SPECS) {
      const id = `${spec.namespace}/${spec.name}`;
      const secret = certs.secrets.find((s) => s.metadata.name === spec.name && s.metadata.namespace === spec.namespace)!;
      const certPem = decode(secret.data!['tls.crt']);
      const keyPem = decode(secret.data!['tls.key']);
      const cert = new X509Certificate(certPem);
      expect(cert.ca, id).toBe(false);
      expect(cert.subject.split('\n').sort(), id).toEqual(['CN=default', 'O=Acme Co']);
      expect(cert.subjectAltName, id).toBe(expectedSans[id]);
      expect(cert.keyUsage, id).toEqual([spec.usage === 'server' ? SERVER_AUTH : CLIENT_AUTH]);
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength, id).toBe(2048);
      expect(cert.checkPrivateKey(createPrivateKey(keyPem)), id).toBe(true);
      expect((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY, id).toBe(365);
      const leaf = await certificateFor(id);
      expect(leaf.certPem).toBe(certPem);
      if (spec.signer) {
        const issuer = new X509Certificate((await caFor(spec.signer)).certPem);
        expect(cert.checkIssued(issuer), id).toBe(true);
        expect(cert.verify(issuer.publicKey), id).toBe(true);
        expect(leaf.trustPem).toBe((await caFor(spec.signer)).certPem);
      } else {
        expect(cert.issuer, id).toBe(cert.subject);
        expect(cert.verify(cert.publicKey), id).toBe(true);
        expect(leaf.trustPem).toBe(certPem);
      }
      // Node's TLS stack accepts the pair as a server/client identity.
      expect(() => createSecureContext({ cert: certPem, key: keyPem })).not.toThrow();
    }
  });

  it('mismatch-ca-certificate and web-backend-cm sign nothing; no leaf verifies against them', async () => {
    for (const unused of ['gateway-conformance-infra/mismatch-ca-certificate', 'gateway-conformance-web-backend/web-backend-cm']) {
      const issuer = new X509Certificate((await caFor(unused)).certPem);
      for (const leaf of certs.leaves.values()) expect(new X509Certificate(leaf.certPem).verify(issuer.publicKey)).toBe(false);
    }
  });

  it('unknown names fail with the list of known ones', async () => {
    await expect(certificateFor('gateway-conformance-infra/nope')).rejects.toThrow(/known: .*tls-checks-certificate/);
    await expect(caFor('x/y')).rejects.toThrow(/known: .*mismatch-ca-certificate/);
  });

  it('classifies SAN strings like the harness', () => {
    expect(subjectAltNames(['*', '*.org', 'a.b', '10.0.0.1', '::1', 'spiffe://abc.example.com/test-identity'])).toEqual([
      { type: 'dns', value: '*' },
      { type: 'dns', value: '*.org' },
      { type: 'dns', value: 'a.b' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'ip', value: '::1' },
      { type: 'url', value: 'spiffe://abc.example.com/test-identity' },
    ]);
  });
});
