import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import WebSocket from 'ws';
import { caFor, certificateFor, INFRA_NS, type GeneratedLeaf } from '../certificates.js';
import { startHttpsEcho, type EchoBody, type HttpEchoServer } from './http.js';
import { http2Request, httpRequest } from './test-clients.js';

const POD = 'tls-backend-5d8f7c9b6d-abcde';

const derOf = (pem: string) => new X509Certificate(pem).raw;

describe('HTTPS echo', () => {
  let server: HttpEchoServer;
  let serverCert: GeneratedLeaf;
  let clientCert: GeneratedLeaf;
  let foreignClientCert: GeneratedLeaf;

  beforeAll(async () => {
    serverCert = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
    clientCert = await certificateFor(`${INFRA_NS}/tls-checks-client-certificate`);
    foreignClientCert = await certificateFor(`${INFRA_NS}/tls-validity-checks-client-certificate`);
    const clientCa = (await caFor(`${INFRA_NS}/tls-checks-ca-certificate`)).certPem;
    server = await startHttpsEcho({
      pod: { namespace: INFRA_NS, pod: POD, service: 'tls-backend' },
      cert: serverCert.certPem,
      key: serverCert.keyPem,
      clientCa,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const trust = () => ({ ca: serverCert.trustPem, servername: 'abc.example.com' });

  it('reports the TLS connection (SNI, version, cipher, ALPN) in the echo', async () => {
    const res = await httpRequest(`${server.url}/backendTLS?x=1`, {
      headers: { host: 'abc.example.com' },
      tls: { ...trust(), ALPNProtocols: ['http/1.1'] },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as EchoBody;
    expect(body).toMatchObject({ path: '/backendTLS?x=1', host: 'abc.example.com', proto: 'HTTP/1.1', namespace: INFRA_NS, pod: POD });
    expect(body.tls).toEqual({
      version: 'TLSv1.3',
      serverName: 'abc.example.com',
      negotiatedProtocol: 'http/1.1',
      cipherSuite: expect.stringMatching(/^TLS_[A-Z0-9_]+$/),
    });
    expect(body.tls).not.toHaveProperty('peerCertificates');
  });

  it('omits negotiatedProtocol without ALPN and reports TLS 1.2 when capped', async () => {
    const res = await httpRequest(`${server.url}/`, { tls: { ...trust(), maxVersion: 'TLSv1.2' } });
    const body = JSON.parse(res.body) as EchoBody;
    expect(body.tls?.version).toBe('TLSv1.2');
    expect(body.tls?.cipherSuite).toMatch(/^TLS_ECDHE_RSA_WITH_/);
    expect(body.tls).not.toHaveProperty('negotiatedProtocol');
  });

  it('serves HTTP/2 over ALPN h2', async () => {
    const res = await http2Request(server.url, { ':path': '/h2?y=2', ':authority': 'abc.example.com' }, trust());
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as EchoBody;
    expect(body.proto).toBe('HTTP/2.0');
    expect(body.host).toBe('abc.example.com');
    expect(body.path).toBe('/h2?y=2');
    expect(body.tls?.negotiatedProtocol).toBe('h2');
  });

  it('echoes the client certificate chain as PEM when one is presented', async () => {
    const res = await httpRequest(`${server.url}/mtls`, {
      tls: { ...trust(), cert: clientCert.certPem, key: clientCert.keyPem },
    });
    expect(res.status).toBe(200);
    const peers = (JSON.parse(res.body) as EchoBody).tls?.peerCertificates ?? [];
    expect(peers.length).toBeGreaterThanOrEqual(1);
    expect(peers[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
    expect(derOf(peers[0]!).equals(derOf(clientCert.certPem))).toBe(true);
  });

  it('refuses client certificates from another CA', async () => {
    await expect(
      httpRequest(`${server.url}/mtls`, { tls: { ...trust(), cert: foreignClientCert.certPem, key: foreignClientCert.keyPem } }),
    ).rejects.toThrow();
  });

  it('serves the WebSocket echo over TLS', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, { origin: 'wss://gateway/test', ...trust() });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('over tls'));
      ws.on('message', (data) => resolve((data as Buffer).toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(echoed).toBe('over tls');
  });
});
