/**
 * The catalog: every validated object indexed by kind and `namespace/name`, plus the creation
 * order the spec's precedence rules use. Built once per resolution; read-only afterwards.
 */
import type { ConfigMap, Namespace, Secret, Service } from '../model/core.js';
import type {
  BackendTLSPolicy,
  Gateway,
  GatewayClass,
  ListenerSet,
  ReferenceGrant,
  Route,
} from '../model/gateway-api.js';
import { ROUTE_KINDS } from '../model/gateway-api.js';
import type { ValidObject } from '../model/objects.js';
import type { Origin } from '../load/source.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);

/** `namespace/name`, the key every namespaced lookup uses. */
export function nsName(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

interface Named {
  metadata: { name: string; namespace?: string; creationTimestamp?: string };
}

export class Catalog {
  readonly gatewayClasses: GatewayClass[] = [];
  readonly gateways: Gateway[] = [];
  readonly listenerSets: ListenerSet[] = [];
  readonly routes: Route[] = [];
  readonly referenceGrants: ReferenceGrant[] = [];
  readonly backendTLSPolicies: BackendTLSPolicy[] = [];
  private readonly namespaces = new Map<string, Namespace>();
  private readonly services = new Map<string, Service>();
  private readonly secrets = new Map<string, Secret>();
  private readonly configMaps = new Map<string, ConfigMap>();
  private readonly byKey = new Map<string, unknown>();
  private readonly seqOf = new Map<unknown, number>();
  private readonly originOf = new Map<unknown, Origin>();

  constructor(objects: readonly ValidObject[]) {
    // Only the kinds looked up by name are keyed, and only Secrets and ConfigMaps (the objects
    // findings are reported on) keep their origin: thousands of routes need neither.
    for (const v of objects) {
      const o = v.object;
      this.seqOf.set(o, v.seq);
      const meta = o.metadata;
      switch (o.kind) {
        case 'GatewayClass': this.gatewayClasses.push(o); this.byKey.set(`${o.kind}/${nsName(meta.namespace, meta.name)}`, o); break;
        case 'Gateway': this.gateways.push(o); this.byKey.set(`${o.kind}/${nsName(meta.namespace, meta.name)}`, o); break;
        case 'ListenerSet': this.listenerSets.push(o); this.byKey.set(`${o.kind}/${nsName(meta.namespace, meta.name)}`, o); break;
        case 'ReferenceGrant': this.referenceGrants.push(o); break;
        case 'BackendTLSPolicy': this.backendTLSPolicies.push(o); break;
        case 'Namespace': this.namespaces.set(meta.name, o); break;
        case 'Service': this.services.set(nsName(meta.namespace, meta.name), o); break;
        case 'Secret': this.secrets.set(nsName(meta.namespace, meta.name), o); this.originOf.set(o, v.origin); break;
        case 'ConfigMap': this.configMaps.set(nsName(meta.namespace, meta.name), o); this.originOf.set(o, v.origin); break;
        default:
          if (ROUTE_KIND_SET.has(o.kind)) this.routes.push(o as Route);
      }
    }
    const byName = (a: Named, b: Named) => compareNames(a, b);
    this.gatewayClasses.sort(byName);
    this.gateways.sort(byName);
    this.listenerSets.sort(byName);
    this.referenceGrants.sort(byName);
    this.backendTLSPolicies.sort(byName);
    // Keys built once, not at every comparison (thousands of routes).
    const names = new Map(this.routes.map((r) => [r, nsName(r.metadata.namespace, r.metadata.name)]));
    this.routes.sort((a, b) => {
      if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
      const ka = names.get(a)!;
      const kb = names.get(b)!;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  gatewayClass(name: string): GatewayClass | undefined {
    return this.get('GatewayClass', undefined, name);
  }
  gateway(namespace: string, name: string): Gateway | undefined {
    return this.get('Gateway', namespace, name);
  }
  listenerSet(namespace: string, name: string): ListenerSet | undefined {
    return this.get('ListenerSet', namespace, name);
  }
  service(namespace: string, name: string): Service | undefined {
    return this.services.get(nsName(namespace, name));
  }
  secret(namespace: string, name: string): Secret | undefined {
    return this.secrets.get(nsName(namespace, name));
  }
  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.configMaps.get(nsName(namespace, name));
  }

  /**
   * The labels of a namespace, including `kubernetes.io/metadata.name` which the API server
   * sets on every namespace. A namespace without a Namespace object still has that label.
   */
  namespaceLabels(name: string): Record<string, string> {
    return { ...(this.namespaces.get(name)?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }

  /** Where a Secret or ConfigMap was read from (for diagnostics). */
  origin(o: Secret | ConfigMap): Origin | undefined {
    return this.originOf.get(o);
  }

  /**
   * Creation order as the spec's tie-breaking rules define it: older creationTimestamp first;
   * an object without one was created by this load, so it is newer than every timestamped
   * object; among those, load order. Then `namespace/name` alphabetically. The route-table
   * compiler orders route ties the same way (src/compile/precedence.ts).
   */
  compareCreation(a: Named, b: Named): number {
    const ta = parseTime(a.metadata.creationTimestamp);
    const tb = parseTime(b.metadata.creationTimestamp);
    if (ta !== tb) {
      if (ta === null) return 1;
      if (tb === null) return -1;
      return ta - tb;
    }
    return this.loadOrder(a) - this.loadOrder(b) || compareNames(a, b);
  }

  /** Position of the object in the input (`LoadedObject.seq`). */
  loadOrder(o: Named): number {
    return this.seqOf.get(o) ?? 0;
  }

  private get<T>(kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.byKey.get(`${kind}/${nsName(namespace, name)}`) as T | undefined;
  }
}

export function compareNames(a: Named, b: Named): number {
  const ka = nsName(a.metadata.namespace, a.metadata.name);
  const kb = nsName(b.metadata.namespace, b.metadata.name);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function parseTime(value: string | undefined): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}
