/**
 * Objects for Kubernetes-mode tests: a GatewayClass of ours, a Gateway in `infra` with one HTTP
 * listener, an HTTPRoute, and a Service whose EndpointSlice points at a loopback port.
 */
import type { KubeObject } from '../../load/load.js';
import { DEFAULT_CONTROLLER_NAME } from '../../resolve/types.js';

const GW = 'gateway.networking.k8s.io/v1';

export function gatewayClass(name = 'switchyard', controllerName = DEFAULT_CONTROLLER_NAME): KubeObject {
  return { apiVersion: GW, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function gateway(name = 'gw', port = 80, className = 'switchyard'): KubeObject {
  return {
    apiVersion: GW,
    kind: 'Gateway',
    metadata: { name, namespace: 'infra' },
    spec: { gatewayClassName: className, listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
  };
}

export function httpRoute(name: string, path: string, backend = 'echo', parent = 'gw'): KubeObject {
  return {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'infra' },
    spec: {
      parentRefs: [{ name: parent }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: backend, port: 8080 }] }],
    },
  };
}

export function service(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'infra' },
    spec: { ports: [{ name: 'http', port: 8080, targetPort: 3000 }] },
  };
}

export function endpointSlice(service: string, port: number): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: 'infra', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port }],
  };
}

/** Waits until `check` returns a truthy value, polling every 20 ms, at most `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
