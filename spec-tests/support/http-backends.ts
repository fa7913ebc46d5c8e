/**
 * The pods and endpoints of a conformance test's cluster, on loopback.
 *
 * In a real cluster every Service of the test's object set is backed by the pods of the
 * Deployment its selector matches, and the endpoint controller publishes them as
 * `discovery.k8s.io/v1` EndpointSlices. Here each such Deployment becomes one echo backend
 * (echo/index.ts: one "pod" named `<deployment>-<x>-<y>`, in the Deployment's namespace), and
 * each Service gets one EndpointSlice per backing Deployment: address 127.0.0.1, one port per
 * Service port (named like it), pointing at the echo listener that serves the Service's
 * `targetPort` in echo-basic (HTTP 3000 — also the WebSocket port —, h2c 3001, HTTPS 8443; the
 * gRPC, TCP, UDP and DNS modes by their own ports). Services whose selector matches no
 * Deployment, and Services without a selector, get no generated endpoints.
 *
 * Deployments are not among the kinds Switchyard loads, so they are read from the raw
 * manifests (base.yaml and the test's manifests); their Secret and ConfigMap volumes are read
 * from the object set (the generated certificates live there).
 */
import { parseAllDocuments } from 'yaml';
import type { KubeObject, LoadedObject } from '../../src/load/load.js';
import { baseManifests, type ConformanceTest } from './corpus.js';
import type { EchoBackend, EchoBackendKind, EchoBackendSpec, EchoFleet } from './echo/index.js';
import { LOOPBACK } from './echo/index.js';

// ---------------------------------------------------------------------------------------------
// Workloads (Deployments)

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface VolumeMount {
  name: string;
  mountPath: string;
}

interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string; items?: { key: string; path: string }[] };
}

/** The parts of a Deployment that decide what its pod runs and how it is selected. */
export interface Workload {
  namespace: string;
  name: string;
  podLabels: Record<string, string>;
  image: string;
  /** Literal env values; values from `valueFrom` (pod name, namespace) are absent. */
  env: Record<string, string>;
  ports: ContainerPort[];
  volumeMounts: VolumeMount[];
  volumes: Volume[];
}

const DEFAULT_NAMESPACE = 'default';

function parseWorkloads(text: string, source: string): Workload[] {
  const out: Workload[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as Record<string, any> | null;
    if (!o || o.kind !== 'Deployment') continue;
    const podSpec = o.spec?.template?.spec ?? {};
    const container = (podSpec.containers ?? [])[0];
    if (!container) throw new Error(`${source}: Deployment ${o.metadata?.name} has no container`);
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
    out.push({
      namespace: o.metadata?.namespace ?? DEFAULT_NAMESPACE,
      name: o.metadata.name,
      podLabels: o.spec?.template?.metadata?.labels ?? {},
      image: container.image ?? '',
      env,
      ports: container.ports ?? [],
      volumeMounts: container.volumeMounts ?? [],
      volumes: podSpec.volumes ?? [],
    });
  }
  return out;
}

/** The Deployments of a test's cluster: base.yaml's, then the test's own. */
export function testWorkloads(test: ConformanceTest): Workload[] {
  return [...parseWorkloads(baseManifests(), 'base.yaml'), ...parseWorkloads(test.manifestsYaml, test.name)];
}

/** Which echo-basic mode (or server) the workload's container runs. */
export function echoKindOf(w: Workload): EchoBackendKind {
  if (/(^|\/)coredns(:|$)/.test(w.image)) return 'dns';
  if (w.env.GRPC_ECHO_SERVER) return 'grpc';
  if (w.env.TCP_ECHO_SERVER) return 'tcp';
  if (w.env.UDP_ECHO_SERVER) return 'udp';
  return 'http';
}

// ---------------------------------------------------------------------------------------------
// Files mounted into the pod

function secretOrConfigMapData(objects: readonly LoadedObject[], kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Record<string, string> | undefined {
  const found = objects.find((o) => o.object.kind === kind && o.object.metadata.name === name && (o.object.metadata.namespace ?? DEFAULT_NAMESPACE) === namespace);
  if (!found) return undefined;
  const data = (found.object.data ?? {}) as Record<string, string>;
  if (kind === 'ConfigMap') return data;
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) decoded[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries((found.object.stringData ?? {}) as Record<string, string>)) decoded[k] = v;
  return decoded;
}

