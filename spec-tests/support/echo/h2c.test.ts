import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startH2cEcho } from './h2c.js';
import type { EchoBody, HttpEchoServer } from './http.js';
import { EchoPod } from './shared.js';
import { connectionRefused, http2Request, httpRequest } from './test-clients.js';

const NS = 'gateway-conformance-infra';

describe('h2c echo', () => {
  let server: HttpEchoServer;
  const pod = new EchoPod({ namespace: NS, pod: 'infra-backend-v1-6c7d8f9b5d-q8wzt', service: 'infra-backend-v1' });

  beforeAll(async () => {
    server = await startH2cEcho({ pod });
  });
  afterAll(async () => {
    await server.close();
  });

  it('echoes HTTP/2 prior-knowledge requests with proto HTTP/2.0', async () => {
    const res = await http2Request(server.url, {
      ':path': '/h2c?a=1',
      ':method': 'POST',
      ':authority': 'gateway.example',
      'x-echo-set-header': 'X-From-Backend:yes',
      'x-custom': 'v',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-from-backend']).toBe('yes');
    const body = JSON.parse(res.body) as EchoBody;
    expect(body).toEqual({
      path: '/h2c?a=1',
      host: 'gateway.example',
      method: 'POST',
      proto: 'HTTP/2.0',
      headers: { 'X-Custom': ['v'], 'X-Echo-Set-Header': ['X-From-Backend:yes'] },
      httpPort: String(server.port),
      namespace: NS,
      ingress: '',
      service: 'infra-backend-v1',
      pod: 'infra-backend-v1-6c7d8f9b5d-q8wzt',
    });
    expect(pod.log.sawRequest('/h2c?a=1')).toBe(true);
  });

  it('rejects HTTP/1.1 requests with 400 "Expected h2c request"', async () => {
    const res = await httpRequest(`${server.url}/`);
    expect(res.status).toBe(400);
    expect(res.body).toBe('Expected h2c request');
    const post = await httpRequest(`${server.url}/`, { method: 'POST', body: 'y'.repeat(100_000) });
    expect(post.status).toBe(400);
  });

  it('echoes every path, as upstream h2c has no routes', async () => {
    const res = await http2Request(server.url, { ':path': '/status/500' });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as EchoBody).path).toBe('/status/500');
  });

  it('answers an HTTP/1.1 Upgrade: h2c request over HTTP/1.1 instead of refusing it', async () => {
    const res = await httpRequest(`${server.url}/upgrade`, {
      headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA' },
    });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as EchoBody).proto).toBe('HTTP/1.1');
  });

  it('survives clients that close before sending a full preface', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.end('PRI * HT'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    expect((await http2Request(server.url, { ':path': '/after' })).status).toBe(200);
  });

  it('frees its port on close', async () => {
    const other = await startH2cEcho({ pod: { namespace: NS, pod: 'x-y-z' } });
    const pending = http2Request(other.url, { ':path': '/ok' });
    expect((await pending).status).toBe(200);
    await other.close();
    expect(await connectionRefused(other.port)).toBe(true);
  });
});
