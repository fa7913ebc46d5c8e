import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import type { NodeGateway, RequestEndInfo } from './index.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, raw, routeYaml, send, serviceYaml, startGateway } from './test-support.js';

const OFFSET = portOffset(0);
let dir: ManifestDir;
let gateway: NodeGateway;
let v1: HttpEchoServer;
let v2: HttpEchoServer;
let v3: HttpEchoServer;
/** Answers every request with its own body, streamed back chunk by chunk. */
let mirrorBody: Server;
const port = 80 + OFFSET;
const ended: RequestEndInfo[] = [];

beforeAll(async () => {
  v1 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v1-abc-def' } });
  v2 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v2-abc-def' } });
  v3 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v3-abc-def' } });
  mirrorBody = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    void pipeline(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => mirrorBody.listen(0, '127.0.0.1', resolve));
  const streamPort = (mirrorBody.address() as AddressInfo).port;
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('v1', [v1.port]),
    serviceYaml('v2', [v2.port]),
    serviceYaml('pair', [v1.port, v2.port], { notReady: [v3.port] }),
    serviceYaml('down', [], { notReady: [v3.port] }),
    serviceYaml('stream', [streamPort]),
    serviceYaml('v3', [v3.port]),
    routeYaml(
      'r',
      `  - matches: [{ path: { type: PathPrefix, value: /one } }]
    backendRefs: [{ name: v1, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /two } }, { headers: [{ name: x-pick, value: two }] }]
    backendRefs: [{ name: v2, port: 8080 }]
  - matches: [{ path: { type: Exact, value: /method }, method: POST }]
    backendRefs: [{ name: v2, port: 8080 }]
  - matches: [{ path: { type: Exact, value: /missing } }]
    backendRefs: [{ name: nowhere, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /pair } }]
    backendRefs: [{ name: pair, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /down } }]
    backendRefs: [{ name: down, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /stream } }]
    backendRefs: [{ name: stream, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /mirror } }]
    filters:
    - type: RequestMirror
      requestMirror: { backendRef: { name: v3, port: 8080 } }
    backendRefs: [{ name: v1, port: 8080 }]`,
    ),
  );
  ({ gateway } = await startGateway(dir, OFFSET));
  gateway.onRequestEnd((info) => ended.push(info));
});

afterAll(async () => {
  await gateway?.close();
  await v1?.close();
  await v2?.close();
  await v3?.close();
  await new Promise((resolve) => mirrorBody?.close(resolve));
  await dir?.remove();
});

