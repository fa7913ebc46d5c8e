import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { Informer } from './informer.js';
import { resourceFor } from './resources.js';
import { FakeApiServer } from './testing/fake-apiserver.js';
import { eventually, httpRoute, service } from './testing/objects.js';

let server: FakeApiServer;
let informers: Informer[] = [];

afterEach(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  informers = [];
  await server?.close();
});

function informerFor(kind: 'Service' | 'HTTPRoute' | 'ListenerSet' | 'TCPRoute', options: { namespace?: string; backoffMs?: number } = {}) {
  const logs: string[] = [];
  let changes = 0;
  const informer = new Informer({
    client: new KubeClient({ server: server.url, authorize: async () => {} }),
    resource: resourceFor(kind),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    onChange: () => changes++,
    log: (l) => logs.push(l),
    backoff: { initialMs: options.backoffMs ?? 20, maxMs: 2_000 },
    absentRetryMs: 60_000,
  });
  informers.push(informer);
  informer.start();
  return { informer, logs, changes: () => changes };
}

const names = (i: Informer) => [...i.objects].map((o) => o.metadata.name).sort();

describe('Informer', () => {
  it('lists, then follows ADDED, MODIFIED and DELETED events from the list resourceVersion', async () => {
    server = await new FakeApiServer().start();
    server.put(service('a'));
    const { informer, changes } = informerFor('Service');
    await informer.synced;
    expect(names(informer)).toEqual(['a']);
    // List items of built-in kinds come without apiVersion/kind: the informer sets them.
    expect(informer.get('a', 'infra')).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    const list = server.requests.find((r) => r.method === 'GET' && r.query.watch === undefined)!;
    expect(list.query.limit).toBe('500');
    const watch = await eventually(() => server.requests.find((r) => r.query.watch === '1'));
    expect(watch.query).toMatchObject({ resourceVersion: String(Number(server.resourceVersion)), allowWatchBookmarks: 'true' });

    const before = changes();
    server.put(service('b'));
    await eventually(() => names(informer).includes('b'), 5_000, 'ADDED b');
    server.put({ ...service('b'), spec: { ports: [{ name: 'http', port: 9090 }] } });
    await eventually(() => (informer.get('b', 'infra')?.spec as any)?.ports[0].port === 9090, 5_000, 'MODIFIED b');
    server.remove('Service', 'a', 'infra');
    await eventually(() => !names(informer).includes('a'), 5_000, 'DELETED a');
    expect(changes() - before).toBe(3);
  });

  it('pages the list with limit/continue', async () => {
    server = await new FakeApiServer().start();
    for (let i = 0; i < 7; i++) server.put(service(`s${i}`));
    const logs: string[] = [];
    const informer = new Informer({
      client: new KubeClient({ server: server.url, authorize: async () => {} }),
      resource: resourceFor('Service'),
      onChange: () => {},
      log: (l) => logs.push(l),
      pageSize: 3,
    });
    informers.push(informer);
    informer.start();
    await informer.synced;
    expect(names(informer)).toHaveLength(7);
    expect(server.requests.filter((r) => r.query.continue !== undefined)).toHaveLength(2);
  });

  it('relists after a 410 Gone watch error and keeps following events', async () => {
    server = await new FakeApiServer().start();
    server.put(service('a'));
    const { informer, logs } = informerFor('Service');
    await informer.synced;
    await eventually(() => server.activeWatches === 1, 5_000, 'watch');
    const lists = () => server.requests.filter((r) => r.method === 'GET' && r.query.watch === undefined).length;
    expect(lists()).toBe(1);
    // Changes while the watch is expired: the relist must bring them.
    server.expireWatches();
    server.put(service('during-expiry'));
    await eventually(() => names(informer).includes('during-expiry'), 5_000, 'relist');
    expect(lists()).toBe(2);
    expect(logs.some((l) => l.includes('expired, listing again'))).toBe(true);
    await eventually(() => server.activeWatches === 1, 5_000, 'new watch');
    server.put(service('after'));
    await eventually(() => names(informer).includes('after'), 5_000, 'event after relist');
  });

  it('relists when a watch resumes from a compacted resourceVersion', async () => {
    server = await new FakeApiServer().start();
    const { informer } = informerFor('Service');
    await informer.synced;
    await eventually(() => server.activeWatches === 1, 5_000, 'watch');
    server.put(service('a'));
    await eventually(() => names(informer).includes('a'));
    // The connection drops, then the history is compacted: resuming from the last resourceVersion is 410.
    server.compact();
    server.dropWatches();
    server.put(service('b'));
    await eventually(() => names(informer).includes('b'), 5_000, 'relist after compaction');
    const watches = server.requests.filter((r) => r.query.watch === '1');
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it('reconnects with exponential backoff after dropped connections and failing requests', async () => {
    server = await new FakeApiServer().start();
    const { informer, logs } = informerFor('Service', { backoffMs: 40 });
    await informer.synced;
    await eventually(() => server.activeWatches === 1, 5_000, 'watch');
    const start = server.requests.length;
    server.failNext(3, 503, (_m, _p, q) => q.watch === '1');
    server.dropWatches();
    server.put(service('x'));
    await eventually(() => names(informer).includes('x'), 10_000, 'reconnected');
    const attempts = server.requests.slice(start).filter((r) => r.query.watch === '1');
    // Three refused attempts, then one that succeeds.
    expect(attempts.length).toBe(4);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(logs.filter((l) => /retrying in \d+ ms/.test(l)).length).toBeGreaterThanOrEqual(3);
  });

  it('watches one namespace only when told', async () => {
    server = await new FakeApiServer().start();
    server.put(service('a'));
    server.put({ ...service('other'), metadata: { name: 'other', namespace: 'elsewhere' } });
    const { informer } = informerFor('Service', { namespace: 'infra' });
    await informer.synced;
    expect(names(informer)).toEqual(['a']);
    expect(server.requests[0]!.path).toBe('/api/v1/namespaces/infra/services');
  });

  it('treats a kind the server does not serve as absent, and falls back to an older served version', async () => {
    server = await new FakeApiServer({ kinds: ['HTTPRoute', 'TCPRoute'], versions: { TCPRoute: ['v1alpha2'] } }).start();
    server.put({ ...httpRoute('r', '/'), apiVersion: 'gateway.networking.k8s.io/v1' });
    server.put({ apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 't', namespace: 'infra' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'echo', port: 80 }] }] } });
    const absent = informerFor('ListenerSet');
    const tcp = informerFor('TCPRoute');
    await Promise.all([absent.informer.synced, tcp.informer.synced]);
    expect(absent.informer.served).toBe(false);
    expect(absent.logs.some((l) => l.includes('ListenerSet is not served'))).toBe(true);
    expect(tcp.informer.served).toBe(true);
    expect(tcp.informer.version).toBe('v1alpha2');
    expect(tcp.informer.get('t', 'infra')?.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
  });
});
