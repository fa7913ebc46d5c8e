/**
 * Attachment phase: for every parentRef of a route that names a Gateway or ListenerSet of ours,
 * which listeners it attaches to, and why not when it attaches to none.
 *
 * A parentRef selects the parent's own listeners (a Gateway parentRef never reaches ListenerSet
 * listeners), narrowed by `sectionName` and `port` (nothing left: NoMatchingParent). A selected
 * listener takes the route when its supportedKinds include the route's kind and its
 * allowedRoutes.namespaces admit the route's namespace (else NotAllowedByListeners; `Same` means
 * the namespace of the listener's owner) and, for HTTPRoute, GRPCRoute and TLSRoute, when the
 * hostnames intersect (else NoMatchingListenerHostname). Attachment does not depend on the
 * listener's own health: routes on a listener with unresolved certificates still count.
 */
import type { ParentReference, Route } from '../model/gateway-api.js';
import { GATEWAY_GROUP, type Catalog } from './catalog.js';
import { cond, type ConditionSpec } from './conditions.js';
import type { GatewayState, ListenerSetState } from './gateways.js';
import { intersectHostnames } from './hostnames.js';
import type { ListenerState } from './listeners.js';
import { selectorMatches } from './selectors.js';

export interface ListenerAttachment {
  state: ListenerState;
  hostnames: string[];
}

export interface ParentAttachment {
  /** The parentRef as written (defaults applied). */
  ref: ParentReference;
  /** The parentRef as status spells it: group, kind and namespace always present. */
  statusRef: { group: string; kind: string; namespace: string; name: string; sectionName?: string; port?: number };
  gateway: GatewayState;
  /** Accepted condition from attachment alone (rule validity may still reject the route). */
  accepted: ConditionSpec;
  listeners: ListenerAttachment[];
}

export interface ParentIndex {
  gateway(namespace: string, name: string): GatewayState | undefined;
  listenerSet(namespace: string, name: string): { gateway: GatewayState; set: ListenerSetState } | undefined;
}

export function parentIndex(gateways: readonly GatewayState[]): ParentIndex {
  const gws = new Map<string, GatewayState>();
  const sets = new Map<string, { gateway: GatewayState; set: ListenerSetState }>();
  for (const g of gateways) {
    gws.set(`${g.gateway.metadata.namespace}/${g.gateway.metadata.name}`, g);
    for (const s of g.listenerSets) sets.set(`${s.listenerSet.metadata.namespace}/${s.listenerSet.metadata.name}`, { gateway: g, set: s });
  }
  return {
    gateway: (ns, name) => gws.get(`${ns}/${name}`),
    listenerSet: (ns, name) => sets.get(`${ns}/${name}`),
  };
}

const HOSTNAME_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute']);

export function attachRoute(catalog: Catalog, parents: ParentIndex, route: Route): ParentAttachment[] {
  const out: ParentAttachment[] = [];
  const routeNs = route.metadata.namespace as string;
  for (const ref of route.spec.parentRefs ?? []) {
    const group = ref.group ?? GATEWAY_GROUP;
    const kind = ref.kind ?? 'Gateway';
    if (group !== GATEWAY_GROUP) continue;
    const namespace = ref.namespace ?? routeNs;
    let gateway: GatewayState;
    let listeners: ListenerState[];
    let parentDesc: string;
    let unavailable: string | undefined;
    if (kind === 'Gateway') {
      const g = parents.gateway(namespace, ref.name);
      if (!g) continue; // not a Gateway of ours: its controller reports on it
      gateway = g;
      listeners = g.listeners;
      parentDesc = `Gateway ${namespace}/${ref.name}`;
    } else if (kind === 'ListenerSet') {
      const s = parents.listenerSet(namespace, ref.name);
      if (!s) continue;
      gateway = s.gateway;
      listeners = s.set.listeners;
      parentDesc = `ListenerSet ${namespace}/${ref.name}`;
      if (!s.set.allowed) unavailable = `${parentDesc} is not allowed to attach to Gateway ${gateway.gateway.metadata.namespace}/${gateway.gateway.metadata.name}`;
    } else {
      continue;
    }
    const statusRef = {
      group,
      kind,
      namespace,
      name: ref.name,
      ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}),
      ...(ref.port !== undefined ? { port: ref.port } : {}),
    };
    const base = { ref, statusRef, gateway };
    if (unavailable) {
      out.push({ ...base, accepted: cond('Accepted', false, 'NoMatchingParent', unavailable), listeners: [] });
      continue;
    }
    const matched = matchListeners(catalog, route, ref, listeners, parentDesc);
    out.push({ ref, statusRef, gateway, accepted: matched.accepted, listeners: matched.listeners });
  }
  return out;
}

