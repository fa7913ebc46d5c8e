import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as rawRequest } from 'node:http';
import WebSocket from 'ws';
import { canonicalHeaderName, echoedHeaders, startHttpEcho, type EchoBody, type HttpEchoServer } from './http.js';
import { EchoPod } from './shared.js';
import { connectionRefused, httpRequest } from './test-clients.js';

const NS = 'gateway-conformance-infra';
const POD = 'infra-backend-v1-7b9d5c8f6d-x2kqz';

describe('canonicalHeaderName', () => {
  it('uses Go canonical MIME header keys', () => {
    expect(canonicalHeaderName('x-echo-set-header')).toBe('X-Echo-Set-Header');
    expect(canonicalHeaderName('CONTENT-LENGTH')).toBe('Content-Length');
    expect(canonicalHeaderName('user-agent')).toBe('User-Agent');
    expect(canonicalHeaderName('x--y')).toBe('X--Y');
    expect(canonicalHeaderName('bad header')).toBe('bad header');
  });

  it('keeps one entry per field line, drops Host and pseudo-headers, sorts names', () => {
    const raw = ['host', 'a', 'x-b', '1', ':path', '/', 'X-B', '2', 'accept', '*/*'];
    expect(echoedHeaders(raw, false)).toEqual({ Accept: ['*/*'], 'X-B': ['1', '2'] });
    expect(Object.keys(echoedHeaders(raw, false))).toEqual(['Accept', 'X-B']);
    expect(echoedHeaders(['cookie', 'a=1', 'cookie', 'b=2'], true)).toEqual({ Cookie: ['a=1; b=2'] });
    expect(echoedHeaders(['cookie', 'a=1', 'cookie', 'b=2'], false)).toEqual({ Cookie: ['a=1', 'b=2'] });
  });
});

