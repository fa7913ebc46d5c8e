import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFor } from './certificates.js';
import { startEchoBackend, type EchoBackend } from './echo/index.js';
import { captureRequest, compareExchange, type HttpCase } from './http-cases.js';
import { sendRequest, TransportError, verifyHostnameLikeGo, type ClientRequest } from './http-client.js';
import type { PeerCertificate } from 'node:tls';

const NS = 'gateway-conformance-infra';

describe('sendRequest against echo backends', () => {
  let echo: EchoBackend;
  let ca: string;

  beforeAll(async () => {
    const leaf = await certificateFor(`${NS}/tls-validity-checks-certificate`);
    ca = leaf.trustPem;
    echo = await startEchoBackend({ name: 'infra-backend-v1', namespace: NS, kind: 'http', tls: { cert: leaf.certPem, key: leaf.keyPem } });
  });
  afterAll(async () => {
    await echo?.close();
  });

  const base = (over: Partial<ClientRequest>): ClientRequest => ({
    protocol: 'HTTP',
    address: '127.0.0.1',
    port: echo.ports.http!,
    method: 'GET',
    path: '/a?b=1',
    host: 'example.org',
    headers: [
      ['X-Multi', 'one'],
      ['x-multi', 'two'],
      ['X-Echo-Set-Header', 'X-Back:1'],
    ],
    timeoutMs: 5_000,
    ...over,
  });

  it('sends HTTP/1.1 with the given Host and every header line', async () => {
    const res = await sendRequest(base({}));
    expect(res.status).toBe(200);
    expect(res.headers['x-back']).toEqual(['1']);
    const body = JSON.parse(res.body.toString());
    expect(body).toMatchObject({ path: '/a?b=1', host: 'example.org', proto: 'HTTP/1.1', namespace: NS });
    expect(body.headers['X-Multi']).toEqual(['one', 'two']);
  });

  it('speaks h2c with prior knowledge, :authority carrying the host', async () => {
    const res = await sendRequest(base({ protocol: 'H2C_PRIOR_KNOWLEDGE', port: echo.ports.h2c!, host: 'h2c.example' }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toMatchObject({ proto: 'HTTP/2.0', host: 'h2c.example' });
  });

  it('speaks HTTPS and H2 with SNI, verifying the server certificate against the trusted PEM', async () => {
    const tls = { serverName: 'example.org', ca };
    const https = await sendRequest(base({ protocol: 'HTTPS', port: echo.ports.https!, tls }));
    expect(JSON.parse(https.body.toString())).toMatchObject({ proto: 'HTTP/1.1', tls: { serverName: 'example.org' } });
    const h2 = await sendRequest(base({ protocol: 'H2', port: echo.ports.https!, tls }));
    expect(JSON.parse(h2.body.toString())).toMatchObject({ proto: 'HTTP/2.0', tls: { serverName: 'example.org', negotiatedProtocol: 'h2' } });
  });

  it('fails the handshake when the certificate is not trusted', async () => {
    const other = await certificateFor(`${NS}/tls-checks-certificate`);
    await expect(sendRequest(base({ protocol: 'HTTPS', port: echo.ports.https!, tls: { serverName: 'example.org', ca: other.trustPem } }))).rejects.toBeInstanceOf(
      TransportError,
    );
  });

  it('reports refused connections and silent servers as transport errors', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => void held.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    try {
      await expect(sendRequest(base({ port, timeoutMs: 200 }))).rejects.toThrow(/no response within 200 ms/);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    await expect(sendRequest(base({ port }))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('produces responses the case comparison reads (a real echo answer judged end to end)', async () => {
    const c: HttpCase = {
      request: { host: 'example.org', method: 'GET', path: '/a?b=1', headers: { 'X-Multi': 'one,two' }, protocol: 'HTTP' },
      backend: 'infra-backend-v1',
      namespace: NS,
      response: { statusCodes: [200], headers: { 'X-Back': '1' } },
      gateway: `${NS}/same-namespace`,
      port: 80,
      scheme: 'http',
    };
    const sent = { method: 'GET', path: '/a?b=1', scheme: 'http', headers: c.request.headers, host: 'example.org' };
    const res = await sendRequest(base({}));
    expect(compareExchange(c, sent, res)).toEqual({ ok: true });
    expect(captureRequest(res, sent)).toMatchObject({ pod: echo.pod });
    expect(compareExchange({ ...c, backend: 'infra-backend-v2' }, sent, res).ok).toBe(false);
  });
});

describe('verifyHostnameLikeGo', () => {
  const cert = (subjectaltname: string) => ({ subjectaltname }) as PeerCertificate;

  it('matches a leading wildcard label against exactly one label, as Go does', () => {
    const sans = cert('DNS:*, DNS:*.org, DNS:*.wildcard.org');
    expect(verifyHostnameLikeGo('example.org', sans)).toBeUndefined();
    expect(verifyHostnameLikeGo('Second-Example.ORG.', sans)).toBeUndefined();
    expect(verifyHostnameLikeGo('foo.wildcard.org', sans)).toBeUndefined();
    expect(verifyHostnameLikeGo('a.b.example.org', sans)).toBeInstanceOf(Error);
    expect(verifyHostnameLikeGo('example.com', sans)).toBeInstanceOf(Error);
  });

  it('compares exact names and IP addresses', () => {
    expect(verifyHostnameLikeGo('abc.example.com', cert('DNS:abc.example.com, URI:spiffe://abc.example.com/x'))).toBeUndefined();
    expect(verifyHostnameLikeGo('other.example.com', cert('DNS:abc.example.com'))).toBeInstanceOf(Error);
    expect(verifyHostnameLikeGo('127.0.0.1', cert('IP Address:127.0.0.1'))).toBeUndefined();
    expect(verifyHostnameLikeGo('127.0.0.2', cert('IP Address:127.0.0.1, DNS:*'))).toBeInstanceOf(Error);
  });
});
