import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeGateway } from '../../host-node/gateway.js';
import { portOffset, send } from '../../host-node/test-support.js';
import { startHttpEcho, type HttpEchoServer } from '../../spec-tests/support/echo/index.js';
import { DEFAULT_CONTROLLER_NAME as OURS } from '../resolve/types.js';
import { KubeClient } from './client.js';
import { KubernetesSource } from './controller.js';
import { FakeApiServer } from './testing/fake-apiserver.js';
import { endpointSlice, eventually, gateway, gatewayClass, httpRoute, namespace, service } from './testing/objects.js';

const OFFSET = portOffset(13);
const PORT = 80 + OFFSET;
let echo: HttpEchoServer;
let server: FakeApiServer;
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  echo = await startHttpEcho({ pod: { namespace: 'infra', pod: 'echo-abc-def' } });
});
afterAll(async () => {
  await echo?.close();
});
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
  await server?.close();
});

function seed(): void {
  server.put(namespace('infra'));
  server.put(gatewayClass());
  // A class of another controller: its status is never written.
  server.put(gatewayClass('theirs', 'example.com/other'));
  server.put(gateway());
  server.put(service('echo'));
  server.put(endpointSlice('echo', echo.port));
  server.put(httpRoute('r', '/a'));
}

async function startSource(options: { leaderElection?: boolean; identity?: string; logs?: string[] } = {}): Promise<KubernetesSource> {
  const logs = options.logs ?? [];
  const source = await KubernetesSource.start({
    client: new KubeClient({ server: server.url, authorize: async () => {} }),
    controllerName: OURS,
    leaderElection: options.leaderElection
      ? { namespace: 'switchyard-system', name: 'switchyard', identity: options.identity ?? 'a', leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 }
      : false,
    debounceMs: 50,
    resyncMs: 0,
    backoff: { initialMs: 20, maxMs: 500 },
    log: (l) => logs.push(l),
  });
  running.push(source);
  return source;
}

async function startGateway(source: KubernetesSource): Promise<NodeGateway> {
  const gw = await NodeGateway.start({ paths: [], source, portOffset: OFFSET, bind: '127.0.0.1', watch: true, log: () => {} });
  running.push(gw);
  return gw;
}

const patches = () => server.requests.filter((r) => r.method === 'PATCH');
const status = (kind: string, name: string, ns?: string) => server.get(kind, name, ns)?.status as any;
const condition = (s: any, type: string) => s?.conditions?.find((c: any) => c.type === type);