describe('routing', () => {
  it('reports the bound listeners', () => {
    expect(gateway.listeners).toEqual([{ gateway: 'infra/gw', listener: 'http', protocol: 'HTTP', address: '127.0.0.1', port }]);
    expect(gateway.tableHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('routes by path, header and method to the right backend', async () => {
    expect((await send(port, { path: '/one/x?q=1' })).json).toMatchObject({ pod: 'v1-abc-def', path: '/one/x?q=1', method: 'GET' });
    expect((await send(port, { path: '/two' })).json.pod).toBe('v2-abc-def');
    expect((await send(port, { path: '/other', headers: { 'x-pick': 'two' } })).json.pod).toBe('v2-abc-def');
    expect((await send(port, { path: '/method', method: 'POST', body: 'x' })).json).toMatchObject({ pod: 'v2-abc-def', method: 'POST' });
  });

  it('answers 404 without a route and 500 for an unresolved backend', async () => {
    expect((await send(port, { path: '/method' })).status).toBe(404);
    expect((await send(port, { path: '/nothing' })).status).toBe(404);
    expect((await send(port, { path: '/missing' })).status).toBe(500);
  });

  it('sends the authority as Host and the canonical request target (the one it matched)', async () => {
    const answer = await send(port, { path: '/one/x/%2e%2E//%61%20b?x=%41', host: 'Shop.Example.com:8080' });
    expect(answer.json).toMatchObject({ host: 'Shop.Example.com:8080', path: '/one/a%20b?x=%41' });
    const escaped = await send(port, { path: '/one%2Fx' });
    expect(escaped.status).toBe(307);
    expect(escaped.headers.location).toBe('/one/x');
    expect((await send(port, { path: '/one/%00' })).status).toBe(400);
  });
});

describe('backends', () => {
  it('round-robins across ready endpoints only', async () => {
    const pods: string[] = [];
    for (let i = 0; i < 6; i++) pods.push((await send(port, { path: '/pair' })).json.pod);
    expect(new Set(pods)).toEqual(new Set(['v1-abc-def', 'v2-abc-def']));
    for (let i = 1; i < pods.length; i++) expect(pods[i]).not.toBe(pods[i - 1]);
  });

  it('answers 503 when no endpoint is ready', async () => {
    expect((await send(port, { path: '/down' })).status).toBe(503);
  });

  it('mirrors a request fire-and-forget', async () => {
    v3.pod.log.clear();
    const answer = await send(port, { path: '/mirror/a?b=c' });
    expect(answer.json.pod).toBe('v1-abc-def');
    for (let i = 0; i < 100 && !v3.pod.log.sawRequest('/mirror/a?b=c'); i++) await sleep(20);
    expect(v3.pod.log.sawRequest('/mirror/a?b=c')).toBe(true);
  });

  it('reports every request to onRequestEnd', async () => {
    ended.length = 0;
    await send(port, { path: '/one/report', method: 'POST', body: 'hello' });
    for (let i = 0; i < 50 && ended.length === 0; i++) await sleep(10);
    expect(ended[0]).toMatchObject({
      routeId: 'httproute/infra/r/rule/0/match/0',
      backend: 'infra/v1:8080',
      status: 200,
      bytesIn: 5,
      method: 'POST',
      host: 'example.com',
      path: '/one/report',
    });
    expect(ended[0].bytesOut).toBeGreaterThan(0);
  });
});

describe('header hygiene', () => {
  it('removes hop-by-hop and Connection-nominated request headers and sets X-Forwarded-*', async () => {
    const answer = await send(port, {
      path: '/one',
      host: 'shop.example.com',
      headers: {
        connection: 'keep-alive, x-secret',
        'x-secret': 'no',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        'x-forwarded-for': '192.0.2.7',
        'x-forwarded-proto': 'https',
        'x-kept': 'yes',
      },
    });
    const headers = answer.json.headers as Record<string, string[]>;
    expect(headers['X-Secret']).toBeUndefined();
    expect(headers['Keep-Alive']).toBeUndefined();
    expect(headers['Proxy-Connection']).toBeUndefined();
    expect(headers['Te']).toEqual(['trailers']);
    expect(headers['X-Kept']).toEqual(['yes']);
    // The peer is not a trusted proxy: the client's X-Forwarded-For is replaced, not appended to.
    expect(headers['X-Forwarded-For']).toEqual(['127.0.0.1']);
    expect(headers['X-Request-Id']?.[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['X-Forwarded-Proto']).toEqual(['http']);
    expect(headers['X-Forwarded-Host']).toEqual(['shop.example.com']);
  });

  it('removes hop-by-hop and nominated response headers', async () => {
    const answer = await send(port, { path: '/one', headers: { 'x-echo-set-header': 'X-Internal:1,Keep-Alive:timeout=9,Connection:x-internal,X-Public:2' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-internal']).toBeUndefined();
    expect(answer.headers['keep-alive']).toBeUndefined();
    expect(answer.headers['x-public']).toBe('2');
  });
});

describe('bodies', () => {
  it('streams a large body both ways unchanged', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/stream', method: 'PUT', headers: { host: 'example.com' }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        });
        req.on('error', reject);
        // Chunked upload in 64 KiB pieces.
        for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536));
        req.end();
      }, reject);
    });
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(answer.length).toBe(body.length);
    expect(digest(answer)).toBe(digest(body));
  });

  it('supports Expect: 100-continue', async () => {
    const text = await raw(
      port,
      'POST /one/continue HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      /HTTP\/1\.1 100 Continue\r\n\r\n/,
    );
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue/);
    const full = await raw(
      port,
      'POST /one/continue HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello',
    );
    expect(full).toMatch(/HTTP\/1\.1 200 OK/);
    expect(full).toContain('"method": "POST"');
  });
});
