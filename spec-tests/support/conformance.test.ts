import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/load/load.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/resolve/types.js';
import { conformanceCertificates } from './certificates.js';
import { buildCluster, runPipeline, specChanged, stateIndexForPhase } from './conformance.js';
import { allConformanceTests, corpusIndex, GATEWAY_CLASS_NAME, loadConformanceTest, skipReason, supportedFeatures, type ConformanceTest } from './corpus.js';

const POOLS = { usable: [{ type: 'IPAddress', value: '127.0.0.1' }], unusable: [{ type: 'IPAddress', value: '192.0.2.1' }] };

function synthetic(manifestsYaml: string, mutations: ConformanceTest['mutations'] = []): ConformanceTest {
  return {
    name: 'Synthetic',
    description: '',
    features: ['Gateway'],
    profiles: [],
    provisional: false,
    parallel: false,
    source: '',
    manifests: ['synthetic.yaml'],
    manifestsYaml,
    mutations,
    status: [],
    notes: '',
  };
}

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: g
  namespace: gateway-conformance-infra
spec:
  gatewayClassName: "{GATEWAY_CLASS_NAME}"
  listeners:
  - name: http
    port: 80
    protocol: HTTP
`;

describe('the corpus', () => {
  it('indexes every test file with its status items', () => {
    const index = corpusIndex();
    const tests = allConformanceTests();
    expect(tests.length).toBe(index.tests.length);
    expect(tests.reduce((n, t) => n + t.status.length, 0)).toBe(index.totals.status);
  });

  it('supported features cover the target profiles and decide skips', () => {
    const features = supportedFeatures();
    for (const f of ['Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'ReferenceGrant', 'BackendTLSPolicy', 'ListenerSet']) expect(features.has(f), f).toBe(true);
    expect(features.has('Mesh')).toBe(false);
    expect(skipReason(loadConformanceTest('TLSRouteListenerMixedTerminationNotSupported'))).toMatch(/TLSRouteModeMixed supported/);
    expect(skipReason(loadConformanceTest('UDPRouteNotAllowedByListeners'))).toBeUndefined();
    expect(skipReason(loadConformanceTest('UDPRouteNotAllowedByListeners'), new Set(['Gateway']))).toMatch(/TLSRoute not supported/);
    expect(skipReason(loadConformanceTest('HTTPRouteSimpleSameNamespace'))).toBeUndefined();
  });
});

describe('buildCluster: the harness set-up', () => {
  it('adds the class under test, base.yaml, the certificates and the manifests, in creation order', async () => {
    const { states } = await buildCluster(synthetic(GATEWAY));
    const objects = states[0].list();
    expect(objects[0].object).toMatchObject({ kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS_NAME }, spec: { controllerName: DEFAULT_CONTROLLER_NAME } });
    const seqs = objects.map((o) => o.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const last = objects[objects.length - 1];
    expect(last.object.metadata.name).toBe('g');
    const certs = await conformanceCertificates();
    for (const s of [...certs.secrets, ...certs.configMaps]) {
      const found = states[0].get(s.kind, `${s.metadata.namespace}/${s.metadata.name}`);
      expect(found, `${s.kind} ${s.metadata.namespace}/${s.metadata.name}`).toBeDefined();
      expect(found!.object.data).toEqual(s.data);
    }
    expect(states[0].get('Service', 'gateway-conformance-infra/infra-backend-v1')).toBeDefined();
    expect(states[0].diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('overwrites class and controller names, sets generation 1 and creation times', async () => {
    const gc = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: other-class
spec:
  controllerName: "{GATEWAY_CONTROLLER_NAME}"
`;
    const { states } = await buildCluster(synthetic(`${GATEWAY}---\n${gc}`), { controllerName: 'example.net/ctl' });
    const g = states[0].get('Gateway', 'gateway-conformance-infra/g')!.object;
    expect((g.spec as { gatewayClassName: string }).gatewayClassName).toBe(GATEWAY_CLASS_NAME);
    expect((states[0].get('GatewayClass', 'other-class')!.object.spec as { controllerName: string }).controllerName).toBe('example.net/ctl');
    for (const o of states[0].list()) {
      expect(o.object.metadata.generation).toBe(1);
      expect(o.object.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const base = states[0].get('Gateway', 'gateway-conformance-infra/same-namespace')!.object;
    expect(Date.parse(base.metadata.creationTimestamp!)).toBeLessThan(Date.parse(g.metadata.creationTimestamp!));
  });

  it('rewrites static address placeholders from the pools', async () => {
    const { states } = await buildCluster(loadConformanceTest('GatewayStaticAddresses'), { addressPools: POOLS });
    const g = states[0].get('Gateway', 'gateway-conformance-infra/gateway-static-addresses')!.object;
    expect((g.spec as { addresses: unknown[] }).addresses).toEqual([{ type: 'test/fake-invalid-type', value: 'fake address teehee!' }, ...POOLS.unusable, ...POOLS.usable]);
    const [, afterInvalid, afterUnusable] = states.map((s) => s.get('Gateway', 'gateway-conformance-infra/gateway-static-addresses')!.object);
    expect((afterInvalid.spec as { addresses: unknown[] }).addresses).toEqual([...POOLS.unusable, ...POOLS.usable]);
    expect((afterUnusable.spec as { addresses: unknown[] }).addresses).toEqual(POOLS.usable);
    expect([afterInvalid.metadata.generation, afterUnusable.metadata.generation]).toEqual([2, 3]);
  });
});