/** The content of the file `path` in the workload's container, from its Secret/ConfigMap volumes. */
export function mountedFile(w: Workload, path: string, objects: readonly LoadedObject[]): string {
  for (const mount of w.volumeMounts) {
    const dir = mount.mountPath.endsWith('/') ? mount.mountPath : `${mount.mountPath}/`;
    if (!path.startsWith(dir)) continue;
    const relative = path.slice(dir.length);
    const volume = w.volumes.find((v) => v.name === mount.name);
    const source = volume?.secret
      ? { kind: 'Secret' as const, name: volume.secret.secretName, items: volume.secret.items }
      : volume?.configMap
        ? { kind: 'ConfigMap' as const, name: volume.configMap.name, items: volume.configMap.items }
        : undefined;
    if (!source) throw new Error(`${w.namespace}/${w.name}: volume ${mount.name} is neither a Secret nor a ConfigMap`);
    const data = secretOrConfigMapData(objects, source.kind, w.namespace, source.name);
    if (!data) throw new Error(`${w.namespace}/${w.name}: ${source.kind} ${w.namespace}/${source.name} (volume ${mount.name}) does not exist`);
    const key = source.items ? source.items.find((i) => i.path === relative)?.key : relative;
    const value = key === undefined ? undefined : data[key];
    if (value === undefined) throw new Error(`${w.namespace}/${w.name}: ${path} is not provided by ${source.kind} ${source.name}`);
    return value;
  }
  throw new Error(`${w.namespace}/${w.name}: no volume is mounted at ${path}`);
}

