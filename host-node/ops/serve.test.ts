/**
 * `switchyard serve` under the operations layer, as child processes on loopback: metrics and
 * access log lines after requests, readiness failing during a SIGTERM drain while a slow request
 * completes, and `--workers 2` serving from both workers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpEcho, type HttpEchoServer } from '../../spec-tests/support/echo/index.js';
import { adminUrl, freeOffset, send, startServe, type Child } from './test-support.js';

function manifests(backendPort: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: switchyard.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, protocol: HTTP, port: 8080}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [echo.example.com]
  rules:
  - backendRefs: [{name: echo, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: ${backendPort}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-local
  namespace: default
  labels: {kubernetes.io/service-name: echo}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
`;
}

let echo: HttpEchoServer;
let dir: string;
const children: Child[] = [];

beforeAll(async () => {
  echo = await startHttpEcho({ pod: { namespace: 'default', pod: 'echo-abc-def' } });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-ops-'));
  await writeFile(join(dir, 'gateway.yaml'), manifests(echo.port));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

afterAll(async () => {
  await echo.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(...extra: string[]): Promise<{ child: Child; base: string; admin: string }> {
  const offset = await freeOffset();
  const child = startServe([dir, '--port-offset', String(offset), '--bind', '127.0.0.1', '--admin', '127.0.0.1:0', '--no-watch', ...extra]);
  children.push(child);
  const admin = await adminUrl(child);
  await child.waitLine((l) => l.includes('"event":"ready"'));
  return { child, base: `http://127.0.0.1:${8080 + offset}`, admin };
}

describe('switchyard serve operations', () => {
  it('counts requests in /metrics and writes one access line per request', async () => {
    const { child, base, admin } = await serve();
    expect((await send(`${admin}/readyz`)).status).toBe(200);
    expect((await send(`${base}/hello?x=1`, { host: 'echo.example.com' })).status).toBe(200);
    expect((await send(`${base}/nowhere`, { host: 'unknown.example.com' })).status).toBe(404);
    const metrics = (await send(`${admin}/metrics`)).body;
    expect(metrics).toContain('switchyard_requests_total{route="httproute/default/echo/rule/0/match/0",backend="default/echo:80",code_class="2xx"} 1');
    expect(metrics).toContain('switchyard_requests_total{route="none",backend="none",code_class="4xx"} 1');
    expect(metrics).toMatch(/switchyard_request_duration_seconds_count\{route="httproute\/default\/echo\/rule\/0\/match\/0"\} 1/);
    expect(metrics).toMatch(/switchyard_table_info\{hash="[0-9a-f]{64}"\} 1/);
    expect(metrics).toContain('process_resident_memory_bytes');

    const access = () => child.json().filter((o) => o.msg === 'access');
    await child.waitLine((l) => l.includes('"msg":"access"') && l.includes('/nowhere'));
    const [ok, missing] = access();
    expect(ok).toMatchObject({
      route: 'httproute/default/echo/rule/0/match/0',
      backend: 'default/echo:80',
      method: 'GET',
      host: 'echo.example.com',
      path: '/hello?x=1',
      status: 200,
      bytesIn: 0,
      client: '127.0.0.1',
    });
    expect(ok!.bytesOut).toBeGreaterThan(0);
    expect(typeof ok!.durationMs).toBe('number');
    expect(Number.isNaN(Date.parse(String(ok!.time)))).toBe(false);
    expect(missing).toMatchObject({ route: null, backend: null, status: 404, host: 'unknown.example.com' });
    // The conformance runner's ready line is still one JSON line with its event field.
    const ready = child.json().find((o) => o.event === 'ready');
    expect(ready).toMatchObject({ tableHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('writes no access lines with --no-access-log', async () => {
    const { child, base } = await serve('--no-access-log');
    expect((await send(`${base}/x`, { host: 'echo.example.com' })).status).toBe(200);
    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(child.json().filter((o) => o.msg === 'access')).toEqual([]);
    expect(child.json().some((o) => o.msg === 'stopped')).toBe(true);
  });

  it('on SIGTERM fails readiness, lets the in-flight request finish with Connection: close, and exits 0', async () => {
    const { child, base, admin } = await serve('--drain-timeout', '20s');
    echo.pod.log.clear();
    const slow = send(`${base}/slow?delay=1500ms`, { host: 'echo.example.com' });
    for (let i = 0; i < 200 && !echo.pod.log.sawRequest('/slow?delay=1500ms'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(echo.pod.log.sawRequest('/slow?delay=1500ms')).toBe(true);
    child.process.kill('SIGTERM');
    await child.waitLine((l) => l.includes('shutting down'));
    const ready = await send(`${admin}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('draining');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).path).toBe('/slow?delay=1500ms');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const messages = child.json().map((o) => o.msg);
    expect(messages.indexOf('shutting down: readiness failed, draining')).toBeLessThan(messages.indexOf('drained'));
  });

  it('with --workers 2 serves from both workers and sums their metrics on the primary', async () => {
    const { child, base, admin } = await serve('--workers', '2');
    await child.waitLine((l) => l.includes('"all workers ready"'));
    const pids = new Set<unknown>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      expect((await send(`${base}/w${i}`, { host: 'echo.example.com' })).status).toBe(200);
      const line = await child.waitLine((l) => l.includes('"msg":"access"') && l.includes(`"path":"/w${i}"`));
      pids.add(JSON.parse(line).pid);
    }
    expect(pids.size).toBe(2);
    const primaryPid = child.process.pid;
    expect(pids.has(primaryPid)).toBe(false);
    expect(child.json().filter((o) => o.event === 'ready')).toHaveLength(2);
    expect((await send(`${admin}/readyz`)).status).toBe(200);
    const metrics = (await send(`${admin}/metrics`)).body;
    expect(metrics).toMatch(/switchyard_table_info\{hash="[0-9a-f]{64}"\} 2/);
    const served = /switchyard_requests_total\{route="httproute\/default\/echo\/rule\/0\/match\/0",backend="default\/echo:80",code_class="2xx"\} (\d+)/.exec(metrics);
    expect(Number(served?.[1])).toBe(child.json().filter((o) => o.msg === 'access').length);
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });
});
