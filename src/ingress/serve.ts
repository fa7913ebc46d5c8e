/**
 * Serving Ingresses beside Gateway API, inside the pipeline: the Ingresses of Switchyard's
 * IngressClass are translated (translate.ts) into a Gateway of a GatewayClass of this
 * controller, HTTPRoutes and ReferenceGrants; those are validated like loaded objects and
 * resolved with them. Afterwards (`finishIngress`) every Ingress gets a status entry saying
 * what was served and why anything was not.
 *
 * Gateway API routes take precedence over Ingress rules:
 *  - the derived routes carry no creationTimestamp and load after every loaded object (in the
 *    Ingresses' creation order), so on a shared listener a Gateway API route wins every tie of
 *    the route table's precedence (same host group, path, method, headers, query);
 *  - the Ingress Gateway is placed after every Gateway API Gateway in the resolution, so where
 *    a Gateway API listener and an Ingress listener share an address and port, the table picks
 *    the Gateway API listener for the hosts it covers (its exact or wildcard hostname, or every
 *    host when it has none and ties with the Ingress listener).
 */
import type { Diagnostic } from '../diagnostics.js';
import { KINDS, type KindName } from '../load/kinds.js';
import type { KubeObject, LoadedObject } from '../load/load.js';
import type { Origin } from '../load/source.js';
import type { Service } from '../model/core.js';
import { objectKey, type ValidObject } from '../model/objects.js';
import { ConditionStamper, cond, type ConditionSpec } from '../resolve/conditions.js';
import { DEFAULT_CONTROLLER_NAME, type ObjectStatus, type Resolution, type ResolveOptions } from '../resolve/types.js';
import { validate } from '../validate/index.js';
import { ingressClassOf } from './classes.js';
import { HTTP_LISTENER, HTTPS_LISTENER, ingressGateway } from './gateway.js';
import type { Ingress, IngressClass } from './model.js';
import type { ReportEntry } from './report.js';
import { GATEWAY_GROUP, INGRESS_LABEL, translateIngresses, type Translation } from './translate.js';

export const DEFAULT_INGRESS_HTTP_PORT = 80;
export const DEFAULT_INGRESS_HTTPS_PORT = 443;
/** The Gateway and GatewayClass that serve Ingresses (names reserved for them). */
export const INGRESS_GATEWAY = { namespace: 'switchyard-system', name: 'ingress' } as const;
export const INGRESS_GATEWAY_CLASS = 'switchyard-ingress';

export interface ServedIngresses {
  /** The derived Gateway API objects that passed validation. */
  objects: ValidObject[];
  /** Validation findings on derived objects, and the translation report as warnings/notices. */
  diagnostics: Diagnostic[];
  translation: Translation;
  /** Per Ingress (`Ingress/ns/name`): why it is not Switchyard's, when it is not. */
  notOurs: Map<string, string>;
  ingresses: { object: Ingress; origin: Origin }[];
}

const byCreation = (a: ValidObject, b: ValidObject): number => {
  const ta = a.object.metadata.creationTimestamp ? Date.parse(a.object.metadata.creationTimestamp) : NaN;
  const tb = b.object.metadata.creationTimestamp ? Date.parse(b.object.metadata.creationTimestamp) : NaN;
  if (!Number.isNaN(ta) || !Number.isNaN(tb)) {
    if (Number.isNaN(ta)) return 1;
    if (Number.isNaN(tb)) return -1;
    if (ta !== tb) return ta - tb;
  }
  return a.seq - b.seq;
};

