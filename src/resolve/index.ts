/**
 * The resolver: what a Gateway API controller decides, as a pure function of the objects.
 *
 * Phases, in order (each needs what the previous ones produced):
 *  1. catalog       index the objects; creation order for precedence rules.
 *  2. gatewayclass  our classes (controllerName) and their status.
 *  3. gateways      listeners of our Gateways and admitted ListenerSets, conflicts (needs every
 *                   listener of a Gateway, so all ListenerSets are admitted first), then Gateway
 *                   and ListenerSet conditions (a ListenerSet needs its Gateway's acceptance).
 *  4. backends      every route's backendRefs and filters (independent of parents).
 *  5. attachment    parentRefs -> listeners (needs listener kinds from 3), then route status
 *                   (needs rule validity from 4) and attachedRoutes counts (need final route
 *                   acceptance).
 *  6. policies      BackendTLSPolicy conflicts and CA refs; ancestors are the Gateways whose
 *                   attached routes (5) reach a targeted Service; applied to resolved backends.
 *  7. status        stamp every condition (observedGeneration, lastTransitionTime from
 *                   options.previous) and assemble statuses and the data-plane view.
 */
import type { Route } from '../model/gateway-api.js';
import { objectKey, type ValidObject } from '../model/objects.js';
import { attachRoute, parentIndex, type ParentAttachment } from './attachment.js';
import { resolveRouteBackends, type RouteBackends } from './backends.js';
import { Catalog } from './catalog.js';
import { ConditionStamper } from './conditions.js';
import { ResolveContext } from './context.js';
import { resolveGatewayClasses } from './gatewayclass.js';
import { resolveGateways, type GatewayState } from './gateways.js';
import { listenerValid, type ListenerState } from './listeners.js';
import { applyBackendTLS, resolvePolicies } from './policies.js';
import { routeParentStatuses, type RouteParentStatus } from './routes.js';
import { StatusWriter } from './status.js';
import {
  DEFAULT_CONTROLLER_NAME,
  type AttachedRoute,
  type ResolveOptions,
  type Resolution,
  type ResolvedGateway,
  type ResolvedListener,
} from './types.js';

export * from './types.js';
export { intersectHostnames, hostnameCovers } from './hostnames.js';
export { referenceAllowed } from './referencegrant.js';

export const DEFAULT_ADDRESS = { type: 'IPAddress', value: '127.0.0.1' } as const;