describe('Kubernetes mode', () => {
  it('syncs, builds the table, serves, writes status once, and follows changes', async () => {
    server = await new FakeApiServer().start();
    seed();
    // Another controller's parent entry on the route, written before we start.
    const theirs = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'elsewhere' }, controllerName: 'example.com/other', conditions: [] };
    const route = server.get('HTTPRoute', 'r', 'infra')!;
    const res = await fetch(`${server.url}/apis/gateway.networking.k8s.io/v1/namespaces/infra/httproutes/r/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { resourceVersion: route.metadata.resourceVersion }, status: { parents: [theirs] } }),
    });
    expect(res.status).toBe(200);
    server.requests.length = 0;

    const source = await startSource();
    const gw = await startGateway(source);
    expect(gw.tableHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await send(PORT, { path: '/a' })).status).toBe(200);
    expect((await send(PORT, { path: '/b' })).status).toBe(404);

    // Status written through the status subresource with merge patches, for our objects only.
    const written = patches();
    expect(written.every((p) => p.path.endsWith('/status') && p.contentType === 'application/merge-patch+json')).toBe(true);
    expect(written.map((p) => p.path).sort()).toEqual([
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses/switchyard/status',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways/gw/status',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/httproutes/r/status',
    ]);
    expect(condition(status('GatewayClass', 'switchyard'), 'Accepted')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(status('GatewayClass', 'theirs')).toBeUndefined();
    expect(condition(status('Gateway', 'gw', 'infra'), 'Programmed')).toMatchObject({ status: 'True', observedGeneration: 1 });
    const parents = status('HTTPRoute', 'r', 'infra').parents;
    expect(parents).toHaveLength(2);
    expect(parents[0]).toEqual(theirs);
    expect(parents[1]).toMatchObject({ controllerName: OURS, parentRef: { name: 'gw' } });
    expect(condition(parents[1], 'Accepted')).toMatchObject({ status: 'True', observedGeneration: 1 });

    // Our own writes come back as watch events: they change nothing, and a resync writes nothing.
    await new Promise((r) => setTimeout(r, 300));
    const after = patches().length;
    expect(after).toBe(3);
    const resynced = new Promise<void>((resolve) => gw.onReload(() => resolve()));
    source.resync();
    await resynced;
    expect(patches().length).toBe(after);
    expect(source.lastPublish).toEqual({ written: 0, stale: 0, failed: 0 });

    // Update: the route moves to /b (generation 2): new table, new status.
    const before = gw.tableHash;
    server.put(httpRoute('r', '/b'));
    await eventually(() => gw.tableHash !== before, 5_000, 'a new table');
    expect((await send(PORT, { path: '/b' })).status).toBe(200);
    expect((await send(PORT, { path: '/a' })).status).toBe(404);
    await eventually(() => condition(status('HTTPRoute', 'r', 'infra').parents[1], 'Accepted')?.observedGeneration === 2, 5_000, 'status for generation 2');
    const updated = status('HTTPRoute', 'r', 'infra').parents;
    expect(updated[0]).toEqual(theirs);
    expect(condition(updated[1], 'Accepted').status).toBe('True');

    // Add a second route, then delete the first: the table follows each change.
    server.put(httpRoute('r2', '/c'));
    await eventually(async () => (await send(PORT, { path: '/c' })).status === 200, 5_000, 'route r2 served');
    server.remove('HTTPRoute', 'r', 'infra');
    await eventually(async () => (await send(PORT, { path: '/b' })).status === 404, 5_000, 'route r gone');
    expect((await send(PORT, { path: '/c' })).status).toBe(200);
    // The Gateway's listener now counts one attached route (r2).
    await eventually(() => status('Gateway', 'gw', 'infra').listeners[0].attachedRoutes === 1, 5_000, 'attachedRoutes');
  });

  it('keeps serving and following changes across a 410 Gone and a dropped connection', async () => {
    server = await new FakeApiServer().start();
    seed();
    const logs: string[] = [];
    const source = await startSource({ logs });
    const gw = await startGateway(source);
    expect((await send(PORT, { path: '/a' })).status).toBe(200);
    await eventually(() => server.activeWatches >= 10, 5_000, 'watches');

    server.expireWatches();
    server.put(httpRoute('r', '/expired'));
    await eventually(async () => (await send(PORT, { path: '/expired' })).status === 200, 5_000, 'change seen after relist');
    expect(logs.some((l) => l.includes('expired, listing again'))).toBe(true);

    server.failNext(2, 503, (_m, path, q) => q.watch === '1' && path.endsWith('/httproutes'));
    server.dropWatches();
    server.put(httpRoute('r', '/dropped'));
    await eventually(async () => (await send(PORT, { path: '/dropped' })).status === 200, 10_000, 'change seen after reconnect');
    expect(logs.some((l) => /httproutes.*retrying in \d+ ms/.test(l))).toBe(true);
    expect(gw.tableHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with two replicas, only the leader writes status; the other takes over when the leader stops', async () => {
    server = await new FakeApiServer().start();
    seed();
    const a = await startSource({ leaderElection: true, identity: 'a' });
    const gwA = await startGateway(a);
    await eventually(() => a.isLeader, 3_000, 'a leads');
    await eventually(() => patches().length === 3, 5_000, 'status from a (class, Gateway, route)');

    // The second replica serves too (on its own port offset), but writes nothing.
    const b = await KubernetesSource.start({
      client: new KubeClient({ server: server.url, authorize: async () => {} }),
      controllerName: OURS,
      leaderElection: { namespace: 'switchyard-system', name: 'switchyard', identity: 'b', leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 },
      debounceMs: 50,
      resyncMs: 0,
      log: () => {},
    });
    running.push(b);
    const gwB = await NodeGateway.start({ paths: [], source: b, portOffset: OFFSET + 1, bind: '127.0.0.1', watch: true, log: () => {} });
    running.push(gwB);
    expect((await send(PORT + 1, { path: '/a' })).status).toBe(200);
    expect(b.isLeader).toBe(false);

    // A change: both replicas reload; only a patches (once per changed object).
    const patchesBefore = patches().length;
    server.put(httpRoute('r', '/new'));
    await eventually(async () => (await send(PORT + 1, { path: '/new' })).status === 200, 5_000, 'b follows');
    await eventually(async () => (await send(PORT, { path: '/new' })).status === 200, 5_000, 'a follows');
    await eventually(() => condition(status('HTTPRoute', 'r', 'infra').parents[0], 'Accepted')?.observedGeneration === 2, 5_000, 'route status');
    await new Promise((r) => setTimeout(r, 300));
    expect(patches().length - patchesBefore).toBe(1);
    expect(b.lastPublish).toBeUndefined();

    // The leader stops (its gateway closes, releasing the Lease): b takes over and writes the next change.
    const stoppedAt = performance.now();
    running.splice(running.indexOf(gwA), 1);
    await gwA.close();
    expect(a.isLeader).toBe(false);
    await eventually(() => b.isLeader, 3_000, 'b leads');
    expect(performance.now() - stoppedAt).toBeLessThan(1_000);
    server.put({ ...gateway(), metadata: { name: 'gw', namespace: 'infra', labels: { changed: 'yes' } }, spec: { gatewayClassName: 'switchyard', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'example.com' }] } });
    await eventually(() => condition(status('Gateway', 'gw', 'infra'), 'Programmed')?.observedGeneration === 2, 5_000, 'b writes the Gateway status');
    // a is closed: the Gateway's status patch after the hand-over came from b.
    expect(server.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/gateways/gw/status') && r.at > stoppedAt)).toBe(true);
    expect(b.isLeader).toBe(true);
  });
});