/** Translates the served Ingresses among `objects`; undefined when there is no Ingress. */
export function serveIngresses(objects: readonly ValidObject[], options: ResolveOptions = {}): ServedIngresses | undefined {
  const ingresses = objects.filter((o) => o.object.kind === 'Ingress').sort(byCreation);
  if (ingresses.length === 0) return undefined;
  const classes = objects.filter((o) => o.object.kind === 'IngressClass').map((o) => o.object as IngressClass);
  const services = new Map<string, Service>();
  for (const o of objects) if (o.object.kind === 'Service') services.set(`${o.object.metadata.namespace}/${o.object.metadata.name}`, o.object);
  const notOurs = new Map<string, string>();
  const ours: ValidObject[] = [];
  for (const o of ingresses) {
    const decision = ingressClassOf(o.object as Ingress, classes);
    if (decision.ours) ours.push(o);
    else notOurs.set(objectKey(o.object), decision.reason);
  }
  const ports = { http: options.ingress?.httpPort ?? DEFAULT_INGRESS_HTTP_PORT, https: options.ingress?.httpsPort ?? DEFAULT_INGRESS_HTTPS_PORT };
  const certificateOwners = ours.filter((o) => ((o.object as Ingress).spec.tls ?? []).some((t) => t.secretName));
  const translation = translateIngresses({
    ingresses: ours.map((o) => o.object as Ingress),
    service: (ns, name) => services.get(`${ns}/${name}`),
    gateway: {
      ...INGRESS_GATEWAY,
      httpListener: HTTP_LISTENER,
      ...(certificateOwners.length > 0 ? { httpsListener: HTTPS_LISTENER } : {}),
      httpsPort: ports.https,
    },
  });
  const built = ingressGateway({ ...INGRESS_GATEWAY, gatewayClassName: INGRESS_GATEWAY_CLASS, httpPort: ports.http, httpsPort: ports.https, certificates: translation.certificates });
  const gatewayClass = {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'GatewayClass',
    metadata: { name: INGRESS_GATEWAY_CLASS, generation: 1 },
    spec: { controllerName: options.controllerName ?? DEFAULT_CONTROLLER_NAME },
  };
  const origins = new Map(ingresses.map((o) => [`${o.object.metadata.namespace}/${o.object.metadata.name}`, o.origin]));
  const first = ours[0]?.origin ?? ingresses[0].origin;
  let seq = objects.reduce((max, o) => Math.max(max, o.seq), -1) + 1;
  const loaded = (object: KubeObject, origin: Origin): LoadedObject => ({ object, info: KINDS[object.kind as KindName], origin: derivedOrigin(origin), seq: seq++ });
  // A loaded object with a derived route's name (its converted copy, during a migration) wins.
  const taken = new Set(objects.map((o) => objectKey(o.object)));
  const report = [...translation.report];
  const routes = translation.routes.filter((r) => {
    if (!taken.has(objectKey(r))) return true;
    const ingress = `${r.metadata.namespace}/${r.metadata.labels?.[INGRESS_LABEL]}`;
    report.push({ ingress, field: 'metadata.name', outcome: 'dropped', message: `HTTPRoute ${r.metadata.namespace}/${r.metadata.name} is already in the input: it serves in place of the route derived from this Ingress` });
    return false;
  });
  const derived: LoadedObject[] = [
    ...(ours.length > 0 ? [loaded(gatewayClass, first), loaded(built.gateway, first)] : []),
    ...built.grants.map((g) => loaded(g, first)),
    ...routes.map((r) => loaded(r, origins.get(`${r.metadata.namespace}/${r.metadata.labels?.[INGRESS_LABEL]}`) ?? first)),
  ];
  const validated = validate(derived);
  if (built.omitted > 0) report.push({ ingress: translation.ingresses[0]!.key, field: 'spec.tls', outcome: 'dropped', message: `${built.omitted} TLS Secrets beyond the listener's 64 certificates are not served` });
  return {
    objects: validated.objects,
    diagnostics: [...validated.diagnostics, ...report.flatMap((e) => reportDiagnostic(e, ingresses))],
    translation: { ...translation, report },
    notOurs,
    ingresses: ingresses.map((o) => ({ object: o.object as Ingress, origin: o.origin })),
  };
}

/** A derived object's findings point at the Ingress it came from. */
function derivedOrigin(origin: Origin): Origin {
  return { ...origin, locate: () => origin.position };
}

function reportDiagnostic(e: ReportEntry, ingresses: readonly ValidObject[]): Diagnostic[] {
  if (e.outcome === 'converted') return [];
  const o = ingresses.find((i) => `${i.object.metadata.namespace}/${i.object.metadata.name}` === e.ingress);
  const [namespace, name] = e.ingress.split('/');
  const field = e.annotation !== undefined ? `metadata.annotations[${JSON.stringify(e.annotation)}]` : (e.field ?? '');
  const path = e.annotation !== undefined ? ['metadata', 'annotations', e.annotation] : [];
  return [{
    severity: e.outcome === 'dropped' ? 'warning' : 'notice',
    position: o?.origin.locate(path) ?? { file: '<ingress>', line: 0, col: 0 },
    object: { kind: 'Ingress', namespace, name },
    field,
    message: `${e.outcome}: ${e.message}`,
  }];
}