describe('HTTP echo', () => {
  let server: HttpEchoServer;
  const pod = new EchoPod({ namespace: NS, pod: POD, service: 'infra-backend-v1' });

  beforeAll(async () => {
    server = await startHttpEcho({ pod });
  });
  afterAll(async () => {
    await server.close();
  });

  it('echoes the request as JSON with upstream fields', async () => {
    const res = await httpRequest(`${server.url}/some/path?b=2&a=1`, {
      headers: ['Host', 'example.com', 'x-multi', 'one', 'X-Multi', 'two', 'X-Echo-Set-Header', '', 'Connection', 'close'],
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const body = JSON.parse(res.body) as EchoBody;
    expect(body).toEqual({
      path: '/some/path?b=2&a=1',
      host: 'example.com',
      method: 'GET',
      proto: 'HTTP/1.1',
      headers: { Connection: ['close'], 'X-Echo-Set-Header': [''], 'X-Multi': ['one', 'two'] },
      httpPort: String(server.port),
      namespace: NS,
      ingress: '',
      service: 'infra-backend-v1',
      pod: POD,
    });
    expect(Object.keys(body)).toEqual([
      'path', 'host', 'method', 'proto', 'headers', 'httpPort', 'namespace', 'ingress', 'service', 'pod',
    ]);
    // Go's json.MarshalIndent with a one-space indent.
    expect(res.body.startsWith('{\n "path": "/some/path?b=2\\u0026a=1",\n')).toBe(true);
  });

  it('reads request bodies before answering and echoes their headers', async () => {
    const payload = 'x'.repeat(200_000);
    const res = await httpRequest(`${server.url}/upload`, { method: 'POST', body: payload, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as EchoBody;
    expect(body.method).toBe('POST');
    expect(body.headers['Content-Length']).toEqual([String(payload.length)]);
    expect(body.headers['Content-Type']).toEqual(['text/plain']);
  });

  it('sets response headers from X-Echo-Set-Header, appending repeats', async () => {
    const res = await httpRequest(`${server.url}/set`, {
      headers: ['Host', 'h', 'X-Echo-Set-Header', 'X-Foo: bar, X-Baz:qux', 'X-Echo-Set-Header', 'x-foo:again'],
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-foo']).toBe('bar,again');
    expect(res.headers['x-baz']).toBe('qux');
    expect((JSON.parse(res.body) as EchoBody).headers['X-Echo-Set-Header']).toEqual(['X-Foo: bar, X-Baz:qux', 'x-foo:again']);
  });

  it('delays by ?delay= and rejects invalid durations with 500', async () => {
    const started = Date.now();
    const res = await httpRequest(`${server.url}/slow?delay=300ms`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const bad = await httpRequest(`${server.url}/slow?delay=soon`);
    expect(bad.status).toBe(500);
    expect(JSON.parse(bad.body)).toEqual({ message: 'time: invalid duration "soon"' });
  });

  it('answers /status/NNN, /health, and 400 for malformed status paths', async () => {
    expect((await httpRequest(`${server.url}/status/503`)).status).toBe(503);
    expect((await httpRequest(`${server.url}/status/204`)).status).toBe(204);
    expect((await httpRequest(`${server.url}/status/503?x=1`)).status).toBe(400);
    expect((await httpRequest(`${server.url}/status/5031`)).status).toBe(400);
    const health = await httpRequest(`${server.url}/health`);
    expect(health).toMatchObject({ status: 200, body: 'OK' });
  });

  it('routes on the path with // collapsed but echoes the URI as received', async () => {
    expect((await httpRequest(`${server.url}//status//418`)).status).toBe(400);
    expect((await httpRequest(`${server.url}/status//418`)).status).toBe(400);
    const res = await httpRequest(`${server.url}//health`);
    expect(res.body).toBe('OK');
  });

  it('fails /retry/ requests with the response code succeedAfter times, then echoes', async () => {
    const path = '/retry/code-500?responseCode=500&succeedAfter=2&uuid=u-1';
    expect((await httpRequest(server.url + path)).status).toBe(500);
    expect((await httpRequest(server.url + path)).status).toBe(500);
    const ok = await httpRequest(server.url + path);
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as EchoBody).path).toBe(path);
    // Counters are per uuid.
    expect((await httpRequest(`${server.url}/retry/x?responseCode=503&succeedAfter=1&uuid=u-2`)).status).toBe(503);
    expect((await httpRequest(`${server.url}/retry/x?responseCode=503&succeedAfter=1&uuid=u-2`)).status).toBe(200);
    expect((await httpRequest(`${server.url}/retry/x?succeedAfter=1`)).status).toBe(400);
  });

  it('resets the connection for /retry/ without responseCode, after delayRetry', async () => {
    const path = '/retry/reset?succeedAfter=1&uuid=u-3&delayRetry=100ms';
    const started = Date.now();
    await expect(httpRequest(server.url + path)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect((await httpRequest(server.url + path)).status).toBe(200);
  });

  it('logs every echoed request the way mirror checks read it', async () => {
    const uri = '/mirror?gateway-api-conformance-request-id=abc';
    expect(pod.log.sawRequest(uri)).toBe(false);
    await httpRequest(server.url + uri);
    expect(pod.log.sawRequest(uri)).toBe(true);
    expect(pod.log.lines().some((l) => /^Echoing back request made to \/mirror\?gateway-api-conformance-request-id=abc to client \(127\.0\.0\.1:\d+\)$/.test(l))).toBe(true);
    // Failed retry attempts are not echoes.
    await httpRequest(`${server.url}/retry/m?responseCode=500&succeedAfter=1&uuid=log-1`);
    expect(pod.log.sawRequest('/retry/m?responseCode=500&succeedAfter=1&uuid=log-1')).toBe(false);
  });

  it('echoes absolute-form request targets with their host', async () => {
    const body = await new Promise<EchoBody>((resolve, reject) => {
      const req = rawRequest(
        { host: '127.0.0.1', port: server.port, path: 'http://proxied.example/abs?q=1', agent: false },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text) as EchoBody));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body.path).toBe('http://proxied.example/abs?q=1');
    expect(body.host).toBe('proxied.example');
  });

  it('answers an Upgrade: h2c request as plain HTTP/1.1', async () => {
    const res = await httpRequest(`${server.url}/up`, {
      headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA' },
    });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as EchoBody).proto).toBe('HTTP/1.1');
  });

  it('echoes WebSocket text and binary frames on /ws', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { origin: 'ws://gateway/test' });
    const received: Array<{ data: Buffer; binary: boolean }> = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        ws.send('Websocket Support!');
        ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7]), { binary: true });
      });
      ws.on('message', (data, binary) => {
        received.push({ data: data as Buffer, binary });
        if (received.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(received[0]).toEqual({ data: Buffer.from('Websocket Support!'), binary: false });
    expect(received[1]).toEqual({ data: Buffer.from([1, 2, 3, 4, 5, 6, 7]), binary: true });
  });

  it('refuses WebSocket handshakes without Origin (403), like upstream', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('handshake unexpectedly succeeded')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('answers a plain GET /ws with 400', async () => {
    expect((await httpRequest(`${server.url}/ws`)).status).toBe(400);
  });
});

describe('HTTP echo lifecycle', () => {
  it('binds an OS-assigned loopback port and frees it on close, even with idle connections', async () => {
    const server = await startHttpEcho({ pod: { namespace: 'ns', pod: 'p-a-b' } });
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { origin: 'ws://x' });
    await new Promise((resolve) => ws.on('open', resolve));
    const wsClosed = new Promise((resolve) => ws.on('close', resolve));
    await server.close();
    await wsClosed;
    expect(await connectionRefused(server.port)).toBe(true);
  });
});
