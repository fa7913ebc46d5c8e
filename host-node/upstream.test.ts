import { randomUUID } from 'node:crypto';
import { http2Request } from '../spec-tests/support/echo/test-clients.js';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startH2cEcho, startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import type { NodeGateway } from './index.js';
import { startBlackHole } from '../spec-tests/reliability/support.js';
import type { buildConnector } from 'undici';
import { timedConnector } from './connector.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, send, serviceYaml, startGateway } from './test-support.js';

const OFFSET = portOffset(2);
const port = 80 + OFFSET;
let dir: ManifestDir;
let gateway: NodeGateway;
let echo: HttpEchoServer;
let h2c: HttpEchoServer;
/** Accepts connections and resets them at once: a backend that fails every request. */
let resetter: Server;

beforeAll(async () => {
  echo = await startHttpEcho({ pod: { namespace: 'infra', pod: 'echo-abc-def' } });
  h2c = await startH2cEcho({ pod: { namespace: 'infra', pod: 'h2c-abc-def' } });
  resetter = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
  const resetPort = (resetter.address() as { port: number }).port;
  const [closedA, closedB] = [await closedPort(), await closedPort()];
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('echo', [echo.port]),
    serviceYaml('h2c', [h2c.port], { appProtocol: 'kubernetes.io/h2c' }),
    serviceYaml('flaky', [resetPort, echo.port]),
    // The refused endpoint first, so the first request of each is refused.
    serviceYaml('half-down', [closedA, echo.port]),
    serviceYaml('half-down-body', [closedB, echo.port]),
    routeYaml(
      'r',
      `  - matches: [{ path: { type: PathPrefix, value: /h2c } }]
    backendRefs: [{ name: h2c, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /request-timeout } }]
    timeouts: { request: 200ms }
    backendRefs: [{ name: echo, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /backend-timeout } }]
    timeouts: { backendRequest: 200ms }
    backendRefs: [{ name: echo, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /no-timeout } }]
    timeouts: { request: "0s" }
    backendRefs: [{ name: echo, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /retry/code-500-attempts-3 } }]
    retry: { codes: [500], attempts: 3, backoff: 1ms }
    backendRefs: [{ name: echo, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /retry/none } }]
    backendRefs: [{ name: echo, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /flaky-retry } }]
    retry: { attempts: 1, backoff: 1ms }
    backendRefs: [{ name: flaky, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /flaky } }]
    backendRefs: [{ name: flaky, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /half-down-body } }]
    backendRefs: [{ name: half-down-body, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /half-down } }]
    backendRefs: [{ name: half-down, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: / } }]
    backendRefs: [{ name: echo, port: 8080 }]`,
    ),
  );
  ({ gateway } = await startGateway(dir, OFFSET));
});

/** A loopback port nothing listens on (connects to it are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterAll(async () => {
  await gateway?.close();
  await echo?.close();
  await h2c?.close();
  await new Promise((resolve) => resetter?.close(resolve));
  await dir?.remove();
});

describe('upstream protocols', () => {
  it('speaks h2c to a kubernetes.io/h2c backend', async () => {
    const answer = await send(port, { path: '/h2c/x' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ pod: 'h2c-abc-def', proto: 'HTTP/2.0', path: '/h2c/x', host: 'example.com' });
  });

  it('accepts HTTP/2 with prior knowledge on a cleartext listener', async () => {
    const answer = await http2Request(`http://127.0.0.1:${port}`, { ':path': '/prior', ':authority': 'example.com' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: 'echo-abc-def', path: '/prior', host: 'example.com' });
  });

  it('proxies WebSocket upgrades as a raw stream', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: 'example.com' }, origin: 'ws://gateway/test' });
    const frames: { data: string; binary: boolean }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        ws.send('hello through the gateway');
        ws.send(Buffer.from([1, 2, 3, 4]));
      });
      ws.on('message', (data: Buffer, binary: boolean) => {
        frames.push({ data: binary ? data.toString('hex') : data.toString(), binary });
        if (frames.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(frames).toEqual([
      { data: 'hello through the gateway', binary: false },
      { data: '01020304', binary: true },
    ]);
  });

  it('refuses upgrades other than WebSocket', async () => {
    const answer = await send(port, { path: '/', headers: { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' } });
    expect(answer.status).toBe(403);
  });
});

describe('timeouts', () => {
  it('answers 504 when the request timeout passes', async () => {
    expect((await send(port, { path: '/request-timeout' })).status).toBe(200);
    expect((await send(port, { path: '/request-timeout?delay=2s' })).status).toBe(504);
  });

  it('answers 504 when the backend request timeout passes', async () => {
    expect((await send(port, { path: '/backend-timeout' })).status).toBe(200);
    expect((await send(port, { path: '/backend-timeout?delay=2s' })).status).toBe(504);
  });

  it('waits without a timeout when it is 0s', async () => {
    expect((await send(port, { path: '/no-timeout?delay=300ms' })).status).toBe(200);
  });
});

describe('retry', () => {
  const retry = (path: string, code: number, succeedAfter: number) => send(port, { path: `${path}?responseCode=${code}&succeedAfter=${succeedAfter}&uuid=${randomUUID()}` });

  it('retries the listed codes up to attempts times', async () => {
    expect((await retry('/retry/code-500-attempts-3', 500, 2)).status).toBe(200);
    expect((await retry('/retry/code-500-attempts-3', 500, 3)).status).toBe(200);
    expect((await retry('/retry/code-500-attempts-3', 500, 4)).status).toBe(500);
  });

  it('does not retry other codes or rules without retry', async () => {
    expect((await retry('/retry/code-500-attempts-3', 503, 1)).status).toBe(503);
    expect((await retry('/retry/none', 500, 1)).status).toBe(500);
  });

  it('retries connection failures on another endpoint', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(port, { path: '/flaky-retry' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('retries a refused connect once on another endpoint, without a route retry, for any bodiless method', async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await send(port, { path: `/half-down/${i}`, method: i % 2 === 0 ? 'POST' : 'GET' }));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => (a.json as { pod: string }).pod)).toEqual(Array(10).fill('echo-abc-def'));
  });

  it('retries a request with a body on another endpoint when its connect was refused (the body was never read)', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await send(port, { path: '/half-down-body', method: 'POST', body: 'x' }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => (a.json as { pod: string }).pod)).toEqual(Array(3).fill('echo-abc-def'));
  });

  it('answers 502 for a connection failure without retry', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 4; i++) statuses.add((await send(port, { path: '/flaky', method: 'POST', body: 'x' })).status);
    expect(statuses).toEqual(new Set([200, 502]));
  });
});

describe('connector', () => {
  const attempt = (connect: buildConnector.connector, port: number) =>
    new Promise<{ code: string | undefined; remotePort: number | undefined }>((resolve) =>
      connect({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port: String(port) }, (err, socket) => {
        resolve({ code: (err as { code?: string } | null)?.code, remotePort: socket?.remotePort });
        socket?.destroy();
      }),
    );

  it("ends a connect to a black-holed endpoint with undici's connect-timeout error and hands over connected sockets", async () => {
    const hole = await startBlackHole();
    try {
      const connect = timedConnector({}, 300);
      expect(await attempt(connect, hole.port)).toEqual({ code: 'UND_ERR_CONNECT_TIMEOUT', remotePort: undefined });
      expect(await attempt(connect, echo.port)).toEqual({ code: undefined, remotePort: echo.port });
    } finally {
      await hole.close();
    }
  });
});
