/**
 * What of a configuration cannot run the same way at the edge, per object: reported by
 * `switchyard status --target edge`, never silently ignored.
 *
 * A worker has one listener port (default: 80 for http, 443 for https URLs), speaks HTTP only,
 * fetches origins with the platform's fetch (HTTP/1.1, public TLS), and answers one request
 * with one origin attempt.
 */
import type { TableManifest } from '../src/compile/manifest.js';
import type { ValidObject } from '../src/model/objects.js';
import { backendKey } from './backend-map.js';
import { tableBackends } from './backends.js';

export type FindingSeverity =
  /** Not served at the edge at all. */
  | 'unsupported'
  /** Served, but not as on the Node gateway. */
  | 'differs';

export interface EdgeFinding {
  /** `Kind namespace/name`. */
  object: string;
  severity: FindingSeverity;
  /** Stable code, e.g. `listener-port`. */
  code: string;
  message: string;
}

export interface EdgeTargetOptions {
  /** The worker's listener ports; default [80, 443]. */
  ports?: readonly number[];
  /** Origins per Service port (backendMapFor), to check what a worker will fetch. */
  backends?: Readonly<Record<string, readonly string[] | string>>;
}

const L4_ROUTES = new Set(['TCPRoute', 'TLSRoute', 'UDPRoute']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function name(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

function isIpOrigin(origin: string): boolean {
  const host = origin.replace(/^[a-z]+:\/\//i, '').replace(/[/?#].*$/, '');
  if (host.startsWith('[')) return true;
  return IPV4.test(host.replace(/:\d+$/, ''));
}

/** Findings for the objects and the compiled table, sorted by object. */
export function edgeFindings(objects: readonly ValidObject[], manifest: TableManifest, options: EdgeTargetOptions = {}): EdgeFinding[] {
  const ports = options.ports ?? [80, 443];
  const out: EdgeFinding[] = [];
  const add = (object: string, severity: FindingSeverity, code: string, message: string) => out.push({ object, severity, code, message });

  for (const { object } of objects) {
    const o = object as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };
    if (o.kind === 'Gateway' || o.kind === 'ListenerSet') {
      const listeners = (o.spec?.listeners ?? []) as { name: string; port: number; protocol: string }[];
      for (const l of listeners) {
        if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') {
          add(name(o), 'unsupported', 'listener-protocol', `listener ${l.name} (${l.protocol}) is not served: a worker speaks HTTP only`);
        } else if (!ports.includes(l.port)) {
          add(name(o), 'unsupported', 'listener-port', `listener ${l.name} (port ${l.port}) is not served: the worker listens on ${ports.join(', ')}`);
        } else if (l.protocol === 'HTTPS') {
          add(name(o), 'differs', 'listener-tls', `listener ${l.name}: TLS is terminated by the platform with the zone's certificates; certificateRefs and client-certificate validation are not used`);
        }
      }
    } else if (L4_ROUTES.has(o.kind)) {
      add(name(o), 'unsupported', 'l4-route', `${o.kind} is not served: a worker cannot pass TCP, TLS or UDP through`);
    } else if (o.kind === 'GRPCRoute') {
      add(name(o), 'unsupported', 'grpc-route', 'GRPCRoute is not served: a worker cannot reach gRPC origins over cleartext HTTP/2');
    } else if (o.kind === 'BackendTLSPolicy') {
      add(name(o), 'differs', 'backend-tls', 'origins are fetched with the platform\'s TLS (public CAs, the origin URL\'s host name); the policy\'s CA certificates and hostname are not applied');
    }
  }

  const seenRule = new Set<string>();
  for (const rule of manifest.rules) {
    const object = `${rule.kind} ${rule.namespace}/${rule.name}`;
    if (rule.kind !== 'HTTPRoute' || seenRule.has(rule.id)) continue;
    seenRule.add(rule.id);
    const where = `rule ${rule.ruleName ?? rule.ruleIndex}`;
    if (rule.retry) add(object, 'differs', 'retry', `${where}: retries are not performed at the edge (one origin attempt per request)`);
    if (rule.sessionPersistence) add(object, 'differs', 'session-persistence', `${where}: session persistence is not kept at the edge`);
    const filters = [...(rule.filters as { type: string; urlRewrite?: { hostname?: string } }[]), ...rule.backends.flatMap((b) => b.filters as { type: string; urlRewrite?: { hostname?: string } }[])];
    if (filters.some((f) => f.type === 'URLRewrite' && f.urlRewrite?.hostname !== undefined)) {
      add(object, 'differs', 'host-rewrite', `${where}: the origin receives its own host name as Host; the rewritten hostname is not sent`);
    }
  }

  if (options.backends) {
    const checked = new Set<string>();
    for (const backend of tableBackends(manifest)) {
      if (!backend.service) continue;
      const key = backendKey(backend.service);
      if (checked.has(key)) continue;
      checked.add(key);
      const object = `Service ${backend.service.namespace}/${backend.service.name}`;
      const value = options.backends[key];
      const origins = value === undefined ? [] : typeof value === 'string' ? [value] : value;
      if (origins.length === 0) add(object, 'differs', 'no-origin', `port ${backend.service.port}: no origin known (no ExternalName, no ready endpoints); requests to it answer 503`);
      else if (origins.some(isIpOrigin)) add(object, 'differs', 'ip-origin', `port ${backend.service.port}: origins ${origins.join(', ')} are IP addresses, which Cloudflare does not fetch (they work under wrangler dev); use an ExternalName Service or an FQDN EndpointSlice`);
    }
  }
  return out.sort((a, b) => a.object.localeCompare(b.object) || a.code.localeCompare(b.code));
}

/** The findings as a table (one row each), or YAML/JSON lists. */
export function renderFindingsTable(findings: readonly EdgeFinding[]): string {
  if (findings.length === 0) return 'no edge findings: everything is served at the edge as on the Node gateway\n';
  const rows = [['OBJECT', 'SEVERITY', 'CODE', 'MESSAGE'], ...findings.map((f) => [f.object, f.severity, f.code, f.message])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 3 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}