/**
 * After resolution: the Ingress Gateway goes after every other Gateway, and each Ingress gets
 * its status (`loadBalancer` with the Gateway's addresses, and conditions saying what was
 * served and why not).
 */
export function finishIngress(resolution: Resolution, served: ServedIngresses, options: ResolveOptions = {}): void {
  const isIngressGateway = (g: Resolution['gateways'][number]) =>
    g.gateway.metadata.namespace === INGRESS_GATEWAY.namespace && g.gateway.metadata.name === INGRESS_GATEWAY.name;
  const ingressGw = resolution.gateways.find(isIngressGateway);
  if (ingressGw) resolution.gateways.push(...resolution.gateways.splice(resolution.gateways.indexOf(ingressGw), 1));

  const stamper = new ConditionStamper(options.now ?? new Date());
  const byKey = new Map(served.translation.ingresses.map((t) => [t.key, t]));
  const routeKey = (ns: string, name: string) => `HTTPRoute/${ns}/${name}`;
  for (const { object } of served.ingresses) {
    const key = objectKey(object);
    const ns = object.metadata.namespace ?? 'default';
    const t = byKey.get(`${ns}/${object.metadata.name}`);
    const conditions: ConditionSpec[] = [];
    const notOurs = served.notOurs.get(key);
    if (notOurs !== undefined) conditions.push(cond('Accepted', false, 'NotOurs', `not served: ${notOurs}`));
    else if (!t || t.ignored !== undefined) conditions.push(cond('Accepted', false, 'NothingServed', `not served: ${t?.ignored ?? 'not translated'}`));
    else {
      const routes = t.routes.map((r) => (r.includes('/') ? `Ingress ${r}` : `HTTPRoute ${ns}/${r}`));
      conditions.push(cond('Accepted', true, 'Accepted', `served by Gateway ${INGRESS_GATEWAY.namespace}/${INGRESS_GATEWAY.name} as ${routes.join(', ')}`));
      const refs = t.routes
        .filter((r) => !r.includes('/'))
        .flatMap((r) => {
          const parents = (resolution.statuses.get(routeKey(ns, r))?.status.parents ?? []) as { conditions?: { type: string; status: string; message: string; reason: string }[] }[];
          return parents.flatMap((p) => (p.conditions ?? []).filter((c) => c.status !== 'True').map((c) => `HTTPRoute ${ns}/${r}: ${c.type} ${c.reason}: ${c.message}`));
        });
      conditions.push(refs.length > 0 ? cond('Programmed', false, 'RouteNotReady', [...new Set(refs)].join('; ')) : cond('Programmed', true, 'Programmed', 'every derived route is accepted with resolved references'));
    }
    if (notOurs === undefined) {
      const entries = served.translation.report.filter((e) => e.ingress === `${ns}/${object.metadata.name}`);
      const names = (outcome: ReportEntry['outcome']) => [...new Set(entries.filter((e) => e.outcome === outcome).map((e) => e.annotation ?? e.field ?? 'spec'))];
      const dropped = names('dropped');
      const approximated = names('approximated');
      const parts = [dropped.length > 0 ? `dropped: ${dropped.join(', ')}` : '', approximated.length > 0 ? `approximated: ${approximated.join(', ')}` : ''].filter((p) => p !== '');
      conditions.push(
        dropped.length > 0
          ? cond('Translated', false, 'Dropped', parts.join('; '))
          : cond('Translated', true, approximated.length > 0 ? 'Approximated' : 'Converted', parts.length > 0 ? parts.join('; ') : 'every annotation and path is carried over exactly'),
      );
    }
    const previous = options.previous?.get(key)?.status.conditions;
    const status: ObjectStatus = {
      ref: { kind: 'Ingress', namespace: ns, name: object.metadata.name },
      status: {
        loadBalancer: { ingress: notOurs === undefined && ingressGw ? ingressGw.addresses.map((a) => (a.type === 'Hostname' ? { hostname: a.value } : { ip: a.value })) : [] },
        conditions: stamper.stamp(conditions, object.metadata.generation ?? 1, previous),
      },
    };
    resolution.statuses.set(key, status);
  }
}
