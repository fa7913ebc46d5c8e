import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, type ClusterConnection } from './client.js';
import { LeaderElector } from './leader.js';
import { FakeApiServer } from './testing/fake-apiserver.js';
import { eventually } from './testing/objects.js';

let server: FakeApiServer;
let electors: LeaderElector[] = [];

afterEach(async () => {
  await Promise.all(electors.map((e) => e.stop()));
  electors = [];
  await server?.close();
});

const TIMING = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };

function candidate(identity: string, connection: ClusterConnection = { server: server.url, authorize: async () => {} }) {
  const events: string[] = [];
  const elector = new LeaderElector({
    client: new KubeClient(connection),
    namespace: 'switchyard-system',
    name: 'switchyard',
    identity,
    ...TIMING,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
    log: () => {},
  });
  electors.push(elector);
  elector.start();
  return { elector, events };
}

const lease = () => server.get('Lease', 'switchyard', 'switchyard-system') as any;

describe('LeaderElector', () => {
  it('elects exactly one leader, which renews the Lease', async () => {
    server = await new FakeApiServer({ kinds: [] }).start();
    const a = candidate('a');
    const b = candidate('b');
    await eventually(() => a.elector.isLeader || b.elector.isLeader, 3_000, 'a leader');
    const [leader, other] = a.elector.isLeader ? [a, b] : [b, a];
    expect(other.elector.isLeader).toBe(false);
    expect(lease().spec).toMatchObject({ holderIdentity: leader.elector.identity, leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(lease().spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const renewed = lease().spec.renewTime;
    await eventually(() => lease().spec.renewTime !== renewed, 2_000, 'a renewal');
    // Renewals keep the other candidate out well past the lease duration.
    await new Promise((r) => setTimeout(r, 1_300));
    expect(other.elector.isLeader).toBe(false);
    expect(leader.elector.isLeader).toBe(true);
    expect(other.events).toEqual([]);
  });

  it('releases the Lease on stop, so another candidate takes over at once', async () => {
    server = await new FakeApiServer({ kinds: [] }).start();
    const a = candidate('a');
    await eventually(() => a.elector.isLeader, 3_000, 'a leads');
    const b = candidate('b');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.elector.isLeader).toBe(false);
    const stoppedAt = performance.now();
    await a.elector.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    // Released (or already taken by b, whose retry may have come in between).
    expect(['', 'b']).toContain(lease().spec.holderIdentity);
    await eventually(() => b.elector.isLeader, 3_000, 'b takes over');
    // No wait for expiry: a released Lease is free at the next retry.
    expect(performance.now() - stoppedAt).toBeLessThan(TIMING.leaseDurationMs);
    expect(lease().spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 0 });
  });

  it('a leader cut off from the API server stops leading after the renew deadline; another takes over after the lease expires', async () => {
    server = await new FakeApiServer({ kinds: [] }).start();
    let partitioned = false;
    const a = candidate('a', {
      server: server.url,
      authorize: async () => {
        if (partitioned) throw new Error('connect ECONNREFUSED');
      },
    });
    await eventually(() => a.elector.isLeader, 3_000, 'a leads');
    const b = candidate('b');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.elector.isLeader).toBe(false);
    partitioned = true;
    const cutAt = performance.now();
    await eventually(() => !a.elector.isLeader, 3_000, 'a steps down');
    const steppedDown = performance.now() - cutAt;
    expect(steppedDown).toBeGreaterThanOrEqual(TIMING.renewDeadlineMs - TIMING.retryPeriodMs);
    expect(steppedDown).toBeLessThan(TIMING.leaseDurationMs + 200);
    await eventually(() => b.elector.isLeader, 4_000, 'b takes over');
    const tookOver = performance.now() - cutAt;
    // b waits until the Lease has not been renewed for its duration, then takes it.
    expect(tookOver).toBeGreaterThanOrEqual(TIMING.leaseDurationMs - TIMING.retryPeriodMs);
    expect(tookOver).toBeLessThan(TIMING.leaseDurationMs + 4 * TIMING.retryPeriodMs + 500);
    expect(lease().spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('of two candidates writing the same Lease version, the second gets 409 Conflict and does not lead', async () => {
    server = await new FakeApiServer({ kinds: [] }).start();
    // A released Lease: both candidates read it free.
    server.put({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'switchyard', namespace: 'switchyard-system' }, spec: { holderIdentity: '', leaseDurationSeconds: 1 } } as any);
    let bWrites = 0;
    const a = candidate('a');
    const b = candidate('b', {
      server: server.url,
      authorize: async (options) => {
        // b's first write goes out only after a's has landed, with the version b read before.
        if (options.method === 'PUT' && bWrites++ === 0) await eventually(() => lease().spec.holderIdentity === 'a', 3_000, 'a writes first');
      },
    });
    await eventually(() => a.elector.isLeader, 3_000, 'a leads');
    await eventually(() => bWrites > 0 && server.requests.some((r) => r.method === 'PUT' && r.code === 409), 3_000, 'b conflicts');
    expect(b.elector.isLeader).toBe(false);
    expect(lease().spec.holderIdentity).toBe('a');
  });
});
