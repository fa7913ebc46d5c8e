import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFor, INFRA_NS, type GeneratedLeaf } from '../certificates.js';
import { EchoPod } from './shared.js';
import { MAX_LINE_BYTES, startTcpEcho, TCP_WELCOME, type TcpEchoServer, type TcpTestAnswer } from './tcp.js';
import { connectionRefused, LineClient } from './test-clients.js';

const POD = 'tcp-backend-v1-5f6d7c8b9a-k2m4p';

describe('TCP echo', () => {
  let server: TcpEchoServer;
  let cert: GeneratedLeaf;
  const pod = new EchoPod({ namespace: INFRA_NS, pod: POD, service: 'tcp-backend-v1' });

  beforeAll(async () => {
    cert = await certificateFor(`${INFRA_NS}/tls-passthrough-checks-certificate`);
    server = await startTcpEcho({ pod, tls: { cert: cert.certPem, key: cert.keyPem } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('greets, then answers PING, IS_TLS and TEST on plain TCP', async () => {
    const client = await LineClient.connect(server.port);
    expect(await client.readLine()).toBe(TCP_WELCOME);
    client.send('PING\n');
    expect(await client.readLine()).toBe('PONG\n');
    client.send('IS_TLS\n');
    expect(await client.readLine()).toBe('false\n');
    client.send('TEST\n');
    const line = await client.readLine();
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      namespace: INFRA_NS,
      ingress: '',
      service: 'tcp-backend-v1',
      pod: POD,
      tcpport: String(server.port),
      tlsport: String(server.tlsPort),
      isTLS: false,
    } satisfies TcpTestAnswer);
    expect(line).toBe(
      `{"namespace":"${INFRA_NS}","ingress":"","service":"tcp-backend-v1","pod":"${POD}",` +
        `"tcpport":"${server.port}","tlsport":"${server.tlsPort}","isTLS":false}\n`,
    );
    client.close();
  });

  it('ignores unknown lines, accepts CRLF and split writes, keeps the connection open', async () => {
    const client = await LineClient.connect(server.port);
    await client.readLine();
    client.send('HELLO\nnoise\r\nPI');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.pending()).toBe('');
    client.send('NG\r\n');
    expect(await client.readLine()).toBe('PONG\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.send('PING\n');
    expect(await client.readLine()).toBe('PONG\n');
    client.close();
  });

  it('answers a last unterminated command after the client half-closes, then closes', async () => {
    const client = await LineClient.connect(server.port);
    await client.readLine();
    client.socket.end('PING');
    expect(await client.readLine()).toBe('PONG\n');
    await client.closed;
  });

  it('closes connections whose line exceeds 64 KiB', async () => {
    const client = await LineClient.connect(server.port);
    await client.readLine();
    client.send('x'.repeat(MAX_LINE_BYTES + 10));
    await client.closed;
    expect(client.socket.destroyed).toBe(true);
  });

  it('serves the same protocol over TLS after the handshake, with TLS facts in TEST', async () => {
    const client = await LineClient.connect(server.tlsPort!, { ca: cert.trustPem, servername: 'abc.example.com' });
    expect(await client.readLine()).toBe(TCP_WELCOME);
    client.send('IS_TLS\n');
    expect(await client.readLine()).toBe('true\n');
    client.send('TEST\n');
    const answer = JSON.parse(await client.readLine()) as TcpTestAnswer;
    expect(answer).toMatchObject({ namespace: INFRA_NS, pod: POD, isTLS: true, tcpport: String(server.port) });
    expect(answer.tls).toEqual({
      version: 'TLS 1.3',
      serverName: 'abc.example.com',
      cipherSuite: expect.stringMatching(/^TLS_/),
    });
    client.close();
    expect(pod.log.includes('Accepted TLS connection from 127.0.0.1:')).toBe(true);
  });

  it('frees both ports on close, ending open connections', async () => {
    const other = await startTcpEcho({ pod: { namespace: 'ns', pod: 'a-b-c' }, tls: { cert: cert.certPem, key: cert.keyPem } });
    const client = await LineClient.connect(other.port);
    await client.readLine();
    await other.close();
    await client.closed;
    expect(await connectionRefused(other.port)).toBe(true);
    expect(await connectionRefused(other.tlsPort!)).toBe(true);
  });

  it('omits tlsport without a TLS listener', async () => {
    const plain = await startTcpEcho({ pod: { namespace: 'ns', pod: 'a-b-c' } });
    expect(plain.tlsPort).toBeUndefined();
    const client = await LineClient.connect(plain.port);
    await client.readLine();
    client.send('TEST\n');
    expect(JSON.parse(await client.readLine())).not.toHaveProperty('tlsport');
    client.close();
    await plain.close();
  });
});