function matchListeners(
  catalog: Catalog,
  route: Route,
  ref: ParentReference,
  all: readonly ListenerState[],
  parentDesc: string,
): { accepted: ConditionSpec; listeners: ListenerAttachment[] } {
  let selected = all;
  if (ref.sectionName !== undefined) selected = selected.filter((l) => l.listener.name === ref.sectionName);
  if (ref.port !== undefined) selected = selected.filter((l) => l.listener.port === ref.port);
  if (selected.length === 0) {
    const what = [
      ref.sectionName !== undefined ? `named "${ref.sectionName}"` : '',
      ref.port !== undefined ? `on port ${ref.port}` : '',
    ].filter(Boolean).join(' ');
    return { accepted: cond('Accepted', false, 'NoMatchingParent', `${parentDesc} has no listener ${what || 'at all'}`), listeners: [] };
  }
  const routeNs = route.metadata.namespace as string;
  const notAllowed: string[] = [];
  const noHostname: string[] = [];
  const attached: ListenerAttachment[] = [];
  for (const l of selected) {
    const name = `"${l.listener.name}"`;
    if (!l.supportedKinds.some((k) => k.group === GATEWAY_GROUP && k.kind === route.kind)) {
      notAllowed.push(`listener ${name} does not allow kind ${route.kind}`);
      continue;
    }
    const nsProblem = namespaceProblem(catalog, l, routeNs);
    if (nsProblem) {
      notAllowed.push(`listener ${name} ${nsProblem}`);
      continue;
    }
    let hostnames: string[] = [];
    if (HOSTNAME_KINDS.has(route.kind)) {
      const routeHosts = (route.spec as { hostnames?: string[] }).hostnames;
      const x = intersectHostnames(l.listener.hostname, routeHosts);
      if (!x.matches) {
        noHostname.push(`listener ${name} hostname "${l.listener.hostname}" matches none of ${routeHosts!.map((h) => `"${h}"`).join(', ')}`);
        continue;
      }
      hostnames = x.hostnames;
    }
    attached.push({ state: l, hostnames });
  }
  if (attached.length > 0) return { accepted: cond('Accepted', true, 'Accepted', `Route is accepted by ${parentDesc}`), listeners: attached };
  if (noHostname.length > 0) {
    return { accepted: cond('Accepted', false, 'NoMatchingListenerHostname', `No hostname intersects on ${parentDesc}: ${noHostname.join('; ')}`), listeners: [] };
  }
  return { accepted: cond('Accepted', false, 'NotAllowedByListeners', `Not allowed by the listeners of ${parentDesc}: ${notAllowed.join('; ')}`), listeners: [] };
}

function namespaceProblem(catalog: Catalog, l: ListenerState, routeNs: string): string | undefined {
  const ns = l.listener.allowedRoutes.namespaces;
  switch (ns.from) {
    case 'All':
      return undefined;
    case 'Same':
      return routeNs === l.owner.namespace ? undefined : `allows routes only from namespace ${l.owner.namespace}`;
    case 'Selector':
      return selectorMatches(ns.selector, catalog.namespaceLabels(routeNs)) ? undefined : `does not select namespace ${routeNs}`;
    default:
      return 'allows no routes';
  }
}
