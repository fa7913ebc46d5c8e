/**
 * `switchyard convert`: the emitter run on its own. Every Ingress of the input (whatever its
 * class: the input is what the user asks to convert) becomes the HTTPRoutes `serve` would
 * derive from it, plus the Gateway when the one named is not in the input, and the
 * ReferenceGrants its certificate references need. The report lists every annotation and
 * path finding.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../load/load.js';
import type { Service } from '../model/core.js';
import type { Gateway } from '../model/gateway-api.js';
import type { ValidObject } from '../model/objects.js';
import { HTTP_LISTENER, HTTPS_LISTENER, ingressGateway } from './gateway.js';
import type { Ingress } from './model.js';
import type { ReportEntry } from './report.js';
import { DEFAULT_INGRESS_HTTP_PORT, DEFAULT_INGRESS_HTTPS_PORT, INGRESS_GATEWAY } from './serve.js';
import { translateIngresses, type GatewayTarget } from './translate.js';

export const DEFAULT_CONVERT_GATEWAY_CLASS = 'switchyard';

export interface ConvertOptions {
  /** `namespace/name` of the Gateway the routes attach to. */
  gateway?: string;
  gatewayClassName?: string;
  httpPort?: number;
  httpsPort?: number;
}

export interface Conversion {
  objects: KubeObject[];
  report: ReportEntry[];
}

export function parseGatewayName(value: string): { namespace: string; name: string } {
  const parts = value.split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new Error(`--gateway ${JSON.stringify(value)}: expected namespace/name`);
  return { namespace: parts[0], name: parts[1] };
}

function creationOrder(a: ValidObject, b: ValidObject): number {
  const ta = a.object.metadata.creationTimestamp ? Date.parse(a.object.metadata.creationTimestamp) : NaN;
  const tb = b.object.metadata.creationTimestamp ? Date.parse(b.object.metadata.creationTimestamp) : NaN;
  if (!Number.isNaN(ta) || !Number.isNaN(tb)) {
    if (Number.isNaN(ta)) return 1;
    if (Number.isNaN(tb)) return -1;
    if (ta !== tb) return ta - tb;
  }
  return a.seq - b.seq;
}

export function convertObjects(objects: readonly ValidObject[], options: ConvertOptions = {}): Conversion {
  const { namespace, name } = options.gateway !== undefined ? parseGatewayName(options.gateway) : INGRESS_GATEWAY;
  const ingresses = objects.filter((o) => o.object.kind === 'Ingress').sort(creationOrder).map((o) => o.object as Ingress);
  const services = new Map<string, Service>();
  for (const o of objects) if (o.object.kind === 'Service') services.set(`${o.object.metadata.namespace}/${o.object.metadata.name}`, o.object);
  const existing = objects.find((o) => o.object.kind === 'Gateway' && o.object.metadata.namespace === namespace && o.object.metadata.name === name)?.object as Gateway | undefined;
  const httpPort = options.httpPort ?? DEFAULT_INGRESS_HTTP_PORT;
  const httpsPort = options.httpsPort ?? DEFAULT_INGRESS_HTTPS_PORT;
  const hasTls = ingresses.some((i) => (i.spec.tls ?? []).some((t) => t.secretName));

  let target: GatewayTarget;
  if (existing) {
    const http = existing.spec.listeners.find((l) => l.protocol === 'HTTP');
    const https = existing.spec.listeners.find((l) => l.protocol === 'HTTPS');
    target = { namespace, name, ...(http ? { httpListener: http.name } : {}), ...(https ? { httpsListener: https.name } : {}), httpsPort: https?.port ?? httpsPort };
  } else {
    target = { namespace, name, httpListener: HTTP_LISTENER, ...(hasTls ? { httpsListener: HTTPS_LISTENER } : {}), httpsPort };
  }
  const translation = translateIngresses({ ingresses, service: (ns, n) => services.get(`${ns}/${n}`), gateway: target });
  const report = [...translation.report];
  const out: KubeObject[] = [];
  if (existing) {
    const listed = new Set(
      existing.spec.listeners.flatMap((l) => (l.tls?.certificateRefs ?? []).map((c) => `${c.namespace ?? namespace}/${c.name}`)),
    );
    const missing = translation.certificates.filter((c) => !listed.has(`${c.namespace}/${c.name}`));
    if (missing.length > 0 && ingresses.length > 0) {
      report.push({
        ingress: `${ingresses[0].metadata.namespace ?? 'default'}/${ingresses[0].metadata.name}`,
        field: 'spec.tls',
        outcome: 'approximated',
        message: `Gateway ${namespace}/${name} is in the input and is not changed: add the Secrets ${missing.map((c) => `${c.namespace}/${c.name}`).join(', ')} to its HTTPS listener's certificateRefs (with ReferenceGrants across namespaces)`,
      });
    }
  } else if (ingresses.length > 0) {
    const built = ingressGateway({ namespace, name, gatewayClassName: options.gatewayClassName ?? DEFAULT_CONVERT_GATEWAY_CLASS, httpPort, httpsPort, certificates: translation.certificates });
    out.push(built.gateway, ...built.grants);
  }
  out.push(...translation.routes);
  return { objects: out.map(clean), report };
}

/** What the API server sets itself is left out of the output. */
function clean(o: KubeObject): KubeObject {
  const { generation: _generation, ...metadata } = o.metadata;
  return { ...o, metadata: metadata as KubeObject['metadata'] };
}

export function renderConversion(objects: readonly KubeObject[], format: 'yaml' | 'json'): string {
  if (format === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
