import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFor, caFor } from './certificates.js';
import { buildCluster, type ConformanceCluster } from './conformance.js';
import { loadConformanceTest } from './corpus.js';
import { startEchoFleet, type EchoFleet } from './echo/index.js';
import { echoKindOf, generateEndpointSlices, mountedFile, patchManualEndpointSlices, planBackends, testWorkloads, type BackendPlan } from './http-backends.js';

const NS = 'gateway-conformance-infra';

describe('workloads of a test', () => {
  it('reads the Deployments of base.yaml and of the test manifests, with their echo mode', () => {
    const workloads = testWorkloads(loadConformanceTest('GatewayTLSBackendClientCertificate'));
    const byName = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
    expect(byName.get(`${NS}/infra-backend-v1`)?.podLabels).toEqual({ app: 'infra-backend-v1' });
    expect(echoKindOf(byName.get(`${NS}/infra-backend-v1`)!)).toBe('http');
    expect(echoKindOf(byName.get(`${NS}/grpc-infra-backend-v1`)!)).toBe('grpc');
    expect(echoKindOf(byName.get(`${NS}/tcp-backend`)!)).toBe('tcp');
    expect(echoKindOf(byName.get(`${NS}/coredns`)!)).toBe('dns');
    expect(byName.get(`${NS}/tls-backend-with-client-cert-validation`)?.env.TLS_CLIENT_CACERTS).toBe('/etc/configmap-volume/ca');
  });
});

describe('planBackends and EndpointSlices', () => {
  let cluster: ConformanceCluster;
  let plan: BackendPlan;
  let fleet: EchoFleet;

  beforeAll(async () => {
    const test = loadConformanceTest('GatewayTLSBackendClientCertificate');
    cluster = await buildCluster(test);
    plan = planBackends(test, cluster.states[0]!.list());
    fleet = await startEchoFleet(plan.specs);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('starts one backend per selected Deployment and maps Services to them', () => {
    const names = plan.specs.map((s) => `${s.namespace}/${s.name}`);
    expect(names).toContain(`${NS}/infra-backend-v1`);
    expect(names).toContain(`${NS}/tls-backend-with-client-cert-validation`);
    expect(new Set(names).size).toBe(names.length);
    expect(plan.serviceBackends.get(`${NS}/infra-backend-v2`)).toEqual([`${NS}/infra-backend-v2`]);
    expect(plan.serviceBackends.get('gateway-conformance-app-backend/tls-backend')).toEqual(['gateway-conformance-app-backend/tls-backend']);
  });

  it('gives TLS backends the mounted Secret and ConfigMap contents', async () => {
    const spec = plan.specs.find((s) => s.name === 'tls-backend-with-client-cert-validation')!;
    const serving = await certificateFor(`${NS}/tls-checks-certificate`);
    expect(spec.tls?.cert).toBe(serving.certPem);
    expect(spec.tls?.key).toBe(serving.keyPem);
    expect(spec.tls?.clientCa).toBe((await caFor(`${NS}/tls-checks-ca-certificate`)).certPem);
    const plainHttp = plan.specs.find((s) => s.name === 'infra-backend-v1')!;
    expect(plainHttp.tls).toBeUndefined();
  });

  it('fails loudly for a path no volume provides', () => {
    const w = plan.workloads.get(`${NS}/tls-backend`)!;
    expect(() => mountedFile(w, '/nowhere/crt', cluster.states[0]!.list())).toThrow(/no volume is mounted at \/nowhere\/crt/);
  });

  it('publishes one slice per Service and Deployment, ports named like the Service ports and pointing at the echo listeners', () => {
    const slices = generateEndpointSlices(cluster.states[0]!.list(), plan, fleet);
    const v1 = fleet.get(NS, 'infra-backend-v1');
    const slice = slices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'infra-backend-v1')!;
    expect(slice).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: NS },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: v1.pod, namespace: NS } }],
    });
    expect(slice.ports).toEqual([
      { name: 'first-port', port: v1.ports.http, protocol: 'TCP' },
      { name: 'second-port', port: v1.ports.h2c, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'third-port', port: v1.ports.http, protocol: 'TCP', appProtocol: 'kubernetes.io/ws' },
    ]);
    const unnamed = slices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'infra-backend-v2')!;
    expect(unnamed.ports).toEqual([{ port: fleet.get(NS, 'infra-backend-v2').ports.http, protocol: 'TCP' }]);
    const tls = slices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'tls-backend-with-client-cert-validation')!;
    expect(tls.ports).toEqual([{ name: 'https', port: fleet.get(NS, 'tls-backend-with-client-cert-validation').ports.https, protocol: 'TCP' }]);
    const grpc = slices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'grpc-infra-backend-v1')!;
    expect((grpc.ports as { port: number }[])[0]!.port).toBe(fleet.get(NS, 'grpc-infra-backend-v1').ports.grpc);
  });
});

describe('the harness EndpointSlice patch of HTTPRouteServiceTypes', () => {
  it('points the manual IPv4 slices at infra-backend-v1 and empties the IPv6 ones', async () => {
    const test = loadConformanceTest('HTTPRouteServiceTypes');
    const cluster = await buildCluster(test);
    const objects = cluster.states[0]!.list();
    const plan = planBackends(test, objects);
    // Services without a selector get no generated endpoints.
    expect(plan.serviceBackends.get(`${NS}/manual-endpointslices`)).toEqual([]);
    expect(plan.serviceBackends.get(`${NS}/headless`)).toEqual([`${NS}/infra-backend-v1`]);
    const fleet = await startEchoFleet(plan.specs);
    try {
      const patched = patchManualEndpointSlices(test, objects, plan, fleet);
      const v1 = fleet.get(NS, 'infra-backend-v1');
      const slice = (name: string) => patched.find((o) => o.object.kind === 'EndpointSlice' && o.object.metadata.name === name)!.object;
      expect(slice('manual-endpointslices-ip4')).toMatchObject({
        endpoints: [{ addresses: ['127.0.0.1'] }],
        ports: [{ name: 'first-port', port: v1.ports.http, protocol: 'TCP' }],
      });
      expect(slice('headless-manual-endpointslices-ip6').endpoints).toEqual([]);
      // The input objects are not modified.
      const original = objects.find((o) => o.object.metadata.name === 'manual-endpointslices-ip4')!.object;
      expect((original.ports as { port: number }[])[0]!.port).toBe(3000);
    } finally {
      await fleet.stop();
    }
  });
});
