/**
 * The kinds Switchyard reads, with every apiVersion the Gateway API v1.6.1 CRDs still serve
 * (standard and experimental channels), the core kinds the data plane needs, and the Ingress
 * API (`networking.k8s.io/v1`), served by translation to Gateway API (src/ingress).
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export type KindName =
  | 'GatewayClass'
  | 'Gateway'
  | 'ListenerSet'
  | 'HTTPRoute'
  | 'GRPCRoute'
  | 'TLSRoute'
  | 'TCPRoute'
  | 'UDPRoute'
  | 'ReferenceGrant'
  | 'BackendTLSPolicy'
  | 'Namespace'
  | 'Service'
  | 'EndpointSlice'
  | 'Secret'
  | 'ConfigMap'
  | 'Ingress'
  | 'IngressClass';

export interface KindInfo {
  kind: KindName;
  group: string;
  /** Served versions, newest first. */
  versions: readonly string[];
  /** Versions served only by the experimental channel of the CRDs. */
  experimentalVersions?: readonly string[];
  namespaced: boolean;
}

export const KINDS: Readonly<Record<KindName, KindInfo>> = {
  GatewayClass: { kind: 'GatewayClass', group: GATEWAY_GROUP, versions: ['v1', 'v1beta1'], namespaced: false },
  Gateway: { kind: 'Gateway', group: GATEWAY_GROUP, versions: ['v1', 'v1beta1'], namespaced: true },
  ListenerSet: { kind: 'ListenerSet', group: GATEWAY_GROUP, versions: ['v1'], namespaced: true },
  HTTPRoute: { kind: 'HTTPRoute', group: GATEWAY_GROUP, versions: ['v1', 'v1beta1'], namespaced: true },
  GRPCRoute: { kind: 'GRPCRoute', group: GATEWAY_GROUP, versions: ['v1'], namespaced: true },
  TLSRoute: {
    kind: 'TLSRoute', group: GATEWAY_GROUP, versions: ['v1', 'v1alpha3', 'v1alpha2'],
    experimentalVersions: ['v1alpha3', 'v1alpha2'], namespaced: true,
  },
  TCPRoute: { kind: 'TCPRoute', group: GATEWAY_GROUP, versions: ['v1', 'v1alpha2'], experimentalVersions: ['v1alpha2'], namespaced: true },
  UDPRoute: { kind: 'UDPRoute', group: GATEWAY_GROUP, versions: ['v1', 'v1alpha2'], experimentalVersions: ['v1alpha2'], namespaced: true },
  ReferenceGrant: { kind: 'ReferenceGrant', group: GATEWAY_GROUP, versions: ['v1', 'v1beta1'], namespaced: true },
  BackendTLSPolicy: {
    kind: 'BackendTLSPolicy', group: GATEWAY_GROUP, versions: ['v1', 'v1alpha3'],
    experimentalVersions: ['v1alpha3'], namespaced: true,
  },
  Namespace: { kind: 'Namespace', group: '', versions: ['v1'], namespaced: false },
  Service: { kind: 'Service', group: '', versions: ['v1'], namespaced: true },
  EndpointSlice: { kind: 'EndpointSlice', group: 'discovery.k8s.io', versions: ['v1'], namespaced: true },
  Secret: { kind: 'Secret', group: '', versions: ['v1'], namespaced: true },
  ConfigMap: { kind: 'ConfigMap', group: '', versions: ['v1'], namespaced: true },
  Ingress: { kind: 'Ingress', group: 'networking.k8s.io', versions: ['v1'], namespaced: true },
  IngressClass: { kind: 'IngressClass', group: 'networking.k8s.io', versions: ['v1'], namespaced: false },
};

export type KindLookup =
  | { ok: true; info: KindInfo; version: string }
  | { ok: false; known: false }
  | { ok: false; known: true; info: KindInfo; message: string };

/** Looks up `apiVersion` + `kind` the way the API server's discovery does. */
export function lookupKind(apiVersion: string, kind: string): KindLookup {
  const info = (KINDS as Record<string, KindInfo | undefined>)[kind];
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!info || info.group !== group) return { ok: false, known: false };
  if (!info.versions.includes(version)) {
    return {
      ok: false,
      known: true,
      info,
      message: `no matches for kind "${kind}" in version "${apiVersion}" (served: ${info.versions
        .map((v) => (group ? `${group}/${v}` : v))
        .join(', ')})`,
    };
  }
  return { ok: true, info, version };
}