export function resolve(objects: readonly ValidObject[], options: ResolveOptions = {}): Resolution {
  const controllerName = options.controllerName ?? DEFAULT_CONTROLLER_NAME;
  // 1. catalog
  const catalog = new Catalog(objects);
  const ctx = new ResolveContext(catalog, controllerName);
  // 2. gateway classes
  const classes = resolveGatewayClasses(catalog, controllerName);
  // 3. gateways, listener sets, listeners, conflicts
  const gateways = resolveGateways(ctx, classes, {
    defaultAddress: options.defaultAddress ?? { ...DEFAULT_ADDRESS },
    localAddresses: options.localAddresses,
    addressFor: options.addressFor,
  });
  // 4. backends of every route
  const backends = new Map<Route, RouteBackends>();
  for (const r of catalog.routes) backends.set(r, resolveRouteBackends(ctx, r));
  // 5. attachment and route status; attached routes per listener
  const parents = parentIndex(gateways);
  const routeStatuses = new Map<Route, RouteParentStatus[]>();
  const attached = new Map<ListenerState, Map<Route, string[]>>();
  for (const r of catalog.routes) {
    const attachments: ParentAttachment[] = attachRoute(catalog, parents, r);
    if (attachments.length === 0) continue;
    const statuses = routeParentStatuses(r, attachments, backends.get(r)!);
    routeStatuses.set(r, statuses);
    for (const s of statuses) {
      if (!s.accepted) continue;
      for (const l of s.attachment.listeners) {
        const routes = attached.get(l.state) ?? new Map<Route, string[]>();
        routes.set(r, withHostnames(routes.get(r), l.hostnames));
        attached.set(l.state, routes);
      }
    }
  }
  // 6. BackendTLSPolicy: needs the Gateways whose attached routes reach each Service (with no
  // policy, no backend gets TLS and no policy has ancestors: nothing to walk)
  const policies = resolvePolicies(ctx);
  const servicesOf = new Map<GatewayState, Set<string>>();
  if (policies.policies.length > 0) {
    for (const b of backends.values()) {
      for (const rule of b.rules) {
        for (const be of rule.backends) applyBackendTLS(policies, be);
        for (const fb of rule.filterBackends) applyBackendTLS(policies, fb.resolved);
      }
    }
    for (const [r, statuses] of routeStatuses) {
      for (const s of statuses) {
        if (!s.accepted) continue;
        const set = servicesOf.get(s.attachment.gateway) ?? new Set<string>();
        for (const rule of backends.get(r)!.rules) {
          for (const be of rule.backends) {
            if (!('problem' in be.target)) set.add(`${be.target.service.metadata.namespace}/${be.target.service.metadata.name}`);
          }
        }
        servicesOf.set(s.attachment.gateway, set);
      }
    }
  }
  // 7. status and the data-plane view
  const writer = new StatusWriter(new ConditionStamper(options.now ?? new Date()), options.previous, controllerName);
  for (const c of classes.values()) writer.gatewayClass(c);
  const attachedCount = (l: ListenerState) => attached.get(l)?.size ?? 0;
  for (const g of gateways) {
    writer.gateway(g, attachedCount);
    for (const s of g.listenerSets) writer.listenerSet(s, attachedCount);
  }
  routeStatuses.forEach((statuses, r) => writer.route(r, statuses));
  for (const p of policies.policies) {
    const ancestors = gateways.filter((g) => p.services.some((svc) => servicesOf.get(g)?.has(svc)));
    if (ancestors.length > 0) writer.policy(p, ancestors.map((g) => g.gateway));
  }

  const resolved: ResolvedGateway[] = gateways
    .filter((g) => g.accepted)
    .map((g) => ({
      gateway: g.gateway,
      gatewayClass: g.gatewayClass,
      addresses: g.addresses,
      ...(g.backendClientCertificate ? { backendClientCertificate: g.backendClientCertificate } : {}),
      listeners: [
        ...g.listeners.map((l) => resolvedListener(l, attached, backends, catalog)),
        ...g.listenerSets.filter((s) => s.accepted).flatMap((s) => s.listeners.map((l) => resolvedListener(l, attached, backends, catalog))),
      ],
    }));
  return { statuses: writer.statuses, gateways: resolved, diagnostics: ctx.diagnostics };
}

/** `hostnames` added to a route's hostnames on a listener (first seen first, each once). */
function withHostnames(known: readonly string[] | undefined, hostnames: readonly string[]): string[] {
  const out = known ? [...known] : [];
  for (const h of hostnames) if (!out.includes(h)) out.push(h);
  return out;
}

function resolvedListener(
  l: ListenerState,
  attached: Map<ListenerState, Map<Route, string[]>>,
  backends: Map<Route, RouteBackends>,
  catalog: Catalog,
): ResolvedListener {
  const routes = [...(attached.get(l)?.entries() ?? [])]
    .sort(([a], [b]) => catalog.compareCreation(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
    .map(([route, hostnames]): AttachedRoute => ({ kind: route.kind, route, hostnames, rules: backends.get(route)!.rules, seq: catalog.loadOrder(route) }));
  const li = l.listener;
  return {
    name: li.name,
    owner: { kind: l.owner.kind, namespace: l.owner.namespace, name: l.owner.name },
    port: li.port,
    protocol: li.protocol,
    ...(li.hostname ? { hostname: li.hostname } : {}),
    ...(li.tls && (li.protocol === 'HTTPS' || li.protocol === 'TLS')
      ? {
          tls: {
            mode: li.tls.mode,
            certificates: l.certificates,
            ...(l.clientValidation ? { clientValidation: l.clientValidation } : {}),
          },
        }
      : {}),
    ready: listenerValid(l),
    routes,
  };
}

export { objectKey };
