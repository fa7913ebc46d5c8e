/**
 * Status assembly: the `status` objects exactly as a controller writes them, with every
 * condition stamped (observedGeneration, lastTransitionTime kept from the previous status of
 * the same object and the same listener / parent / ancestor entry when unchanged).
 */
import type { Gateway, Route } from '../model/gateway-api.js';
import { objectKey } from '../model/objects.js';
import { GATEWAY_GROUP } from './catalog.js';
import { previousList, type ConditionStamper } from './conditions.js';
import type { GatewayClassState } from './gatewayclass.js';
import type { GatewayState, ListenerSetState } from './gateways.js';
import { listenerConditions, type ListenerState } from './listeners.js';
import type { PolicyState } from './policies.js';
import type { RouteParentStatus } from './routes.js';
import type { ObjectStatus } from './types.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; generation: number } };

export class StatusWriter {
  readonly statuses = new Map<string, ObjectStatus>();

  constructor(
    private readonly stamper: ConditionStamper,
    private readonly previous: ReadonlyMap<string, ObjectStatus> | undefined,
    private readonly controllerName: string,
  ) {}

  gatewayClass(c: GatewayClassState): void {
    const o = c.gatewayClass;
    const prev = this.prev(o);
    this.put(o, { conditions: this.stamper.stamp(c.conditions, o.metadata.generation, prev?.conditions) });
  }

  gateway(g: GatewayState, attachedRoutes: (l: ListenerState) => number): void {
    const o = g.gateway;
    const prev = this.prev(o);
    this.put(o, {
      addresses: g.addresses.map((a) => ({ type: a.type, value: a.value })),
      conditions: this.stamper.stamp(g.conditions, o.metadata.generation, prev?.conditions),
      listeners: this.listeners(g.listeners, o.metadata.generation, prev, attachedRoutes),
      attachedListenerSets: g.listenerSets.filter((s) => s.accepted).length,
    });
  }

  listenerSet(s: ListenerSetState, attachedRoutes: (l: ListenerState) => number): void {
    const o = s.listenerSet;
    const prev = this.prev(o);
    this.put(o, {
      conditions: this.stamper.stamp(s.conditions, o.metadata.generation, prev?.conditions),
      listeners: this.listeners(s.listeners, o.metadata.generation, prev, attachedRoutes),
    });
  }

  route(r: Route, parents: readonly RouteParentStatus[]): void {
    const key = objectKey(r);
    const prevParents = previousList(this.prev(r, key), 'parents');
    this.put(r, {
      parents: parents.map((p) => {
        const ref = p.attachment.statusRef;
        const old = prevParents.find((x) => x.controllerName === this.controllerName && sameRef(x.parentRef, ref));
        return {
          parentRef: { ...ref },
          controllerName: this.controllerName,
          conditions: this.stamper.stamp(p.conditions, r.metadata.generation, old?.conditions),
        };
      }),
    }, key);
  }

  policy(p: PolicyState, ancestors: readonly Gateway[]): void {
    const o = p.policy;
    const prevAncestors = previousList(this.prev(o), 'ancestors');
    this.put(o, {
      ancestors: ancestors.map((g) => {
        const ref = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: g.metadata.namespace as string, name: g.metadata.name };
        const old = prevAncestors.find((x) => x.controllerName === this.controllerName && sameRef(x.ancestorRef, ref));
        return {
          ancestorRef: ref,
          controllerName: this.controllerName,
          conditions: this.stamper.stamp([p.accepted, p.resolvedRefs], o.metadata.generation, old?.conditions),
        };
      }),
    });
  }

  private listeners(
    listeners: readonly ListenerState[],
    generation: number,
    prev: Record<string, unknown> | undefined,
    attachedRoutes: (l: ListenerState) => number,
  ): Record<string, unknown>[] {
    const prevListeners = previousList(prev, 'listeners');
    return listeners.map((l) => ({
      name: l.listener.name,
      supportedKinds: l.conflict?.reason === 'ProtocolConflict' ? [] : l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
      attachedRoutes: attachedRoutes(l),
      conditions: this.stamper.stamp(
        listenerConditions(l),
        generation,
        prevListeners.find((x) => x.name === l.listener.name)?.conditions,
      ),
    }));
  }

  private prev(o: Obj, key = objectKey(o)): Record<string, unknown> | undefined {
    return this.previous?.get(key)?.status;
  }

  private put(o: Obj, status: Record<string, unknown>, key = objectKey(o)): void {
    this.statuses.set(key, {
      ref: { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
      status,
    });
  }
}

function sameRef(a: unknown, b: Record<string, unknown>): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  return ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'].every((k) => x[k] === b[k]);
}
