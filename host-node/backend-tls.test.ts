import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendTLS, ResolvedCertificate } from '../src/resolve/types.js';
import { caFor, certificateFor, INFRA_NS, type GeneratedCa, type GeneratedLeaf } from '../spec-tests/support/certificates.js';
import { startHttpEcho, startHttpsEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import { dnsNameMatches, parseSubjectAltNames, upstreamTls, verifyServerIdentity } from './backend-tls.js';
import type { NodeGateway } from './index.js';
import type { RequestEndInfo } from './observe.js';
import { caConfigMapYaml, CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, send, serviceYaml, startGateway, tlsSecretYaml } from './test-support.js';

function peer(leaf: GeneratedLeaf): PeerCertificate {
  const x = new X509Certificate(leaf.certPem);
  return { subject: { CN: 'default' }, subjectaltname: x.subjectAltName ?? '' } as unknown as PeerCertificate;
}

const POLICY: BackendTLS = { policy: 'infra/p', hostname: 'abc.example.com', caCertificates: ['CA'], subjectAltNames: [] };

describe('backend TLS settings', () => {
  it('parses Node subjectaltname strings, quoted values included', () => {
    expect(parseSubjectAltNames('DNS:abc.example.com, URI:spiffe://abc.example.com/test-identity, DNS:"a, b.example"')).toEqual([
      { type: 'DNS', value: 'abc.example.com' },
      { type: 'URI', value: 'spiffe://abc.example.com/test-identity' },
      { type: 'DNS', value: 'a, b.example' },
    ]);
    expect(parseSubjectAltNames('')).toEqual([]);
  });

  it('matches DNS names with one-label wildcards', () => {
    expect(dnsNameMatches('abc.example.com', 'abc.example.com')).toBe(true);
    expect(dnsNameMatches('*.example.com', 'abc.example.com')).toBe(true);
    expect(dnsNameMatches('*.example.com', 'a.b.example.com')).toBe(false);
    expect(dnsNameMatches('*.example.com', 'example.com')).toBe(false);
    expect(dnsNameMatches('*.example.com', '*.example.com')).toBe(true);
    expect(dnsNameMatches('abc.example.com', '*.example.com')).toBe(false);
  });

  it('checks the hostname, or only the subjectAltNames when given', async () => {
    const cert = peer(await certificateFor(`${INFRA_NS}/tls-checks-certificate`));
    expect(verifyServerIdentity({ servername: 'other.example.com', subjectAltNames: [] }, cert)).toBeUndefined();
    expect(verifyServerIdentity({ servername: 'abc.example.org', subjectAltNames: [] }, cert)).toBeInstanceOf(Error);
    // With SANs the hostname is SNI only.
    const uri = { servername: 'nowhere.example.net', subjectAltNames: [{ type: 'URI' as const, value: 'spiffe://abc.example.com/test-identity' }] };
    expect(verifyServerIdentity(uri, cert)).toBeUndefined();
    const wrongUri = { servername: 'abc.example.com', subjectAltNames: [{ type: 'URI' as const, value: 'spiffe://abc.example.com/other' }] };
    expect((verifyServerIdentity(wrongUri, cert) as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const several = { servername: 'abc.example.com', subjectAltNames: [{ type: 'Hostname' as const, value: 'nope.example.com' }, { type: 'Hostname' as const, value: 'OTHER.example.com' }] };
    expect(verifyServerIdentity(several, cert)).toBeUndefined();
    // A DNS name does not satisfy a URI SAN and vice versa.
    expect(verifyServerIdentity({ servername: 'abc.example.com', subjectAltNames: [{ type: 'URI', value: 'abc.example.com' }] }, cert)).toBeInstanceOf(Error);
  });

  it('gives different settings different ids and refuses unusable policies', () => {
    const client: ResolvedCertificate = { secret: 'infra/c', certPem: 'C', keyPem: 'K', dnsNames: [] };
    const plain = upstreamTls(POLICY, undefined)!;
    expect(plain).toMatchObject({ servername: 'abc.example.com', ca: ['CA'], clientCertificate: undefined });
    expect(upstreamTls(POLICY, client)!.id).not.toBe(plain.id);
    expect(upstreamTls({ ...POLICY, hostname: 'other.example.com' }, undefined)!.id).not.toBe(plain.id);
    expect(upstreamTls({ ...POLICY, caCertificates: ['CA2'] }, undefined)!.id).not.toBe(plain.id);
    expect(upstreamTls({ ...POLICY }, undefined)!.id).toBe(plain.id);
    expect(upstreamTls({ ...POLICY, error: 'no CA' }, undefined)).toBeUndefined();
    expect(upstreamTls({ ...POLICY, caCertificates: [], wellKnownCACertificates: 'System' }, undefined)!.ca).toBeUndefined();
    expect(upstreamTls({ ...POLICY, caCertificates: [], wellKnownCACertificates: 'example.com/custom' }, undefined)).toBeUndefined();
  });
});

const OFFSET = portOffset(6);
const port = 80 + OFFSET;
const otherPort = 81 + OFFSET;

let dir: ManifestDir;
let gateway: NodeGateway;
let backend: HttpEchoServer;
let plain: HttpEchoServer;
let server: GeneratedLeaf;
let client: GeneratedLeaf;
let ca: GeneratedCa;
let mismatch: GeneratedCa;
const ended: RequestEndInfo[] = [];

function policyYaml(name: string, service: string, validation: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: ${name}, namespace: infra }
spec:
  targetRefs: [{ group: "", kind: Service, name: ${service} }]
  validation:
${validation}
`;
}

/** A Service for `port` whose targets are the TLS echo. */
function tlsService(name: string): string {
  return serviceYaml(name, [backend.port]);
}

beforeAll(async () => {
  server = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
  client = await certificateFor(`${INFRA_NS}/tls-checks-client-certificate`);
  ca = await caFor(`${INFRA_NS}/tls-checks-ca-certificate`);
  mismatch = await caFor(`${INFRA_NS}/mismatch-ca-certificate`);
  backend = await startHttpsEcho({ pod: { namespace: 'infra', pod: 'tls-backend-abc-def' }, cert: server.certPem, key: server.keyPem, clientCa: ca.certPem });
  plain = await startHttpEcho({ pod: { namespace: 'infra', pod: 'plain-abc-def' } });
  const validCa = `    caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca }]`;
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    tlsSecretYaml('client', client.certPem, client.keyPem),
    caConfigMapYaml('ca', ca.certPem),
    caConfigMapYaml('mismatch', mismatch.certPem),
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`, `  tls:\n    backend:\n      clientCertificateRef: { group: "", kind: Secret, name: client }\n`),
    gatewayYaml('other', `    - { name: http, port: 81, protocol: HTTP }`),
    tlsService('ok'),
    policyYaml('ok', 'ok', `${validCa}\n    hostname: abc.example.com`),
    tlsService('sni'),
    policyYaml('sni', 'sni', `${validCa}\n    hostname: other.example.com`),
    tlsService('host-mismatch'),
    policyYaml('host-mismatch', 'host-mismatch', `${validCa}\n    hostname: abc.example.org`),
    tlsService('ca-mismatch'),
    policyYaml('ca-mismatch', 'ca-mismatch', `    caCertificateRefs: [{ group: "", kind: ConfigMap, name: mismatch }]\n    hostname: abc.example.com`),
    tlsService('san-uri'),
    policyYaml('san-uri', 'san-uri', `${validCa}\n    hostname: sni.example.net\n    subjectAltNames: [{ type: URI, uri: "spiffe://abc.example.com/test-identity" }]`),
    tlsService('san-mismatch'),
    policyYaml('san-mismatch', 'san-mismatch', `${validCa}\n    hostname: abc.example.com\n    subjectAltNames: [{ type: Hostname, hostname: nope.example.com }]`),
    tlsService('no-ca'),
    policyYaml('no-ca', 'no-ca', `    caCertificateRefs: [{ group: "", kind: ConfigMap, name: missing }]\n    hostname: abc.example.com`),
    serviceYaml('plain', [plain.port]),
    routeYaml(
      'r',
      ['ok', 'sni', 'host-mismatch', 'ca-mismatch', 'san-uri', 'san-mismatch', 'no-ca', 'plain']
        .map((s) => `  - matches: [{ path: { type: PathPrefix, value: /${s} } }]\n    backendRefs: [{ name: ${s}, port: 8080 }]`)
        .join('\n'),
      '',
    ),
    routeYaml('o', `  - backendRefs: [{ name: ok, port: 8080 }]`, '', 'other'),
  );
  ({ gateway } = await startGateway(dir, OFFSET));
  gateway.onRequestEnd((info) => ended.push(info));
});

