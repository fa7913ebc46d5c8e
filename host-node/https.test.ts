import { http2Request } from '../spec-tests/support/echo/test-clients.js';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFor, INFRA_NS, type GeneratedLeaf } from '../spec-tests/support/certificates.js';
import { startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import type { NodeGateway } from './index.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway, tlsSecretYaml } from './test-support.js';

const OFFSET = portOffset(1);
const port = 443 + OFFSET;
let dir: ManifestDir;
let gateway: NodeGateway;
let v1: HttpEchoServer;
let v2: HttpEchoServer;
/** SANs abc.example.com, other.example.com (and a URI). */
let checks: GeneratedLeaf;
/** SAN tls.example.com. */
let terminate: GeneratedLeaf;

beforeAll(async () => {
  checks = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
  terminate = await certificateFor(`${INFRA_NS}/tls-terminate-checks-certificate`);
  v1 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v1-abc-def' } });
  v2 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v2-abc-def' } });
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    tlsSecretYaml('checks', checks.certPem, checks.keyPem),
    tlsSecretYaml('terminate', terminate.certPem, terminate.keyPem),
    gatewayYaml(
      'gw',
      `    - { name: abc, port: 443, protocol: HTTPS, hostname: abc.example.com, tls: { certificateRefs: [{ name: checks }] } }
    - { name: tls, port: 443, protocol: HTTPS, hostname: tls.example.com, tls: { certificateRefs: [{ name: terminate }] } }`,
    ),
    serviceYaml('v1', [v1.port]),
    serviceYaml('v2', [v2.port]),
    routeYaml('abc', `  - backendRefs: [{ name: v1, port: 8080 }]`, `  hostnames: [abc.example.com]\n`),
    routeYaml('tls', `  - backendRefs: [{ name: v2, port: 8080 }]`, `  hostnames: [tls.example.com]\n`),
  );
  ({ gateway } = await startGateway(dir, OFFSET));
});

afterAll(async () => {
  await gateway?.close();
  await v1?.close();
  await v2?.close();
  await dir?.remove();
});

interface TlsAnswer {
  status: number;
  body: string;
  san: string;
  alpn: string | false;
}

function get(servername: string, host: string, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', servername, ca, headers: { host }, agent: false }, (res) => {
      const socket = res.socket as TLSSocket;
      const san = socket.getPeerCertificate().subjectaltname ?? '';
      const alpn = socket.alpnProtocol;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, san, alpn }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS', () => {
  it('binds one socket for both listeners', () => {
    expect(gateway.listeners.map((l) => [l.listener, l.port])).toEqual([
      ['abc', port],
      ['tls', port],
    ]);
  });

  it('serves the certificate SNI selects and routes by Host', async () => {
    const abc = await get('abc.example.com', 'abc.example.com', checks.trustPem);
    expect(abc.san).toContain('DNS:abc.example.com');
    expect(abc.status).toBe(200);
    expect(JSON.parse(abc.body).pod).toBe('v1-abc-def');
    const tls = await get('tls.example.com', 'tls.example.com', terminate.trustPem);
    expect(tls.san).toContain('DNS:tls.example.com');
    expect(JSON.parse(tls.body)).toMatchObject({ pod: 'v2-abc-def', host: 'tls.example.com' });
  });

  it('sets X-Forwarded-Proto https', async () => {
    const abc = await get('abc.example.com', 'abc.example.com', checks.trustPem);
    expect(JSON.parse(abc.body).headers['X-Forwarded-Proto']).toEqual(['https']);
  });

  it('answers 421 when Host selects another listener than SNI', async () => {
    expect((await get('abc.example.com', 'tls.example.com', checks.trustPem)).status).toBe(421);
    expect((await get('tls.example.com', 'abc.example.com', terminate.trustPem)).status).toBe(421);
  });

  it('speaks HTTP/2 by ALPN', async () => {
    const answer = await http2Request(
      `https://127.0.0.1:${port}`,
      { ':path': '/h2?x=1', ':authority': 'abc.example.com' },
      { servername: 'abc.example.com', ca: checks.trustPem },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: 'v1-abc-def', path: '/h2?x=1', host: 'abc.example.com' });
  });
});
