/**
 * Builds a Resolution in code (no YAML, no resolver): for tests, benchmarks and embedders that
 * generate routes. Effective hostnames follow the resolver's intersection rule; a route whose
 * hostnames do not intersect a listener's is not attached to it.
 */
import type { Service } from '../model/core.js';
import type {
  Gateway, GatewayClass, GRPCRoute, GRPCRouteMatch, HTTPRoute, HTTPRouteFilter, HTTPRouteMatch,
} from '../model/gateway-api.js';
import { intersectHostnames } from '../resolve/hostnames.js';
import type { AttachedRoute, BackendProblem, ResolvedBackend, ResolvedGateway, ResolvedListener, Resolution } from '../resolve/types.js';

export interface ListenerSpec {
  name: string;
  port: number;
  protocol?: string;
  hostname?: string;
  ready?: boolean;
}

export interface BackendSpec {
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  /** Makes the reference unresolved. */
  problem?: BackendProblem;
}

export interface RuleSpec<M> {
  name?: string;
  matches?: M[];
  filters?: HTTPRouteFilter[];
  backends?: BackendSpec[];
}

export interface RouteSpec<M> {
  namespace?: string;
  name: string;
  /** RFC 3339; omitted = absent. */
  created?: string;
  seq?: number;
  hostnames?: string[];
  /** `gatewayNamespace/gatewayName/listenerName` of every listener to attach to. */
  listeners: string[];
  rules: RuleSpec<M>[];
}

const GATEWAY_CLASS: GatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'switchyard', generation: 1 },
  spec: { controllerName: 'switchyard.dev/gateway-controller' },
};

export class ResolutionBuilder {
  private readonly gateways: ResolvedGateway[] = [];
  private readonly listeners = new Map<string, ResolvedListener>();
  private seq = 0;

  gateway(id: string, listeners: ListenerSpec[]): this {
    const [namespace, name] = id.split('/');
    const gateway: Gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace, generation: 1 },
      spec: {
        gatewayClassName: 'switchyard',
        listeners: listeners.map((l) => ({
          name: l.name,
          port: l.port,
          protocol: l.protocol ?? 'HTTP',
          ...(l.hostname ? { hostname: l.hostname } : {}),
          allowedRoutes: { namespaces: { from: 'All' as const } },
        })),
      },
    };
    const resolved: ResolvedListener[] = listeners.map((l) => ({
      name: l.name,
      owner: { kind: 'Gateway', namespace, name },
      port: l.port,
      protocol: l.protocol ?? 'HTTP',
      ...(l.hostname ? { hostname: l.hostname } : {}),
      ready: l.ready ?? true,
      routes: [],
    }));
    for (const l of resolved) this.listeners.set(`${id}/${l.name}`, l);
    this.gateways.push({ gateway, gatewayClass: GATEWAY_CLASS, listeners: resolved, addresses: [] });
    return this;
  }

  httpRoute(spec: RouteSpec<Partial<HTTPRouteMatch>>): this {
    const route: HTTPRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: this.meta(spec),
      spec: {
        parentRefs: [],
        ...(spec.hostnames ? { hostnames: spec.hostnames } : {}),
        rules: spec.rules.map((r) => ({
          ...(r.name ? { name: r.name } : {}),
          matches: (r.matches ?? [{}]).map((m) => ({ ...m, path: m.path ?? { type: 'PathPrefix', value: '/' } })),
          ...(r.filters ? { filters: r.filters } : {}),
          backendRefs: (r.backends ?? []).map((b) => backendRef(b)),
        })),
      },
    };
    return this.attach(route, spec);
  }

  grpcRoute(spec: RouteSpec<GRPCRouteMatch>): this {
    const route: GRPCRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: this.meta(spec),
      spec: {
        parentRefs: [],
        ...(spec.hostnames ? { hostnames: spec.hostnames } : {}),
        rules: spec.rules.map((r) => ({
          ...(r.name ? { name: r.name } : {}),
          ...(r.matches ? { matches: r.matches } : {}),
          backendRefs: (r.backends ?? []).map((b) => backendRef(b)),
        })),
      },
    } as GRPCRoute;
    return this.attach(route, spec);
  }

  build(): Pick<Resolution, 'gateways'> {
    return { gateways: this.gateways };
  }

  private meta(spec: RouteSpec<unknown>): HTTPRoute['metadata'] {
    return { name: spec.name, namespace: spec.namespace ?? 'default', generation: 1, ...(spec.created ? { creationTimestamp: spec.created } : {}) };
  }

  private attach(route: HTTPRoute | GRPCRoute, spec: RouteSpec<unknown>): this {
    const seq = spec.seq ?? this.seq++;
    const namespace = spec.namespace ?? 'default';
    for (const id of spec.listeners) {
      const listener = this.listeners.get(id);
      if (!listener) throw new Error(`unknown listener ${id}`);
      const hostnames = intersectHostnames(listener.hostname, spec.hostnames);
      if (!hostnames.matches) continue;
      const attached: AttachedRoute = {
        kind: route.kind,
        route,
        hostnames: hostnames.hostnames,
        seq,
        rules: spec.rules.map((r, index) => ({ index, backends: (r.backends ?? []).map((b) => resolvedBackend(b, namespace)), filterBackends: [] })),
      };
      listener.routes.push(attached);
    }
    return this;
  }
}

function backendRef(b: BackendSpec): HTTPRoute['spec']['rules'][number]['backendRefs'] extends (infer T)[] | undefined ? T : never {
  return { group: '', kind: 'Service', name: b.name, ...(b.namespace ? { namespace: b.namespace } : {}), port: b.port ?? 8080, weight: b.weight ?? 1 };
}

function resolvedBackend(b: BackendSpec, routeNamespace: string): ResolvedBackend {
  const namespace = b.namespace ?? routeNamespace;
  const port = b.port ?? 8080;
  const ref = backendRef(b);
  if (b.problem) return { ref, namespace, weight: b.weight ?? 1, target: { problem: b.problem, message: `${b.problem}: ${namespace}/${b.name}` } };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: b.name, namespace },
    spec: { ports: [{ port, protocol: 'TCP' }] },
  };
  return { ref, namespace, weight: b.weight ?? 1, target: { service, port: { port, protocol: 'TCP' } } };
}
