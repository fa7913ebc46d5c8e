/**
 * Backend phase: every backendRef of every rule (and every backend a filter references) is
 * resolved to a Service port or to the reason it cannot be:
 *
 * - InvalidKind: only core Services are supported;
 * - RefNotPermitted: a reference into another namespace needs a ReferenceGrant there from the
 *   route's kind and namespace; this is judged before existence, so a user cannot probe for
 *   objects in namespaces that did not grant access;
 * - BackendNotFound: the Service, or the port on it, does not exist;
 * - UnsupportedProtocol: the port's transport protocol cannot carry the route (UDPRoute needs UDP).
 *
 * HTTPRoute and GRPCRoute rules are also checked for filters: RequestRedirect with URLRewrite,
 * or one filter type twice (RequestMirror excepted), make the rule invalid (IncompatibleFilters);
 * an ExtensionRef is not something this controller can resolve.
 */
import type {
  BackendObjectReference,
  GRPCRouteFilter,
  HTTPRouteFilter,
  Route,
} from '../model/gateway-api.js';
import { GATEWAY_GROUP } from './catalog.js';
import type { ResolveContext } from './context.js';
import { referenceAllowed } from './referencegrant.js';
import type { ResolvedBackend, ResolvedFilterBackend, ResolvedRule } from './types.js';

export interface RouteBackends {
  rules: ResolvedRule[];
  /** Reference problems in rule order: the route's ResolvedRefs condition. */
  problems: { reason: string; message: string }[];
}

export function resolveBackendRef(ctx: ResolveContext, route: Route, ref: BackendObjectReference & { weight?: number }): ResolvedBackend {
  const routeNs = route.metadata.namespace as string;
  const namespace = ref.namespace ?? routeNs;
  const weight = ref.weight ?? 1;
  const base = { ref: { ...ref, weight }, namespace, weight };
  const fail = (problem: 'BackendNotFound' | 'RefNotPermitted' | 'InvalidKind' | 'UnsupportedProtocol', message: string): ResolvedBackend => ({
    ...base,
    target: { problem, message },
  });
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if (group !== '' || kind !== 'Service') {
    return fail('InvalidKind', `backendRef ${group ? `${group}/` : ''}${kind} ${namespace}/${ref.name} is not supported: only core Services are`);
  }
  const allowed = namespace === routeNs || referenceAllowed(
    ctx.catalog.referenceGrants,
    { group: GATEWAY_GROUP, kind: route.kind, namespace: routeNs },
    { group: '', kind: 'Service', namespace, name: ref.name },
  );
  if (!allowed) return fail('RefNotPermitted', `Service ${namespace}/${ref.name} is not permitted by any ReferenceGrant for ${route.kind} in namespace ${routeNs}`);
  const service = ctx.catalog.service(namespace, ref.name);
  if (!service) return fail('BackendNotFound', `Service ${namespace}/${ref.name} does not exist`);
  if (ref.port === undefined) return fail('BackendNotFound', `backendRef to Service ${namespace}/${ref.name} needs a port`);
  const wanted = route.kind === 'UDPRoute' ? 'UDP' : 'TCP';
  const ports = (service.spec.ports ?? []).filter((p) => p.port === ref.port);
  if (ports.length === 0) return fail('BackendNotFound', `Service ${namespace}/${ref.name} has no port ${ref.port}`);
  const port = ports.find((p) => (p.protocol ?? 'TCP') === wanted);
  if (!port) {
    return fail('UnsupportedProtocol', `Port ${ref.port} of Service ${namespace}/${ref.name} is ${ports[0].protocol ?? 'TCP'}; a ${route.kind} needs ${wanted}`);
  }
  return { ref: base.ref, namespace, weight, target: { service, port } };
}

type AnyFilter = HTTPRouteFilter | GRPCRouteFilter;

interface RuleLike {
  filters?: AnyFilter[];
  backendRefs?: (BackendObjectReference & { weight?: number; filters?: AnyFilter[] })[];
}

export function resolveRouteBackends(ctx: ResolveContext, route: Route): RouteBackends {
  const problems: { reason: string; message: string }[] = [];
  const rules: ResolvedRule[] = ((route.spec as { rules?: RuleLike[] }).rules ?? []).map((rule, index) => {
    const backends = (rule.backendRefs ?? []).map((ref) => resolveBackendRef(ctx, route, ref));
    const filterBackends: ResolvedFilterBackend[] = [];
    const resolved: ResolvedRule = { index, backends, filterBackends };
    const collect = (filters: readonly AnyFilter[] | undefined, backend: number | undefined) => {
      (filters ?? []).forEach((f, fi) => {
        const target = f.type === 'RequestMirror' ? f.requestMirror?.backendRef : f.type === 'ExternalAuth' ? (f as HTTPRouteFilter).externalAuth?.backendRef : undefined;
        if (target) filterBackends.push({ filter: fi, ...(backend !== undefined ? { backend } : {}), type: f.type as 'RequestMirror' | 'ExternalAuth', resolved: resolveBackendRef(ctx, route, target) });
        if (f.type === 'ExtensionRef' && resolved.unresolvedFilter === undefined) {
          const e = f.extensionRef;
          resolved.unresolvedFilter = `ExtensionRef filter ${e ? `${e.group ? `${e.group}/` : ''}${e.kind} ${e.name}` : ''} is not supported by this controller`;
        }
      });
    };
    collect(rule.filters, undefined);
    (rule.backendRefs ?? []).forEach((b, bi) => collect(b.filters, bi));
    const invalid = filterCompatibility(rule.filters ?? []);
    if (invalid) resolved.invalid = invalid;
    for (const b of backends) if ('problem' in b.target) problems.push({ reason: b.target.problem, message: b.target.message });
    for (const fb of filterBackends) if ('problem' in fb.resolved.target) problems.push({ reason: fb.resolved.target.problem, message: `${fb.type} filter: ${fb.resolved.target.message}` });
    if (resolved.unresolvedFilter) problems.push({ reason: 'InvalidKind', message: resolved.unresolvedFilter });
    return resolved;
  });
  return { rules, problems };
}

function filterCompatibility(filters: readonly AnyFilter[]): ResolvedRule['invalid'] {
  const types = filters.map((f) => f.type);
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
    return { reason: 'IncompatibleFilters', message: 'RequestRedirect and URLRewrite filters cannot be combined in one rule' };
  }
  const seen = new Set<string>();
  for (const t of types) {
    if (t !== 'RequestMirror' && seen.has(t)) return { reason: 'IncompatibleFilters', message: `Filter ${t} is specified more than once in one rule` };
    seen.add(t);
  }
  return undefined;
}