afterAll(async () => {
  await gateway?.close();
  await backend?.close();
  await plain?.close();
  await dir?.remove();
});

async function get(path: string, to = port) {
  const answer = await send(to, { host: 'abc.example.com', path });
  const info = ended.find((e) => e.path === path);
  return { ...answer, upstreamError: info?.upstreamError };
}

const normalize = (pem: string) => pem.replace(/\s+/g, '');

describe('TLS to backends (BackendTLSPolicy)', () => {
  it('originates TLS with the policy hostname as SNI and presents the Gateway client certificate', async () => {
    const answer = await get('/ok/1');
    expect(answer.status).toBe(200);
    expect(answer.json.pod).toBe('tls-backend-abc-def');
    expect(answer.json.tls.serverName).toBe('abc.example.com');
    // The echo lists the verified chain, the client certificate first.
    expect(normalize((answer.json.tls.peerCertificates as string[])[0])).toBe(normalize(client.certPem));
    // The Host header stays the client's.
    expect(answer.json.host).toBe('abc.example.com');
  });

  it('uses the policy hostname as SNI whatever the Host header', async () => {
    const answer = await get('/sni/1');
    expect(answer.status).toBe(200);
    expect(answer.json.tls.serverName).toBe('other.example.com');
  });

  it('answers 502 when the certificate does not match the hostname', async () => {
    const answer = await get('/host-mismatch/1');
    expect(answer.status).toBe(502);
    expect(answer.upstreamError).toBe('tls');
  });

  it('answers 502 when the chain does not verify against the CA', async () => {
    const answer = await get('/ca-mismatch/1');
    expect(answer.status).toBe(502);
    expect(answer.upstreamError).toBe('tls');
  });

  it('checks subjectAltNames instead of the hostname when given', async () => {
    const uri = await get('/san-uri/1');
    expect(uri.status).toBe(200);
    expect(uri.json.tls.serverName).toBe('sni.example.net');
    const wrong = await get('/san-mismatch/1');
    expect(wrong.status).toBe(502);
    expect(wrong.upstreamError).toBe('tls');
  });

  it('answers 500 for a backend whose policy has no usable CA, without connecting', async () => {
    const answer = await get('/no-ca/1');
    expect(answer.status).toBe(500);
    expect(answer.upstreamError).toBeUndefined();
  });

  it('leaves backends without a policy on plain HTTP', async () => {
    const answer = await get('/plain/1');
    expect(answer.status).toBe(200);
    expect(answer.json.tls).toBeUndefined();
  });

  it('presents no client certificate for a Gateway without one (separate pools)', async () => {
    // The same endpoint, reached through both Gateways one after the other.
    const clientLeaf = (answer: { json: any }) => normalize(answer.json.tls.peerCertificates?.[0] ?? '');
    expect(clientLeaf(await get('/ok/2'))).toBe(normalize(client.certPem));
    const other = await get('/ok/3', otherPort);
    expect(other.status).toBe(200);
    expect(other.json.tls.serverName).toBe('abc.example.com');
    expect(other.json.tls.peerCertificates).toBeUndefined();
    expect(clientLeaf(await get('/ok/4'))).toBe(normalize(client.certPem));
  });

  it('reconnects with the new client certificate when its Secret changes', async () => {
    // Signed by a CA the backend does not trust: the backend refuses the connection.
    const untrusted = await certificateFor(`${INFRA_NS}/tls-validity-checks-client-certificate`);
    const text = (await readFile(dir.file('all.yaml'), 'utf8')).replace(tlsSecretYaml('client', client.certPem, client.keyPem), tlsSecretYaml('client', untrusted.certPem, untrusted.keyPem));
    await writeFile(dir.file('all.yaml'), text);
    const info = await gateway.reload();
    expect(info.changed).toBe(true);
    const answer = await get('/ok/5');
    expect(answer.status).toBe(502);
  });
});