/** The echo backend a workload runs as: kind, identity and, when configured, its TLS material. */
export function echoSpecFor(w: Workload, objects: readonly LoadedObject[]): EchoBackendSpec {
  const kind = echoKindOf(w);
  const spec: EchoBackendSpec = { name: w.name, namespace: w.namespace, kind, service: w.env.SERVICE_NAME ?? '' };
  // echo-basic reads TLS_SERVER_PRIVKEY; its TCP mode reads TLS_SERVER_PRIV_KEY.
  const keyVar = kind === 'tcp' ? 'TLS_SERVER_PRIV_KEY' : 'TLS_SERVER_PRIVKEY';
  const certPath = w.env.TLS_SERVER_CERT;
  const keyPath = w.env[keyVar];
  if (certPath && keyPath && kind !== 'udp' && kind !== 'dns') {
    const clientCaPath = w.env.TLS_CLIENT_CACERTS;
    spec.tls = {
      cert: mountedFile(w, certPath, objects),
      key: mountedFile(w, keyPath, objects),
      ...(kind === 'http' && clientCaPath ? { clientCa: mountedFile(w, clientCaPath, objects) } : {}),
    };
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Services and their backing workloads

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { name?: string; protocol?: string; port: number; targetPort?: number | string; appProtocol?: string }[];
}

function serviceSpec(o: KubeObject): ServiceSpec {
  return (o.spec ?? {}) as ServiceSpec;
}

function workloadKey(w: { namespace: string; name: string }): string {
  return `${w.namespace}/${w.name}`;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * A harness step outside the manifests: before sending requests, HTTPRouteServiceTypes patches
 * the manifest's selector-less EndpointSlices with the pod IPs of the infra-backend-v1
 * Deployment (conformance notes of that test).
 */
export const MANUAL_ENDPOINTSLICES: Readonly<Record<string, { deployment: string; slices: readonly string[] }>> = {
  HTTPRouteServiceTypes: {
    deployment: 'gateway-conformance-infra/infra-backend-v1',
    slices: [
      'gateway-conformance-infra/manual-endpointslices-ip4',
      'gateway-conformance-infra/manual-endpointslices-ip6',
      'gateway-conformance-infra/headless-manual-endpointslices-ip4',
      'gateway-conformance-infra/headless-manual-endpointslices-ip6',
    ],
  },
};

export interface BackendPlan {
  /** One echo backend per Deployment some Service (or harness step) needs, in manifest order. */
  specs: EchoBackendSpec[];
  workloads: Map<string, Workload>;
  /** Service `namespace/name` -> the `namespace/name` of the Deployments its selector matches. */
  serviceBackends: Map<string, string[]>;
}

/** Which Deployments back which Services in `objects`, and the echo backends to start for them. */
export function planBackends(test: ConformanceTest, objects: readonly LoadedObject[], workloads: readonly Workload[] = testWorkloads(test)): BackendPlan {
  const used = new Map<string, Workload>();
  const serviceBackends = new Map<string, string[]>();
  for (const { object } of objects) {
    if (object.kind !== 'Service') continue;
    const namespace = object.metadata.namespace ?? DEFAULT_NAMESPACE;
    const selector = serviceSpec(object).selector;
    const matched = selector ? workloads.filter((w) => w.namespace === namespace && selects(selector, w.podLabels)) : [];
    serviceBackends.set(`${namespace}/${object.metadata.name}`, matched.map(workloadKey));
    for (const w of matched) used.set(workloadKey(w), w);
  }
  const manual = MANUAL_ENDPOINTSLICES[test.name];
  if (manual) {
    const w = workloads.find((x) => workloadKey(x) === manual.deployment);
    if (!w) throw new Error(`${test.name}: the harness's EndpointSlice patch names Deployment ${manual.deployment}, which is not in the manifests`);
    used.set(workloadKey(w), w);
  }
  const ordered = workloads.filter((w) => used.has(workloadKey(w)));
  return {
    specs: ordered.map((w) => echoSpecFor(w, objects)),
    workloads: new Map(ordered.map((w) => [workloadKey(w), w])),
    serviceBackends,
  };
}

// ---------------------------------------------------------------------------------------------
// EndpointSlices

function envPort(w: Workload, name: string, fallback: number): number {
  const v = w.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The loopback port of `backend` serving the container port `containerPort`, if any. */
export function echoPortFor(w: Workload, backend: EchoBackend, containerPort: number): number | undefined {
  const p = backend.ports;
  const byContainerPort = new Map<number, number | undefined>();
  switch (backend.kind) {
    case 'http':
      byContainerPort.set(envPort(w, 'HTTP_PORT', 3000), p.http);
      byContainerPort.set(envPort(w, 'H2C_PORT', 3001), p.h2c);
      byContainerPort.set(envPort(w, 'HTTPS_PORT', 8443), p.https);
      break;
    case 'grpc':
      byContainerPort.set(envPort(w, 'GRPC_PORT', 3000), p.grpc);
      byContainerPort.set(envPort(w, 'GRPC_TLS_PORT', 8443), p.grpcTls);
      break;
    case 'tcp':
      byContainerPort.set(envPort(w, 'TCP_PORT', 3000), p.tcp);
      byContainerPort.set(envPort(w, 'TLS_PORT', 8443), p.tls);
      break;
    case 'udp':
      byContainerPort.set(envPort(w, 'UDP_PORT', 8080), p.udp);
      break;
    case 'dns':
      byContainerPort.set(53, p.dns);
      break;
  }
  return byContainerPort.get(containerPort);
}

/** A Service port's target as a container port number (named targets resolve on the container). */
function targetContainerPort(w: Workload, port: { port: number; targetPort?: number | string }): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return w.ports.find((p) => p.name === target)?.containerPort;
}

type SlicePort = { name?: string; port: number; protocol: string; appProtocol?: string };

function endpointFor(backend: EchoBackend) {
  return {
    addresses: [LOOPBACK],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', name: backend.pod, namespace: backend.namespace },
  };
}

/**
 * The EndpointSlices the endpoint controller would publish for the Services of `objects`, given
 * the running backends: one slice per (Service, Deployment), named `<service>-<deployment>`.
 */
export function generateEndpointSlices(objects: readonly LoadedObject[], plan: BackendPlan, fleet: EchoFleet): KubeObject[] {
  const slices: KubeObject[] = [];
  for (const { object } of objects) {
    if (object.kind !== 'Service') continue;
    const namespace = object.metadata.namespace ?? DEFAULT_NAMESPACE;
    const service = object.metadata.name;
    for (const key of plan.serviceBackends.get(`${namespace}/${service}`) ?? []) {
      const w = plan.workloads.get(key)!;
      const backend = fleet.get(w.namespace, w.name);
      const ports: SlicePort[] = [];
      for (const sp of serviceSpec(object).ports ?? []) {
        const container = targetContainerPort(w, sp);
        const port = container === undefined ? undefined : echoPortFor(w, backend, container);
        if (port === undefined) continue;
        ports.push({
          ...(sp.name ? { name: sp.name } : {}),
          port,
          protocol: sp.protocol ?? 'TCP',
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        });
      }
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${service}-${w.name}`.slice(0, 253),
          namespace,
          labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        },
        addressType: 'IPv4',
        endpoints: [endpointFor(backend)],
        ports,
      });
    }
  }
  return slices;
}

/**
 * The object set with the harness's EndpointSlice patch applied (MANUAL_ENDPOINTSLICES): the
 * named IPv4 slices get the Deployment's pod, their ports mapped to its echo listeners; IPv6
 * slices get no endpoints (the loopback pods have IPv4 addresses only).
 */
export function patchManualEndpointSlices(test: ConformanceTest, objects: readonly LoadedObject[], plan: BackendPlan, fleet: EchoFleet): LoadedObject[] {
  const manual = MANUAL_ENDPOINTSLICES[test.name];
  if (!manual) return [...objects];
  const w = plan.workloads.get(manual.deployment)!;
  const backend = fleet.get(w.namespace, w.name);
  const remaining = new Set(manual.slices);
  const out = objects.map((o) => {
    const key = `${o.object.metadata.namespace ?? DEFAULT_NAMESPACE}/${o.object.metadata.name}`;
    if (o.object.kind !== 'EndpointSlice' || !remaining.has(key)) return o;
    remaining.delete(key);
    const object = structuredClone(o.object);
    const ipv4 = object.addressType === 'IPv4';
    object.endpoints = ipv4 ? [endpointFor(backend)] : [];
    if (ipv4) {
      const ports = (object.ports ?? []) as SlicePort[];
      object.ports = ports.map((p) => {
        const port = echoPortFor(w, backend, p.port);
        if (port === undefined) throw new Error(`${test.name}: EndpointSlice ${key} port ${p.port} is not served by ${manual.deployment}`);
        return { ...p, port };
      });
    }
    return { ...o, object };
  });
  if (remaining.size > 0) throw new Error(`${test.name}: the harness patches EndpointSlices missing from the manifests: ${[...remaining].join(', ')}`);
  return out;
}