describe('mutations, as the API server applies them', () => {
  it('a spec patch bumps generation; the input state is untouched', async () => {
    const { states } = await buildCluster(loadConformanceTest('HTTPRouteObservedGenerationBump'));
    const [before, after] = states.map((s) => s.get('HTTPRoute', 'gateway-conformance-infra/observed-generation-bump')!.object);
    expect(before.metadata.generation).toBe(1);
    expect(after.metadata.generation).toBe(2);
    expect((before.spec as any).rules[0].backendRefs[0].name).toBe('infra-backend-v1');
    expect((after.spec as any).rules[0].backendRefs[0].name).toBe('infra-backend-v2');
    expect(states[1].time.getTime()).toBeGreaterThan(states[0].time.getTime());
  });

  it('a data-only change (ConfigMap) and metadata changes leave generation alone', () => {
    const cm = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels }, data });
    expect(specChanged(cm({ a: '1' }), cm({ a: '1' }, { l: 'v' }))).toBe(false);
    expect(specChanged(cm({ a: '1' }), cm({ a: '2' }))).toBe(true);
    expect(specChanged({ ...cm({ a: '1' }), status: { x: 1 } }, cm({ a: '1' }))).toBe(false);
    expect(specChanged({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { a: 1, b: 2 } }, { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { b: 2, a: 1 } })).toBe(false);
  });

  it('resolves the corpus placeholders from the current cluster', async () => {
    const { states } = await buildCluster(loadConformanceTest('BackendTLSPolicy'));
    const ca = states[0].get('ConfigMap', 'gateway-conformance-infra/tls-checks-ca-certificate')!.object.data as Record<string, string>;
    const created = (i: number) => states[i].get('ConfigMap', 'gateway-conformance-infra/tls-checks-ca-certificate-reconcile-test');
    expect(created(1)).toBeUndefined();
    expect((created(2)!.object.data as Record<string, string>)['ca.crt']).toBe(ca['ca.crt']);
    expect((created(3)!.object.data as Record<string, string>)['ca.crt']).toBe('');
    expect((created(4)!.object.data as Record<string, string>)['ca.crt']).toBe(ca['ca.crt']);
    // created last, with a later creation time
    expect(created(2)!.seq).toBeGreaterThan(Math.max(...states[1].list().map((o) => o.seq)));
    expect(Date.parse(created(2)!.object.metadata.creationTimestamp!)).toBeGreaterThan(states[0].time.getTime());

    const modify = await buildCluster(loadConformanceTest('GatewayModifyListeners'));
    const removed = modify.states[2].get('Gateway', 'gateway-conformance-infra/gateway-remove-listener')!.object;
    expect((removed.spec as { listeners: { name: string }[] }).listeners.map((l) => l.name)).toEqual(['http']);
  });

  it('creates objects strictly later when the test waits first, and deletes', async () => {
    const tcp = await buildCluster(loadConformanceTest('TCPRouteMultipleRoutesAttachment'));
    const older = tcp.states[1].get('TCPRoute', 'gateway-conformance-infra/tcproute-attach-older')!.object;
    const newer = tcp.states[1].get('TCPRoute', 'gateway-conformance-infra/tcproute-attach-newer')!.object;
    expect(Date.parse(newer.metadata.creationTimestamp!) - Date.parse(older.metadata.creationTimestamp!)).toBeGreaterThanOrEqual(1000);
    const rg = await buildCluster(loadConformanceTest('HTTPRouteReferenceGrant'));
    expect(rg.states[0].get('ReferenceGrant', 'gateway-conformance-web-backend/reference-grant')).toBeDefined();
    expect(rg.states[1].get('ReferenceGrant', 'gateway-conformance-web-backend/reference-grant')).toBeUndefined();
  });

  it('fails loudly on mutations it cannot apply', async () => {
    const bad = (m: NonNullable<ConformanceTest['mutations']>[number]) => buildCluster(synthetic(GATEWAY, [m]));
    await expect(bad({ kind: 'Gateway', name: 'gateway-conformance-infra/missing', delete: true })).rejects.toThrow(/does not exist/);
    await expect(bad({ kind: 'Gateway', name: 'gateway-conformance-infra/g', jsonPatch: [{ op: 'replace', path: '/spec/listeners', value: '<something new>' }] })).rejects.toThrow(/unknown placeholder <something new>/);
    await expect(bad({ kind: 'Gateway', name: 'gateway-conformance-infra/g', description: 'do something' })).rejects.toThrow(/no known transcription of "do something"/);
    await expect(bad({ kind: 'Gateway', name: 'gateway-conformance-infra/g', jsonPatch: [{ op: 'test', path: '/spec/gatewayClassName', value: 'x' }] })).rejects.toThrow(/test failed/);
    const merged = await buildCluster(synthetic(GATEWAY, [{ kind: 'Gateway', name: 'gateway-conformance-infra/g', mergePatch: { metadata: { labels: { a: 'b' } } } }]));
    expect(merged.states[1].get('Gateway', 'gateway-conformance-infra/g')!.object.metadata).toMatchObject({ labels: { a: 'b' }, generation: 1 });
  });
});

