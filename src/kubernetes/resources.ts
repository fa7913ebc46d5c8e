/**
 * The API resources Kubernetes mode reads: every kind the resolver uses, with the REST path
 * segments of each served version. Gateway API kinds are tried newest version first (a cluster
 * with older CRDs may serve only an older one); core kinds have one version.
 */
import { KINDS, type KindInfo, type KindName } from '../load/kinds.js';

export interface Resource {
  kind: KindName;
  info: KindInfo;
  group: string;
  /** Lower-case plural used in REST paths. */
  plural: string;
  namespaced: boolean;
  /** Versions to try, preferred first. */
  versions: readonly string[];
}

/** The REST plural of a kind: the lower-cased name in its regular English plural (all kinds read here are regular). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Every resource the resolver reads, in the order of `KINDS`. */
export const RESOURCES: readonly Resource[] = Object.values(KINDS).map((info) => ({
  kind: info.kind,
  info,
  group: info.group,
  plural: pluralOf(info.kind),
  namespaced: info.namespaced,
  versions: info.versions,
}));

/** Kinds whose status this controller writes. */
export const STATUS_KINDS: ReadonlySet<KindName> = new Set<KindName>([
  'GatewayClass',
  'Gateway',
  'ListenerSet',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'BackendTLSPolicy',
]);

export function resourceFor(kind: KindName): Resource {
  const r = RESOURCES.find((x) => x.kind === kind);
  if (!r) throw new Error(`no resource for kind ${kind}`);
  return r;
}

export function apiVersionOf(resource: Resource, version: string): string {
  return resource.group ? `${resource.group}/${version}` : version;
}

/**
 * The collection path: `/api/v1/services`, `/api/v1/namespaces/ns/services`,
 * `/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes`...
 * `namespace` undefined means all namespaces (or a cluster-scoped kind).
 */
export function collectionPath(resource: Resource, version: string, namespace?: string): string {
  const root = resource.group ? `/apis/${resource.group}/${version}` : `/api/${version}`;
  const ns = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${resource.plural}`;
}

export function objectPath(resource: Resource, version: string, name: string, namespace?: string): string {
  return `${collectionPath(resource, version, resource.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}
