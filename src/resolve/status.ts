/**
 * Status assembly: the `status` objects exactly as a controller writes them, with every
 * condition stamped (observedGeneration, lastTransitionTime kept from the previous status of
 * the same object and the same listener / parent / ancestor entry when unchanged).
 */
import type { Condition, Gateway, Route } from '../model/gateway-api.js';
import { objectKey } from '../model/objects.js';
import { GATEWAY_GROUP } from './catalog.js';
import { previousList, type ConditionStamper } from './conditions.js';
import type { GatewayClassState } from './gatewayclass.js';
import type { GatewayState, ListenerSetState } from './gateways.js';
import { listenerConditions, type ListenerState } from './listeners.js';
import type { PolicyState } from './policies.js';
import type { RouteParentStatus } from './routes.js';
import type { ObjectStatus } from './types.js';

/**
 * Statuses a writer assembled (as opposed to statuses read back from a cluster): their shape is
 * known, so an unchanged one can be handed out again as the next status instead of a copy.
 * Statuses are never modified once written.
 */
const WRITTEN = new WeakSet<ObjectStatus>();

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
    const before = this.previous?.get(key);
    // Most routes are unchanged between reloads: their previous status is the one to write.
    if (before && WRITTEN.has(before) && this.sameRouteStatus(before, r, parents)) {
      this.statuses.set(key, before);
      return;
    }
    const prevParents = previousList(before?.status, 'parents');
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

  /**
   * Whether `before`, a status this writer assembled, is exactly what `route` would write now:
   * the same parents in the same order, each found as `route` finds it, with every condition
   * kept as stamping keeps it (same type, status, reason, message and generation).
   */
  private sameRouteStatus(before: ObjectStatus, r: Route, parents: readonly RouteParentStatus[]): boolean {
    const list = before.status.parents as readonly Record<string, unknown>[];
    if (list.length !== parents.length) return false;
    const generation = r.metadata.generation;
    for (let i = 0; i < parents.length; i++) {
      const ref = parents[i].attachment.statusRef;
      if (list.find((x) => x.controllerName === this.controllerName && sameRef(x.parentRef, ref)) !== list[i]) return false;
      const specs = parents[i].conditions;
      const old = list[i].conditions as readonly Condition[];
      if (old.length !== specs.length) return false;
      for (let j = 0; j < specs.length; j++) {
        const s = specs[j];
        const o = old[j];
        if (old.find((p) => p.type === s.type) !== o) return false;
        if (o.status !== s.status || o.reason !== s.reason || o.message !== s.message || o.observedGeneration !== generation) return false;
      }
    }
    return true;
  }

  private prev(o: Obj, key = objectKey(o)): Record<string, unknown> | undefined {
    return this.previous?.get(key)?.status;
  }

  private put(o: Obj, status: Record<string, unknown>, key = objectKey(o)): void {
    const written: ObjectStatus = {
      ref: { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
      status,
    };
    WRITTEN.add(written);
    this.statuses.set(key, written);
  }
}

function sameRef(a: unknown, b: Record<string, unknown>): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  return x.name === b.name && x.namespace === b.namespace && x.kind === b.kind && x.group === b.group && x.sectionName === b.sectionName && x.port === b.port;
}
