/**
 * B9 (backend failures: refused, a refused request with a body sent to another endpoint, killed
 * under load, ejected and restored) and B11 (the upstream
 * keep-alive race) against an in-process Node gateway with recording backends.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway } from '../../host-node/test-support.js';
import type { NodeGateway } from '../../host-node/index.js';
import { get, percentiles, rawOnce, runLoad, sleep, startRecordingBackend, type RecordingBackend } from './support.js';

const OFFSET = portOffset(21);
const port = 80 + OFFSET;
let dir: ManifestDir;
let gateway: NodeGateway;
let steady: RecordingBackend;
let pairA: RecordingBackend;
let pairB: RecordingBackend;
let racy: RecordingBackend;
let deadPort: number;
/** Refusing endpoints listed before `steady` in the services of the body-replay test (each refuses one request). */
let refusingFirst: number[];

/** A loopback port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  steady = await startRecordingBackend('steady');
  pairA = await startRecordingBackend('pair-a');
  pairB = await startRecordingBackend('pair-b');
  racy = await startRecordingBackend('racy');
  racy.dropReusedAfterIdle(150);
  deadPort = await freePort();
  refusingFirst = [await freePort(), await freePort()];
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('steady', [steady.port]),
    serviceYaml('pair', [pairA.port, pairB.port]),
    serviceYaml('dead', [deadPort]),
    serviceYaml('half', [steady.port, deadPort]),
    serviceYaml('racy', [racy.port]),
    serviceYaml('refused-first-length', [refusingFirst[0]!, steady.port]),
    serviceYaml('refused-first-chunked', [refusingFirst[1]!, steady.port]),
    routeYaml(
      'r',
      ['steady', 'pair', 'dead', 'half', 'racy', 'refused-first-length', 'refused-first-chunked'].map((name) => `  - matches: [{ path: { type: PathPrefix, value: /${name} } }]\n    backendRefs: [{ name: ${name}, port: 8080 }]`).join('\n'),
    ),
  );
  ({ gateway } = await startGateway(dir, OFFSET, { upstream: { connectTimeoutMs: 1_000, outlierProbeIntervalMs: 100 } }));
});

afterAll(async () => {
  await gateway?.close();
  for (const b of [steady, pairA, pairB, racy]) await b?.close();
  await dir?.remove();
});

describe('B9 backend failures', () => {
  it('answers 503 quickly when the only endpoint refuses connections', async () => {
    const times: number[] = [];
    // One untimed request first: the timing is the gateway's, not a cold code path's.
    expect((await get(port, '/dead/warm-up', 'a.example')).status).toBe(503);
    for (let i = 0; i < 10; i++) {
      const answer = await get(port, '/dead/x', 'a.example');
      expect(answer.status).toBe(503);
      times.push(answer.ms);
    }
    expect(percentiles(times).p99).toBeLessThan(50);
  });

  it('takes a refusing endpoint out of rotation after its first failure and puts it back once it listens again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await get(port, '/half/x', 'a.example')).status);
    // At most the first request that picked the dead endpoint fails; every later one goes to the live one.
    expect(statuses.filter((s) => s !== 200).length).toBeLessThanOrEqual(1);
    expect(statuses.slice(2).every((s) => s === 200)).toBe(true);
    expect(gateway.current.pools.outliers.ejected).toEqual([`http://127.0.0.1:${deadPort}`]);
    const revived = await startRecordingBackend('revived', deadPort);
    try {
      const back = Date.now();
      let reached = -1;
      for (let i = 0; i < 100 && reached < 0; i++) {
        const answer = await get(port, '/half/x', 'a.example');
        expect(answer.status).toBe(200);
        if (revived.requests.length > 0) reached = Date.now() - back;
        else await sleep(20);
      }
      expect(reached).toBeGreaterThanOrEqual(0);
      expect(reached).toBeLessThan(1_000);
      expect(gateway.current.pools.outliers.ejected).toEqual([]);
    } finally {
      await revived.close();
    }
  });

  it('sends a request whose connect was refused, body included, to the other endpoint: the body arrives whole and once', async () => {
    const body = Buffer.alloc(256 * 1024, 'b');
    const sha = createHash('sha256').update(body).digest('hex');
    const before = steady.requests.length;
    const withLength = await rawOnce(port, Buffer.concat([Buffer.from(`POST /refused-first-length/x HTTP/1.1\r\nHost: a.example\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    const chunks = [body.subarray(0, 100_000), body.subarray(100_000)].map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
    const chunked = await rawOnce(port, Buffer.concat([Buffer.from('POST /refused-first-chunked/x HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n'), ...chunks, Buffer.from('0\r\n\r\n')]));
    expect(withLength.answer).toMatchObject({ status: 200 });
    expect(chunked.answer).toMatchObject({ status: 200 });
    // Both refusing endpoints were tried first (round robin starts with them) and left the rotation.
    expect(gateway.current.pools.outliers.ejected).toEqual(expect.arrayContaining(refusingFirst.map((p) => `http://127.0.0.1:${p}`)));
    const arrived = steady.requests.slice(before).map((r) => ({ url: r.url, bytes: r.bodyBytes, sha: r.bodySha256 }));
    expect(arrived).toEqual([
      { url: '/refused-first-length/x', bytes: body.length, sha },
      { url: '/refused-first-chunked/x', bytes: body.length, sha },
    ]);
  });

  it('fails only requests in flight when an endpoint dies under load, never with a 500, and other routes see no error', async () => {
    const stop = sleep(2_500);
    const pairLoad = runLoad({ port, host: 'a.example', connections: 8, durationMs: 2_500, rps: 400, path: (n) => `/pair/x?n=${n}`, ok: (s) => s === 200 });
    const steadyLoad = runLoad({ port, host: 'a.example', connections: 4, durationMs: 2_500, rps: 200, path: (n) => `/steady/x?n=${n}` });
    await sleep(800);
    await pairB.close();
    await stop;
    const [pair, other] = await Promise.all([pairLoad, steadyLoad]);
    expect(pair.sent).toBeGreaterThan(300);
    expect(pair.statuses.get(500) ?? 0).toBe(0);
    // Requests in flight on the killed endpoint (at most one per client connection) may fail.
    expect(pair.failures).toBeLessThanOrEqual(8);
    expect(other.failures).toBe(0);
    expect(other.sent).toBeGreaterThan(150);
  });
});

describe('B11 upstream keep-alive race', () => {
  it('retries an idempotent request once when the backend closed the reused connection', async () => {
    // Requests whose first attempt failed on a reset connection and that still ended 200: the retry fired.
    let retried = 0;
    const unsubscribe = gateway.onRequestEnd((info) => {
      if (info.status === 200 && info.upstreamError === 'reset') retried++;
    });
    const connectionsBefore = racy.connections;
    const requestsBefore = racy.requests.length;
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        statuses.push((await get(port, `/racy/x?i=${i}`, 'a.example')).status);
        // Every other request reuses a connection idle past the backend's 150 ms: the backend drops it.
        await sleep(i % 2 === 0 ? 20 : 200);
      }
    } finally {
      unsubscribe();
    }
    const connections = racy.connections - connectionsBefore;
    const arrived = racy.requests.slice(requestsBefore).map((r) => r.url);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The race happened and was absorbed: each dropped request was retried once, on a fresh connection.
    expect(racy.dropped).toBeGreaterThanOrEqual(10);
    expect(retried).toBe(racy.dropped);
    expect(connections).toBeGreaterThan(retried);
    // The closed socket never delivered the first attempt: the backend saw every request exactly once.
    expect(arrived).toEqual(Array.from({ length: 24 }, (_, i) => `/racy/x?i=${i}`));
    console.log(`B11: 24 requests, ${racy.dropped} sent on a reused connection the backend closed: 0 failures, ${retried} retries, ${connections} backend connections`);
  });
});