describe('phases and the pipeline', () => {
  it('maps phases to states', () => {
    const t = loadConformanceTest('BackendTLSPolicy');
    expect(stateIndexForPhase(t, undefined)).toBe(0);
    expect(stateIndexForPhase(t, 'afterMutation:use-test-configmap')).toBe(1);
    expect(stateIndexForPhase(t, 'afterMutation:restore-ca')).toBe(4);
    expect(stateIndexForPhase(t, 'afterMutation')).toBe(5);
    expect(() => stateIndexForPhase(t, 'afterMutation:nope')).toThrow(/names no mutation/);
    expect(() => stateIndexForPhase(loadConformanceTest('HTTPRouteSimpleSameNamespace'), 'afterMutation')).toThrow(/without mutations/);
  });

  it('runs every state through validate and resolve, keeping transition times of unchanged conditions', async () => {
    const cluster = await buildCluster(loadConformanceTest('HTTPRouteObservedGenerationBump'));
    const runs = runPipeline(cluster);
    expect(runs).toHaveLength(2);
    const key = 'Gateway/gateway-conformance-infra/same-namespace';
    const times = runs.map((r) => ((r.resolution.statuses.get(key)?.status.conditions ?? []) as { lastTransitionTime: string }[]).map((c) => c.lastTransitionTime));
    expect(times[0].length).toBeGreaterThan(0);
    expect(times[1]).toEqual(times[0]);
    expect(runs.every((r) => r.diagnostics.every((d) => d.severity !== 'error'))).toBe(true);
  });
});
